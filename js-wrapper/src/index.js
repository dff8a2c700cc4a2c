// tessera-sdk: privacy-first personalization. The public API is these two
// entry points; everything else is internal.
export { loadCore } from './core.js';
export { createTessera, EVENT_NAMES } from './instance.js';
export { memoryBackend, localStorageBackend } from './storage.js';
