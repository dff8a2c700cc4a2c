// The core's per-visitor engine as a JS object. The wasm build exposes it as
// plain functions taking an integer handle first (no Embind class: its
// machinery would add ~3 KB gzipped to the loader, see docs/BENCHMARKS.md
// "SDK size"); this object holds the handle so callers write
// `engine._decide(slot, now)` and `engine.delete()`. Byte results arrive as
// views of the wasm heap, valid only until the next call into the module, so
// they are copied here before anyone can hold on to them.

// The core's engine functions (wasm/bindings.cpp), all called with the handle.
const ENGINE_FUNCTIONS = [
  '_initError', '_loadArtifact', '_setConsent', '_consent', '_consentRecord',
  '_restoreConsent', '_track', '_identify', '_setContext', '_attributes',
  '_segments', '_decide', '_decideAll', '_forgetDecisionMemo', '_recordImpression', '_recordClick',
  '_flush', '_saveProfile', '_restoreProfile', '_forget',
];

// The functions whose result is a Uint8Array view of the wasm heap.
const BYTE_RESULTS = new Set(['_flush', '_saveProfile']);

/** A new engine for `optionsJson` (internal: the wrapper's raw core calls). */
export function createEngine(module, optionsJson) {
  let handle = module._createEngine(optionsJson);
  // A handle the core no longer knows traps in wasm (the module every
  // instance of the page shares): after delete() calls are refused here.
  const live = () => {
    if (handle < 0) throw new TypeError('tessera: this instance was destroyed');
    return handle;
  };
  const engine = {
    delete: () => {
      if (handle >= 0) module._destroyEngine(handle);
      handle = -1;
    },
  };
  for (const name of ENGINE_FUNCTIONS) {
    const call = module[name];
    engine[name] = BYTE_RESULTS.has(name)
      ? (...args) => call(live(), ...args).slice()
      : (...args) => call(live(), ...args);
  }
  return engine;
}
