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
  const handle = module._createEngine(optionsJson);
  // Once deleted, calls are refused here (and deleting again does nothing):
  // in the core they would trap, and a trap leaves the wasm stack pointer
  // where it was, so a few hundred late calls would kill every engine of
  // the page.
  const gone = () => { throw new TypeError('tessera: this instance was destroyed'); };
  const engine = {
    delete: () => {
      module._destroyEngine(handle);
      for (const name of ENGINE_FUNCTIONS) engine[name] = gone;
      engine.delete = () => {};
    },
  };
  for (const name of ENGINE_FUNCTIONS) {
    const call = module[name];
    engine[name] = BYTE_RESULTS.has(name)
      ? (...args) => call(handle, ...args).slice()
      : (...args) => call(handle, ...args);
  }
  return engine;
}
