// Loaded by the snippet: creates the instance from the snippet's options,
// replays the queued calls in order, then routes window.tessera to it.
// The bundle (what the size budget measures): one minified module, not the
// readable sources, which would cost browsers ten requests and twice the bytes.
import { createTessera, EVENT_NAMES } from '../dist/tessera.js';

function call(instance, name, args) {
  if (name === 'consent') return instance.consent.set(...args);
  return instance[name](...args);
}

export async function boot(win = window) {
  const queued = win.tessera;
  const options = { ...(queued?.o ?? {}) };
  // The snippet's Trusted Types policy, for filling slots (a second policy
  // of the same name would be refused).
  if (queued?.p) options.trustedTypesPolicy = queued.p;
  if (!options.endpoint) options.endpoint = win.location.origin;
  // Listeners queued before the SDK loaded are attached when the instance is
  // created, so they hear its start too (e.g. the initial 'artifact' event).
  const on = { ...(options.on ?? {}) };
  const queue = queued?.q ?? [];
  const queuedBeforeStart = queue.length;
  const calls = [];
  for (const [name, args] of queue.slice(0, queuedBeforeStart)) {
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
  // The page keeps calling the stub while the SDK starts: those calls
  // follow the earlier ones, listeners included (they hear events from now
  // on).
  calls.push(...queue.slice(queuedBeforeStart));
  const api = {
    instance,
    loaded: true,
    push: ([name, ...args]) => call(instance, name, args),
  };
  for (const name of ['track', 'page', 'identify', 'render', 'flush', 'forget', 'on', 'decide']) {
    api[name] = (...args) => instance[name](...args);
  }
  api.consent = (...args) => instance.consent.set(...args);
  // Before the replay: a replayed call's listener that calls window.tessera
  // reaches the instance, as it would after load, instead of a stub queue
  // nobody reads any more.
  win.tessera = api;
  for (const [name, args] of calls) {
    try {
      call(instance, name, args);
    } catch (error) {
      console.error(`tessera: queued ${name}() failed: ${error.message}`);
    }
  }
  // A page view and a render for the page that loaded us, unless turned off;
  // a page() the page queued (with its properties, say) is that page view.
  // A later artifact (fetched once consent is given, or a stored copy found
  // out of date) fills the slots again.
  if (options.autoPage !== false) {
    if (!calls.some(([name]) => name === 'page')) instance.page();
    instance.render();
    instance.on('artifact', () => instance.render());
  }
  return instance;
}

if (typeof window !== 'undefined' && window.tessera && window.tessera.q) boot();
