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
  let detach = listen(win, onUpdate);
  let timer;
  let attempt = 0;
  const retryLater = () => {
    if (detach || attempt >= delays.length) return;
    timer = setTimeout(() => {
      detach = listen(win, onUpdate);
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
  tcfapi('addEventListener', 2, (tcData, success) => {
    if (!success || !tcData) return;
    listenerId = tcData.listenerId ?? listenerId;
    if (tcData.eventStatus === 'tcloaded' || tcData.eventStatus === 'useractioncomplete') {
      onUpdate(tcData);
    }
  });
  return () => {
    if (listenerId !== null) tcfapi('removeEventListener', 2, () => {}, listenerId);
  };
}

// gtag() pushes its `arguments` object: ['consent', 'update', {...}]. Only
// updates carry the visitor's choice: a 'default' is the site's state for
// visitors who have not chosen (the consentPolicy's role here), often for
// regions the SDK cannot check, and re-run on every page before the
// platform's update, it would withdraw a returning visitor's choice.
function consentCommand(entry) {
  if (!entry || typeof entry !== 'object' || entry[0] !== 'consent' || entry[1] !== 'update') return null;
  return entry[2] && typeof entry[2] === 'object' ? entry[2] : null;
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
    const command = consentCommand(entry);
    if (command) state = { ...(state ?? {}), ...command };
  }
  if (state) onUpdate(state);
  return wrapMethod(dataLayer, 'push', (original) => function push(...entries) {
    const result = original.apply(this, entries);
    for (const entry of entries) {
      const command = consentCommand(entry);
      if (command) {
        state = { ...(state ?? {}), ...command };
        onUpdate(state);
      }
    }
    return result;
  });
}
