// Consent signals the page may already carry, translated into the core's
// update format. The core maps them onto Tessera's purposes (see
// core/include/tessera/consent.h); here we only listen and forward.

/** Global Privacy Control: true when the browser asks not to sell/share. */
export function readGlobalPrivacyControl(nav = globalThis.navigator) {
  return nav?.globalPrivacyControl === true;
}

/**
 * IAB TCF v2.2: registers with the CMP's __tcfapi and calls `onUpdate(tcData)`
 * whenever the user's choice is ready or changes. Returns an unsubscribe.
 */
export function listenTcf(win, onUpdate) {
  const tcfapi = win?.__tcfapi;
  if (typeof tcfapi !== 'function') return () => {};
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

function consentCommand(entry) {
  // gtag() pushes its `arguments` object: ['consent', 'default'|'update', {...}].
  if (!entry || typeof entry !== 'object' || entry[0] !== 'consent') return null;
  if (entry[1] !== 'default' && entry[1] !== 'update') return null;
  return entry[2] && typeof entry[2] === 'object' ? entry[2] : null;
}

/**
 * Google Consent Mode v2: replays consent commands already in dataLayer and
 * follows later ones by wrapping dataLayer.push. Returns an unsubscribe.
 */
export function listenGoogleConsentMode(win, onUpdate) {
  const dataLayer = win?.dataLayer;
  if (!Array.isArray(dataLayer)) return () => {};
  let state = null;
  for (const entry of dataLayer) {
    const command = consentCommand(entry);
    if (command) state = { ...(state ?? {}), ...command };
  }
  if (state) onUpdate(state);
  const originalPush = dataLayer.push;
  dataLayer.push = function push(...entries) {
    const result = originalPush.apply(this, entries);
    for (const entry of entries) {
      const command = consentCommand(entry);
      if (command) {
        state = { ...(state ?? {}), ...command };
        onUpdate(state);
      }
    }
    return result;
  };
  return () => { dataLayer.push = originalPush; };
}
