// Consent signals the page may already carry, translated into the core's
// update format. The core maps them onto Tessera's purposes (see
// core/include/tessera/consent.h); here we only listen and forward.
import { wrapMethod } from './wrap-method.js';

/** Global Privacy Control: true when the browser asks not to sell/share. */
export function readGlobalPrivacyControl(nav = globalThis.navigator) {
  return nav?.globalPrivacyControl === true;
}

// A consent platform or Google tag often loads after the SDK (both load
// async): while a source is absent it is looked for again after each delay.
export const LATE_SOURCE_DELAYS_MS = [250, 500, 1000, 2000, 4000, 8000];

/**
 * Attaches `listen(win, onUpdate)` (which returns null while its source is
 * absent) now, or at the first retry that finds the source. Returns a
 * function that detaches, or stops looking.
 */
export function listenWhenPresent(win, listen, onUpdate, delays = LATE_SOURCE_DELAYS_MS) {
  // A source that throws (a broken CMP, a dataLayer entry that cannot be
  // read or serialized) says nothing: the SDK still starts, and the page's
  // own call (its dataLayer.push) does not fail because of ours.
  const safely = (call) => (arg) => {
    try {
      return call(arg);
    } catch (error) {
      console.error('tessera: a consent source failed', error);
      return null;
    }
  };
  const update = safely(onUpdate);
  const attach = safely(() => listen(win, update));
  let detach = attach();
  let timer;
  let attempt = 0;
  const retryLater = () => {
    if (detach || attempt >= delays.length) return;
    timer = setTimeout(() => {
      detach = attach();
      retryLater();
    }, delays[attempt++]);
  };
  retryLater();
  return () => {
    clearTimeout(timer);
    detach?.();
  };
}

/**
 * IAB TCF v2.2: registers with the CMP's __tcfapi and calls `onUpdate(tcData)`
 * whenever the user's choice is ready or changes. Returns an unsubscribe, or
 * null when the page has no __tcfapi (yet).
 */
export function listenTcf(win, onUpdate) {
  const tcfapi = win?.__tcfapi;
  if (typeof tcfapi !== 'function') return null;
  let listenerId = null;
  let detached = false;
  const remove = () => tcfapi('removeEventListener', 2, () => {}, listenerId);
  tcfapi('addEventListener', 2, (tcData, success) => {
    if (!success || !tcData) return;
    listenerId = tcData.listenerId ?? listenerId;
    // A CMP stub answers once the CMP loads, maybe after we detached: the id
    // is known only now, so remove the listener now and say nothing.
    if (detached) return listenerId !== null && remove();
    if (tcData.eventStatus === 'tcloaded' || tcData.eventStatus === 'useractioncomplete') {
      onUpdate(tcData);
    }
  });
  return () => {
    detached = true;
    if (listenerId !== null) remove();
  };
}

// gtag() pushes its `arguments` object: ['consent', 'update', {...}]. Only
// updates carry the visitor's choice: a 'default' is the site's state for
// visitors who have not chosen (the consentPolicy's role here), often for
// regions the SDK cannot check, and re-run on every page before the
// platform's update, it would withdraw a returning visitor's choice.
// Only granted/denied values are taken: another would stay in the merged
// state and have every later update (a withdrawal too) refused with it. An
// entry that cannot be read holds no choice, and only its own members count
// (on a page whose prototypes were polluted, not every entry is a grant).
function consentChoices(entry) {
  try {
    const [command, action, update] = Object.values(entry);
    if (command !== 'consent' || action !== 'update') return null;
    const choices = {};
    for (const [key, value] of Object.entries(update)) {
      if (value === 'granted' || value === 'denied') choices[key] = value;
    }
    return choices;
  } catch {
    return null;
  }
}

/**
 * Google Consent Mode v2: replays consent updates already in dataLayer and
 * follows later ones by wrapping dataLayer.push. Returns an unsubscribe, or
 * null when the page has no dataLayer (yet).
 */
export function listenGoogleConsentMode(win, onUpdate) {
  const dataLayer = win?.dataLayer;
  if (!Array.isArray(dataLayer)) return null;
  let state = null;
  for (const entry of dataLayer) {
    const choices = consentChoices(entry);
    if (choices) state = { ...state, ...choices };
  }
  if (state) onUpdate(state);
  return wrapMethod(dataLayer, 'push', (original) => function push(...entries) {
    const result = original.apply(this, entries);
    for (const entry of entries) {
      const choices = consentChoices(entry);
      if (choices) {
        state = { ...state, ...choices };
        onUpdate(state);
      }
    }
    return result;
  });
}
