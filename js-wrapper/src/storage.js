// Where the SDK keeps its state on the device. Everything is memory-only until
// consent allows storing; then it goes to a backend (localStorage by default)
// under a per-site prefix, within a byte cap. A full or failing backend never
// breaks the page: the value stays in memory and one warning is logged.

/** A backend over window.localStorage (or any Storage-like object). */
export function localStorageBackend(storage = globalThis.localStorage) {
  return {
    getItem: (key) => storage.getItem(key),
    setItem: (key, value) => storage.setItem(key, value),
    removeItem: (key) => storage.removeItem(key),
    keys: () => {
      const keys = [];
      for (let i = 0; i < storage.length; i++) keys.push(storage.key(i));
      return keys;
    },
  };
}

/** A backend that lives in memory (tests, or when no storage exists). */
export function memoryBackend(map = new Map()) {
  return {
    getItem: (key) => (map.has(key) ? map.get(key) : null),
    setItem: (key, value) => { map.set(key, String(value)); },
    removeItem: (key) => { map.delete(key); },
    keys: () => [...map.keys()],
  };
}

/**
 * The backend for the `storage` option: a backend as is, or a Web Storage
 * object (localStorage, sessionStorage) wrapped. Anything else is misuse:
 * without keys() a withdrawal could not erase what was stored.
 */
export function storageBackend(storage) {
  const has = (names) => names.every((name) => typeof storage?.[name] === 'function');
  if (has(['getItem', 'setItem', 'removeItem', 'keys'])) return storage;
  if (has(['getItem', 'setItem', 'removeItem', 'key'])) return localStorageBackend(storage);
  throw new TypeError('createTessera: storage must be a Storage (localStorage, sessionStorage) ' +
      'or a backend with getItem, setItem, removeItem and keys');
}

function defaultBackend() {
  try {
    const ls = globalThis.localStorage;
    if (ls) return localStorageBackend(ls);
  } catch {
    // Access can throw (sandboxed iframes, disabled cookies).
  }
  return memoryBackend();
}

export class SiteStorage {
  constructor({ site, backend, capBytes = 256 * 1024, warn = console.warn }) {
    this.prefix = `tessera:${site}:`;
    this.backend = backend ?? defaultBackend();
    this.capBytes = capBytes;
    this.warn = warn;
    this.memory = new Map();
    this.keys = new Map();  // name -> backend key (key())
    this.sizes = null;  // name -> bytes in the backend (usedBytes)
    this.persistent = false;
    this.warned = new Set();
  }

  // The backend key of `name`, built once: a concatenated string would be
  // flattened and hashed again on every read (several per tracked event).
  key(name) {
    let key = this.keys.get(name);
    if (key === undefined) this.keys.set(name, key = this.prefix + name);
    return key;
  }

  warnOnce(kind, message) {
    if (this.warned.has(kind)) return;
    this.warned.add(kind);
    this.warn(`tessera: ${message}`);
  }

  /** Allows or forbids writing to the backend (consent to store). */
  setPersistent(persistent) {
    this.persistent = persistent;
    if (persistent) {
      for (const [name, value] of this.memory) this.set(name, value);
    }
  }

  get(name) {
    if (this.memory.has(name)) return this.memory.get(name);
    if (!this.persistent && name !== 'consent') return null;
    try {
      return this.backend.getItem(this.key(name));
    } catch (error) {
      this.warnOnce('read', `storage read failed (${error.message}); using memory`);
      return null;
    }
  }

  // What this site's keys take in the backend, except `except`'s. The sizes
  // are read once, then kept up to date by this object's own writes: the
  // profile is written on every event, and reading every key of the origin
  // each time would cost more than the write. (Another tab's writes to the
  // same keys are counted at their size here: the cap is a budget; the
  // browser's quota, handled in set(), is the hard limit.)
  usedBytes(except) {
    if (!this.sizes) {
      this.sizes = new Map();
      try {
        for (const key of this.backend.keys()) {
          if (!key.startsWith(this.prefix)) continue;
          this.sizes.set(key.slice(this.prefix.length),
              key.length + (this.backend.getItem(key)?.length ?? 0));
        }
      } catch {
        // Unreadable backend: counted as empty; the write below will tell.
      }
    }
    let total = 0;
    for (const [name, size] of this.sizes) if (name !== except) total += size;
    return total;
  }

  /**
   * Stores a string. `necessary` marks the consent record itself, which may
   * be stored before any other consent (it is how the choice is remembered).
   * Returns true when it reached the backend.
   */
  set(name, value, { necessary = false } = {}) {
    this.memory.set(name, value);
    if (!this.persistent && !necessary) return false;
    const size = this.prefix.length + name.length + value.length;
    if (this.usedBytes(name) + size > this.capBytes) {
      this.warnOnce('cap', `storage cap of ${this.capBytes} bytes reached; keeping "${name}" in memory`);
      return false;
    }
    try {
      this.backend.setItem(this.key(name), value);
      this.sizes.set(name, size);
      this.memory.delete(name);
      return true;
    } catch (error) {
      const quota = error?.name === 'QuotaExceededError' || error?.code === 22;
      this.warnOnce(quota ? 'quota' : 'write',
          quota ? 'browser storage is full; keeping data in memory'
                : `storage write failed (${error.message}); keeping data in memory`);
      return false;
    }
  }

  remove(name) {
    this.memory.delete(name);
    this.sizes?.delete(name);
    try {
      this.backend.removeItem(this.key(name));
    } catch {
      // Nothing more to do: the memory copy is gone.
    }
  }

  /** Erases everything this site stored, except what `keep` names. */
  clear(keep = []) {
    for (const name of [...this.memory.keys()]) {
      if (!keep.includes(name)) this.memory.delete(name);
    }
    this.sizes = null;  // read afresh at the next write
    try {
      for (const key of this.backend.keys()) {
        if (key.startsWith(this.prefix) && !keep.includes(key.slice(this.prefix.length))) {
          this.backend.removeItem(key);
        }
      }
    } catch {
      // Best effort: an unreadable backend holds nothing we can reach.
    }
  }
}

// The profile is stored after every event, so encoding is on the page-view
// path: a table loop into ASCII bytes decoded once is several times faster
// than btoa over a string built with String.fromCharCode. Same output as btoa.
const BASE64_CODES = Uint8Array.from(
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const PAD = 61;  // '='
const asciiDecoder = new TextDecoder();

export function bytesToBase64(bytes) {
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out[o++] = BASE64_CODES[n >>> 18];
    out[o++] = BASE64_CODES[(n >>> 12) & 63];
    out[o++] = BASE64_CODES[(n >>> 6) & 63];
    out[o++] = BASE64_CODES[n & 63];
  }
  if (i < bytes.length) {  // one or two bytes left
    const two = i + 1 < bytes.length;
    const n = (bytes[i] << 16) | (two ? bytes[i + 1] << 8 : 0);
    out[o++] = BASE64_CODES[n >>> 18];
    out[o++] = BASE64_CODES[(n >>> 12) & 63];
    out[o++] = two ? BASE64_CODES[(n >>> 6) & 63] : PAD;
    out[o++] = PAD;
  }
  return asciiDecoder.decode(out);
}

export function base64ToBytes(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
