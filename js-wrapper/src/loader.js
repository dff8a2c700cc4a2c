// Loads the WebAssembly core once per URL. The module file sits beside this
// package's dist/ folder; `wasmUrl` overrides where the .wasm is fetched from.
// Under Node the generated loader cannot fetch file URLs, so the bytes are
// read here and handed over as `wasmBinary`.

const DEFAULT_WASM_URL = new URL('../dist/tessera_core.wasm', import.meta.url);
const cache = new Map();

function isNode() {
  return typeof process !== 'undefined' && !!process.versions?.node &&
      typeof window === 'undefined';
}

async function instantiate(wasmUrl) {
  const { default: factory } = await import('../dist/tessera_core.mjs');
  const url = new URL(String(wasmUrl ?? DEFAULT_WASM_URL), import.meta.url);
  const options = {
    // Keep the module quiet: the SDK reports its own errors once.
    print: () => {},
    printErr: () => {},
  };
  if (isNode() && url.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    options.wasmBinary = await readFile(url);
  } else {
    options.locateFile = () => url.href;
  }
  try {
    return await factory(options);
  } catch (error) {
    // Emscripten's message names no file and ends in advice for its builds.
    const reason = String(error?.message ?? error).replace(/\s*Build with -s ASSERTIONS.*$/s, '');
    throw new Error(`${url.href}: ${reason}`);
  }
}

/**
 * Web Crypto: the browser's, or Node's (a global only from Node 19 on), for
 * the random ids of visitors and signals.
 */
export async function webCrypto() {
  if (globalThis.crypto?.getRandomValues) return globalThis.crypto;
  if (isNode()) return (await import('node:crypto')).webcrypto;
  throw new Error('crypto.getRandomValues is not available');
}

/** Resolves to the raw Emscripten module (internal). */
export function loadModule(wasmUrl) {
  const key = String(wasmUrl ?? DEFAULT_WASM_URL);
  if (!cache.has(key)) {
    const pending = instantiate(wasmUrl);
    // A failed load may be retried later (e.g. after a CSP change in tests).
    pending.catch(() => cache.delete(key));
    cache.set(key, pending);
  }
  return cache.get(key);
}
