// Loaded by the snippet: creates the instance from the snippet's options,
// replays the queued calls in order, then routes window.tessera to it.
import { createTessera } from '../src/index.js';
import { EVENT_NAMES } from '../src/instance.js';

function call(instance, name, args) {
  if (name === 'consent') return instance.consent.set(...args);
  return instance[name](...args);
}

export async function boot(win = window) {
  const queued = win.tessera;
  const options = { ...(queued?.o ?? {}) };
  if (!options.endpoint) options.endpoint = win.location.origin;
  // Listeners queued before the SDK loaded are attached when the instance is
  // created, so they hear its start too (e.g. the initial 'artifact' event).
  const on = { ...(options.on ?? {}) };
  const calls = [];
  for (const [name, args] of queued?.q ?? []) {
    const [type, listener] = args;
    // Known events only: any other queued on() is replayed below, where it
    // fails alone with its message instead of failing the whole start.
    if (name === 'on' && EVENT_NAMES.includes(type) && typeof listener === 'function') {
      on[type] = [on[type] ?? []].flat().concat(listener);
    } else {
      calls.push([name, args]);
    }
  }
  options.on = on;
  const instance = await createTessera(options);
  for (const [name, args] of calls) {
    try {
      call(instance, name, args);
    } catch (error) {
      console.error(`tessera: queued ${name}() failed: ${error.message}`);
    }
  }
  // A page view and a render for the page that loaded us, unless turned off.
  if (options.autoPage !== false) {
    instance.page();
    instance.render();
  }
  const api = {
    instance,
    loaded: true,
    push: ([name, ...args]) => call(instance, name, args),
  };
  for (const name of ['track', 'page', 'identify', 'render', 'flush', 'forget', 'on', 'decide']) {
    api[name] = (...args) => instance[name](...args);
  }
  api.consent = (...args) => instance.consent.set(...args);
  win.tessera = api;
  return instance;
}

if (typeof window !== 'undefined' && window.tessera && window.tessera.q) boot();
