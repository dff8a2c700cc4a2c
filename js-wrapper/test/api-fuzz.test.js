// A seeded property search over the public API with the real wasm core:
// random sequences of calls with hostile arguments (deep nesting, huge
// strings, lone surrogates, NaN, BigInt, Symbols, throwing getters, Proxies,
// cycles, __proto__ keys, holes, typed arrays, many distinct names), clock
// jumps, consent flips, forget() mid-flush, listeners that call back in,
// another tab on the same storage, reloads, destroy(), server failures and
// damaged artifacts. After each step: only TypeErrors (or the argument's own
// exception) escape, the core still answers (no wasm trap), flushes settle
// and no promise rejects unhandled, nothing is stored, fetched or sent
// without consent, an accepted event is counted once (in the profile, across
// a reload, and in what the server receives), and the wasm memory stays bounded.
//
// TESSERA_FUZZ_SEEDS=2000 node --test test/api-fuzz.test.js searches more
// seeds (TESSERA_FUZZ_FIRST_SEED picks where to start); a failure names its
// seed and step, and TESSERA_FUZZ_TRACE=1 (or =stack) prints each seed's steps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, EVENT_NAMES, loadCore, memoryBackend } from '../src/index.js';
import { artifact as baseArtifact, Clock, FakeDocument, FakeElement, FakeServer, FakeWindow,
  pageOptions, tick } from './helpers.js';

const SEEDS = Number(process.env.TESSERA_FUZZ_SEEDS ?? 40);
const FIRST_SEED = Number(process.env.TESSERA_FUZZ_FIRST_SEED ?? 1);
const STEPS = Number(process.env.TESSERA_FUZZ_STEPS ?? 60);
const TRACE = process.env.TESSERA_FUZZ_TRACE;  // "stack" adds where each error came from
// The heap grows for a few MB of hostile strings at once, never without end.
const MAX_WASM_BYTES = 64 * 1024 * 1024;

// The wasm memories instantiated in this process (the bundle has its own
// loader, so the module cannot be reached through src/loader.js there).
const memories = new Set();
for (const name of ['instantiate', 'instantiateStreaming']) {
  const original = WebAssembly[name];
  WebAssembly[name] = async function (...args) {
    const result = await original.apply(this, args);
    const exports = (result.instance ?? result).exports;
    for (const value of Object.values(exports)) {
      if (value instanceof WebAssembly.Memory) memories.add(value);
    }
    return result;
  };
}
const wasmBytes = () => Math.max(0, ...[...memories].map((m) => m.buffer.byteLength));

// mulberry32: small and deterministic, so a failure can be replayed.
function generator(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.int = (n) => Math.floor(next() * n);
  next.pick = (list) => list[next.int(list.length)];
  next.chance = (p) => next() < p;
  return next;
}

/** The exception a hostile argument throws itself (a getter, a Proxy trap). */
class ArgumentOwnError extends Error {}

const SPECIAL_NUMBERS = [NaN, Infinity, -Infinity, -0, 0, 1e308, -1e308, 5e-324,
  Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -1, 0.1 + 0.2, 49.9, 253402300800000];
const SPECIAL_STRINGS = ['', '\ud800', 'a\udc00b', '\udbff\udfff', '__proto__', 'constructor',
  'prototype', 'toString', 'hasOwnProperty', '\u0000', '{{x}}', '{{{x}}}', '</script>',
  'page_view', 'purchase_complete', 'add_to_cart', 'value', 'timestamp', 'categories',
  'event.page_view.count_24h', '$where', '😀'.repeat(40), 'é'.repeat(33), ' '];

function hostileString(rnd) {
  switch (rnd.int(6)) {
    case 0: return rnd.pick(SPECIAL_STRINGS);
    case 1: return 'x'.repeat(rnd.pick([63, 64, 65, 255, 256, 257, 16 * 1024, 100_000, 1_000_000]));
    case 2: return String.fromCharCode(...Array.from({ length: rnd.int(12) }, () => rnd.int(0x10000)));
    case 3: return `n${rnd.int(200)}`;
    case 4: return rnd.pick(['1.2.3', '2026-11-23T12:00:00Z', 'true', 'null', '-0', '1e999']);
    default: return `k${rnd.int(1e9).toString(36)}`;
  }
}

function hostileValue(rnd, depth = 0) {
  const leaf = depth > 3 || rnd.chance(0.4);
  if (leaf) {
    switch (rnd.int(12)) {
      case 0: return rnd.pick(SPECIAL_NUMBERS);
      case 1: return hostileString(rnd);
      case 2: return rnd.pick([null, undefined, true, false]);
      case 3: return BigInt(rnd.int(1000));
      case 4: return Symbol('s');
      case 5: return new Date(rnd.pick([0, NaN, 8.64e15, Date.UTC(2026, 10, 23)]));
      case 6: return () => 1;
      case 7: return rnd.pick([new Uint8Array([1, 2, 3]), new Float64Array([NaN]), new ArrayBuffer(4)]);
      case 8: return rnd.pick([new Map([[1, 2]]), new Set([1]), /re/g, new Error('e')]);
      default: return rnd.int(1000) * rnd.pick([1, 0.01, -1]);
    }
  }
  switch (rnd.int(10)) {
    case 0: {  // deep nesting
      let v = rnd.pick([1, 'x', null]);
      const levels = rnd.pick([10, 63, 64, 65, 100, 1000, 5000]);
      for (let i = 0; i < levels; i++) v = rnd.chance(0.5) ? [v] : { a: v };
      return v;
    }
    case 1: {  // a cycle
      const o = { a: 1 };
      o.self = o;
      return o;
    }
    case 2: {  // a getter that throws
      const o = { ok: 1 };
      Object.defineProperty(o, rnd.pick(['value', 'timestamp', 'x', 'toJSON']),
          { enumerable: true, get() { throw new ArgumentOwnError('getter'); } });
      return o;
    }
    case 3:  // a Proxy whose traps throw
      return new Proxy({ a: 1 }, rnd.chance(0.5)
        ? { ownKeys() { throw new ArgumentOwnError('ownKeys'); } }
        : { get() { throw new ArgumentOwnError('get'); } });
    case 4: {  // an own __proto__ key
      const o = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": 1}}');
      o.value = hostileValue(rnd, depth + 1);
      return o;
    }
    case 5: {  // holes
      const a = [1, , 3];  // eslint-disable-line no-sparse-arrays
      a[rnd.pick([10, 1000, 100_000])] = 'end';
      return a;
    }
    case 6: {  // very many keys
      const o = {};
      const n = rnd.pick([100, 1000, 20_000]);
      for (let i = 0; i < n; i++) o[`p${i}`] = i;
      return o;
    }
    case 7:  // toJSON returning something odd
      return { toJSON: () => rnd.pick([undefined, 'str', NaN, { a: 1 }, () => 1]) };
    case 8: return Array.from({ length: rnd.int(5) }, () => hostileValue(rnd, depth + 1));
    default: {
      const o = {};
      for (let i = rnd.int(5); i > 0; i--) o[hostileString(rnd)] = hostileValue(rnd, depth + 1);
      return o;
    }
  }
}

/** Plausible event properties with a hostile value mixed in now and then. */
function properties(rnd) {
  if (rnd.chance(0.2)) return hostileValue(rnd);
  const props = {};
  if (rnd.chance(0.6)) props.value = rnd.chance(0.7) ? rnd.int(10_000) / 100 : rnd.pick(SPECIAL_NUMBERS);
  if (rnd.chance(0.3)) props.categories = rnd.chance(0.7) ? ['shoes', 'sale'] : hostileValue(rnd);
  if (rnd.chance(0.2)) props.timestamp = rnd.pick([null, 0, -1, NaN, 1e20, '2026-11-23', Date.UTC(2026, 10, 22)]);
  if (rnd.chance(0.3)) props[hostileString(rnd)] = hostileValue(rnd);
  return props;
}

function eventName(rnd) {
  if (rnd.chance(0.1)) return hostileValue(rnd);
  if (rnd.chance(0.3)) return rnd.pick(['page_view', 'add_to_cart', 'purchase_complete', 'x']);
  return rnd.chance(0.5) ? `ev_${rnd.int(150)}` : hostileString(rnd);
}

// What a listener may call back into (not destroy() nor a new page).
const REENTRANT = new Set(['track', 'page', 'identify', 'consent.set', 'attributes', 'segments',
  'decide', 'decideAll', 'render', 'click', 'flush', 'forget', 'loadArtifact', 'setContext']);

const clone = (v) => JSON.parse(JSON.stringify(v));

/** The valid artifact, with one part damaged. */
function mutatedArtifact(rnd) {
  const a = clone(baseArtifact);
  const paths = [
    () => { a.schema_version = hostileValue(rnd); },
    () => { a.version = hostileValue(rnd); },
    () => { a.segments[rnd.int(3)].condition = hostileValue(rnd); },
    () => { a.segments[rnd.int(3)].id = hostileValue(rnd); },
    () => { a.segments.push({ id: 'r', condition: { 'traits.x': { $regex: rnd.pick(['(a+)+$', '[', '(?<n>a)\\k<n>', 'a{99999}']) } } }); },
    () => { a.slots[0].variants[rnd.int(3)].template = rnd.pick(['{{#a}}', '{{>p}}', '{{{x}}}', '{{=<% %>=}}<%x%>', hostileString(rnd)]); },
    () => { a.slots[0].default = hostileValue(rnd); },
    () => { a.slots.push({ ...a.slots[0] }); },  // duplicate slot id
    () => { a.experiments = [{ key: 'e', slot: 'hero', variations: ['vip', 'standard'], weights: [rnd.pick([NaN, -1, 2, 0.5]), 0.5], coverage: rnd.pick([1, 2, -1]), hashVersion: rnd.pick([1, 2, 3, 0]) }]; },
    () => { a.consent = rnd.pick([{ mode: 'opt-out', policyVersion: 'p' }, { mode: 'x' }, { mode: 'opt-in', policyVersion: 'v'.repeat(65) }, hostileValue(rnd)]); },
    () => { a.signals = rnd.pick([{ maxBatchBytes: rnd.pick([1, 100, 1e9, -1]) }, { format: 'xml' }, { flushIntervalMs: -5 }, hostileValue(rnd)]); },
    () => { a.clusters = hostileValue(rnd); },
    () => { delete a[rnd.pick(['segments', 'slots', 'schema_version', 'site', 'version'])]; },
    () => { a.site = rnd.pick(['other', '', 'demo']); },
  ];
  for (let i = 1 + rnd.int(2); i > 0; i--) {
    try { rnd.pick(paths)(); } catch { /* a part an earlier mutation removed */ }
  }
  if (rnd.chance(0.2)) {  // damaged text
    let text;
    try { text = JSON.stringify(a); } catch { return a; }
    const at = rnd.int(text.length);
    return rnd.chance(0.5) ? text.slice(0, at) : text.slice(0, at) + '\ud800' + text.slice(at);
  }
  return a;
}

// The artifact option must be an object (a string is a documented TypeError).
const objectArtifact = (a) => (typeof a === 'string' ? { ...baseArtifact, version: a.slice(0, 40) } : a);

/**
 * A tab's view of the site's storage: its writes are checked against its
 * own consent, and the other tabs hear of each change later, as browsers
 * tell them (the storage event).
 */
function tabStorage(map, tab, tabs, fail) {
  const inner = memoryBackend(map);
  const tell = (key, oldValue, newValue) => {
    for (const other of tabs) {
      if (other !== tab) setImmediate(() => other.window?.dispatch('storage', { key, oldValue, newValue }));
    }
  };
  return {
    ...inner,
    setItem: (key, value) => {
      if (!key.endsWith(':consent') && !tab.allows('analytics', 'personalization')) {
        fail(`${tab.name} stored "${key}" without consent`);
      }
      const old = inner.getItem(key);
      inner.setItem(key, value);
      tell(key, old, String(value));
    },
    removeItem: (key) => {
      const old = inner.getItem(key);
      inner.removeItem(key);
      if (old !== null) tell(key, old, null);
    },
  };
}

/** One page of the site: its instance (null until created) and window. */
function makeTab(name) {
  return {
    name,
    instance: null,
    window: null,
    // Whether its consent grants one of `purposes` (true for a destroyed
    // instance finishing a send it had started).
    allows(...purposes) {
      if (!this.instance) return true;
      let state;
      try { state = this.instance.consent.get(); } catch { return true; }
      return purposes.some((p) => state[p]);
    },
  };
}

function describeError(error) {
  return `${error?.constructor?.name}: ${String(error?.message ?? error).slice(0, 200)}`;
}

// Errors a call may throw: a TypeError for misuse, or what the argument
// itself threw. A TypeError of the engine's own (a property of undefined)
// is a bug in the SDK, not a refusal.
const ENGINE_TYPE_ERROR = /^Cannot |is not a function|is not iterable|is not a constructor|of (undefined|null)\b/;
function isAllowedThrow(error) {
  return (error instanceof TypeError && !ENGINE_TYPE_ERROR.test(error.message)) ||
      error instanceof ArgumentOwnError;
}

async function runSeed(seed) {
  const rnd = generator(seed);
  const clock = new Clock(Date.UTC(2026, 10, 23, 12) + rnd.int(1e9));
  const server = new FakeServer();
  const map = new Map();
  const rejections = [];
  const onRejection = (reason) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  const log = [];
  let violation = null;
  const fail = (message) => { violation ??= message; };
  const main = makeTab('the page');
  const other = makeTab('another tab');
  const tabs = [main, other];
  let instance = null;  // main.instance
  // Nothing stored but the consent record, and nothing sent, unless a purpose allows it.
  const sender = (tab) => (request) => {
    if (!tab.allows('analytics')) fail(`${tab.name} sent a signal without analytics consent`);
    return server.send(request);
  };
  const fetchArtifact = (tab) => async () => {
    if (!tab.allows('analytics', 'personalization')) fail(`${tab.name} fetched the artifact without consent`);
    const body = JSON.stringify(rnd.chance(0.7) ? baseArtifact : mutatedArtifact(rnd));
    return { ok: true, status: 200, headers: new Headers({ ETag: '"e"' }), text: async () => body };
  };
  const document = new FakeDocument();
  const slots = document.slots = [new FakeElement({ 'data-tessera-slot': 'hero' }), new FakeElement({ 'data-tessera-slot': 'nope' })];
  const warnings = [];
  const options = (tab = main) => pageOptions({
    map, server, clock, warnings, storage: tabStorage(map, tab, tabs, fail),
    transport: sender(tab), fetch: fetchArtifact(tab),
    artifact: rnd.chance(0.8) ? baseArtifact : objectArtifact(mutatedArtifact(rnd)),
    ...(rnd.chance(0.3) ? { artifactUrl: 'https://cdn.example/artifact' } : {}),
    document: tab === main ? document : new FakeDocument(), window: (tab.window = new FakeWindow()),
  });
  const start = async () => {
    instance = main.instance = null;
    const given = options();
    try {
      instance = await createTessera(given);
    } catch (error) {
      // An artifact option with no JSON form (a BigInt in it) is misuse.
      if (!(error instanceof TypeError) || given.artifact === baseArtifact) {
        throw new Error(`createTessera threw ${describeError(error)}`);
      }
      try {
        instance = await createTessera({ ...given, artifact: baseArtifact });
      } catch (again) {
        throw new Error(`createTessera threw ${describeError(again)} (first ${describeError(error)})`);
      }
    }
    main.instance = instance;
  };
  await start();
  const pending = [];
  const accepted = new Map();  // event name -> tracks that answered ok
  let nesting = 0;  // > 0 inside a reentrant listener's call
  let nestedCalls = 0;  // calls made by listeners: the outer call's counts then move more

  const actions = [
    [10, 'track', () => {
      const name = eventName(rnd);
      const props = properties(rnd);
      const before = instance.attributes().event;
      const nestedBefore = nestedCalls;
      const result = instance.track(name, props);
      if (result.ok) accepted.set(result.event.name, (accepted.get(result.event.name) ?? 0) + 1);
      if (result.ok && nestedCalls === nestedBefore) {
        const kept = result.event.name;  // as the core names it (hasOwnProperty -> has_own_property)
        const was = Object.hasOwn(before, kept) ? before[kept].count_all : undefined;
        const now = countAll(instance, kept);
        // Counted once: +1 on an event type already kept (a full table may turn a new one away).
        if (was !== undefined && now !== was + 1) fail(`accepted "${kept}" counted ${was} -> ${now}`);
        if (was === undefined && now !== undefined && now !== 1) fail(`new "${kept}" counted ${now}`);
      }
      return result;
    }],
    [3, 'page', () => {
      const result = instance.page(rnd.chance(0.5) ? undefined : properties(rnd));
      if (result.ok) accepted.set('page_view', (accepted.get('page_view') ?? 0) + 1);
      return result;
    }],
    [3, 'identify', () => instance.identify(rnd.chance(0.7) ? `u${rnd.int(5)}` : hostileValue(rnd),
        rnd.chance(0.5) ? { plan: 'pro', predicted_clv: rnd.int(1000) } : hostileValue(rnd))],
    [5, 'consent.set', () => {
      const update = rnd.chance(0.8)
        ? Object.fromEntries(['analytics', 'personalization', 'marketing', 'necessary']
            .filter(() => rnd.chance(0.6)).map((p) => [p, rnd.chance(0.6)]))
        : rnd.pick([hostileValue(rnd), { tcf: hostileValue(rnd) }, { gcm: hostileValue(rnd) },
          { analytics: 'yes' }, { policyVersion: hostileValue(rnd) }]);
      return instance.consent.set(update);
    }],
    [1, 'consent.onChange', () => instance.consent.onChange(rnd.chance(0.8) ? () => { throw new Error('listener'); } : hostileValue(rnd))],
    [2, 'attributes', () => instance.attributes()],
    [2, 'segments', () => instance.segments()],
    [3, 'decide', () => instance.decide(rnd.chance(0.6) ? 'hero' : hostileValue(rnd))],
    [2, 'decideAll', () => instance.decideAll()],
    [2, 'render', () => instance.render(rnd.chance(0.8) ? undefined : rnd.pick([slots[0], hostileValue(rnd)]))],
    [1, 'click', () => slots[0].click()],
    [3, 'flush', () => {
      // Not awaited here: the next steps (forget(), a withdrawal) may come mid-flush.
      pending.push(instance.flush(rnd.chance(0.3) ? { keepalive: true } : undefined));
    }],
    [2, 'forget', () => instance.forget()],
    [2, 'loadArtifact', () => instance.loadArtifact(rnd.chance(0.5) ? mutatedArtifact(rnd)
        : rnd.pick([baseArtifact, JSON.stringify(baseArtifact), hostileValue(rnd)]))],
    [2, 'setContext', () => instance.setContext(rnd.chance(0.5)
        ? { device: rnd.pick(['mobile', 'toaster', 7]), utcOffsetMinutes: rnd.pick([0, 60, 1e9, NaN, -0]), extra: hostileValue(rnd) }
        : hostileValue(rnd))],
    [1, 'on', () => instance.on(rnd.chance(0.7) ? rnd.pick(['track', 'error', 'signal', 'decision']) : hostileValue(rnd),
        rnd.chance(0.7) ? () => { throw new Error('listener'); } : hostileValue(rnd))],
    // A listener that calls the API back, while the SDK is inside a call.
    [2, 'reentrant listener', () => {
      const target = instance;
      target.on(rnd.pick(EVENT_NAMES), () => {
        if (nesting > 0 || target !== instance) return;
        const [, name, act] = chooseAction();
        if (!REENTRANT.has(name)) return;
        nesting += 1;
        nestedCalls += 1;
        try {
          log.push(`(in a listener: ${name})`);
          act();
        } catch (error) {
          if (!isAllowedThrow(error)) fail(`${name} in a listener threw ${describeError(error)}`);
        } finally {
          nesting -= 1;
        }
      });
    }],
    [1, 'debug', () => { instance.debug(hostileValue(rnd)); instance.debug(false); }],
    [3, 'clock', () => {
      if (rnd.chance(0.15)) clock.ms = rnd.pick([0, -86_400_000, 253402300799999, 253402300800000, 8.64e15]);
      else clock.advance(rnd.pick([-3_600_000, -86_400_000 * 40, 1000, 3_600_000, 86_400_000 * 100, 86_400_000 * 365 * 50]));
    }],
    [2, 'server', () => server.responses.push(rnd.pick([202, 500, 400, 429, 'offline', { status: 503, retryAfter: '1' }]))],
    [1, 'destroyed', async () => {
      instance.destroy();
      slots[0].click();  // a slot it filled: nobody counts, nothing traps
      assert.throws(() => instance.decide('hero'), TypeError);
      instance.destroy();
      await start();
    }],
    // Another page of the site, open beside this one on the same storage.
    [3, 'another tab', async () => {
      if (!other.instance) {
        other.instance = await createTessera({ ...options(other), artifact: baseArtifact });
        return;
      }
      const tab = other.instance;
      const choice = rnd.int(7);
      log.push(`(another tab: ${['consent', 'forget', 'track', 'flush', 'decide', 'destroy', 'identify'][choice]})`);
      switch (choice) {
        case 0: return tab.consent.set({ analytics: rnd.chance(0.5), personalization: rnd.chance(0.5) });
        case 1: return tab.forget();
        case 2: {
          const result = tab.track(rnd.pick(['page_view', 'add_to_cart', 'ev_1']), { value: rnd.int(100) });
          if (result.ok) accepted.set(result.event.name, (accepted.get(result.event.name) ?? 0) + 1);
          return result;
        }
        case 3: pending.push(tab.flush()); return undefined;
        case 4: return tab.decide('hero');
        case 5: tab.destroy(); other.instance = null; return undefined;
        default: return tab.identify('u1', { plan: 'pro' });
      }
    }],
    [1, 'page hidden', () => {
      document.visibilityState = 'hidden';
      document.dispatch('visibilitychange');
      document.visibilityState = 'visible';
    }],
    [1, 'online', () => main.window.dispatch('online')],
    [2, 'reload', async () => {
      // What was accepted and stored comes back on the next page (once the
      // other tab's changes, an erasure say, have been heard here).
      await tick();
      const stored = instance.storage.persistent && warnings.length === 0;
      const before = eventCounts(instance);
      instance.destroy();
      clock.advance(11_000);  // past the sending lease of the old page
      await start();
      const after = eventCounts(instance);
      // (Unless this page's artifact has a stricter policy: then nothing is read back.)
      if (stored && instance.storage.persistent && warnings.length === 0 &&
          JSON.stringify(after) !== JSON.stringify(before)) {
        fail(`counts before a reload ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
      }
    }],
  ];
  const totalWeight = actions.reduce((sum, [w]) => sum + w, 0);
  const chooseAction = () => {
    let r = rnd.int(totalWeight);
    for (const action of actions) if ((r -= action[0]) < 0) return action;
    return actions[0];
  };

  for (let step = 0; step < STEPS; step++) {
    const [, name, act] = chooseAction();
    const where = `seed ${seed} step ${step} (${name}); replay with TESSERA_FUZZ_FIRST_SEED=${seed} ` +
        `TESSERA_FUZZ_SEEDS=1 TESSERA_FUZZ_TRACE=1; steps: ${log.slice(-8).join(', ')}`;
    log.push(name);
    if (TRACE) console.log(`seed ${seed} step ${step}: ${name}`);
    try {
      const result = await act();
      if (result && typeof result === 'object' && 'ok' in result && typeof result.ok !== 'boolean') {
        fail(`${name} answered ${JSON.stringify(result)}`);
      }
    } catch (error) {
      if (TRACE) console.log(`  threw ${describeError(error)}`, TRACE === "stack" ? error?.stack : "");
      if (!isAllowedThrow(error)) {
        assert.fail(`${where}: ${name} threw ${describeError(error)}\n${error?.stack}`);
      }
      if (error instanceof TypeError && /wasm|unreachable|RuntimeError/i.test(error.message)) {
        assert.fail(`${where}: ${name} threw ${describeError(error)}`);
      }
    }
    // The instance still answers (a wasm trap throws a RuntimeError here).
    try {
      assert.equal(typeof instance.decide('hero').ok, 'boolean');
      assert.ok(Array.isArray(instance.segments()));
      assert.equal(typeof instance.consent.get().analytics, 'boolean');
      if (other.instance) assert.equal(typeof other.instance.decide('hero').ok, 'boolean');
    } catch (error) {
      assert.fail(`${where}: the instance no longer answers after ${name}: ${describeError(error)}\n${error?.stack}`);
    }
    if (rnd.chance(0.3)) {
      await tick();
      // A flush settles with a result, whatever happened meanwhile.
      for (const p of pending.splice(0)) {
        const result = await p.catch((error) => assert.fail(`${where}: flush rejected: ${describeError(error)}`));
        if (typeof result?.sent !== 'number') assert.fail(`${where}: flush resolved to ${JSON.stringify(result)}`);
      }
    }
    if (violation) assert.fail(`${where}: ${violation}`);
    if (rejections.length) assert.fail(`${where}: unhandled rejection ${describeError(rejections[0])}`);
  }
  await Promise.allSettled(pending);
  await tick();
  // Counted once: a signal id the server took twice carried the same body,
  // and no event type was sent more often than it was accepted.
  const bodies = new Map();
  const sent = {};
  for (const request of server.requests) {
    const body = new TextDecoder().decode(request.body);
    const signal = JSON.parse(body);
    if (bodies.has(signal.id)) {
      if (bodies.get(signal.id) !== body) fail(`signal ${signal.id} was sent with two bodies`);
      continue;
    }
    bodies.set(signal.id, body);
    for (const [name, agg] of Object.entries(signal.agg ?? {})) sent[name] = (sent[name] ?? 0) + agg.n;
  }
  for (const [name, n] of Object.entries(sent)) {
    if (n > (accepted.get(name) ?? 0)) fail(`"${name}" sent ${n} times, accepted ${accepted.get(name) ?? 0}`);
  }
  process.off('unhandledRejection', onRejection);
  if (rejections.length) assert.fail(`seed ${seed}: unhandled rejection ${describeError(rejections[0])}`);
  if (violation) assert.fail(`seed ${seed}: ${violation}`);
  instance.destroy();
  other.instance?.destroy();
}

/** count_all of each event type the profile keeps. */
function eventCounts(instance) {
  return Object.fromEntries(Object.entries(instance.attributes().event)
      .map(([name, summary]) => [name, summary.count_all]).filter(([, n]) => n > 0).sort());
}

function countAll(instance, name) {
  const events = instance.attributes().event;
  return Object.hasOwn(events, name) ? events[name].count_all : undefined;
}

// The SDK logs what listeners throw and what debug() shows: expected here.
function quietConsole(t) {
  for (const name of ['error', 'debug', 'warn']) t.mock.method(console, name, () => {});
}

test(`the API survives hostile call sequences (seeds ${FIRST_SEED}..${FIRST_SEED + SEEDS - 1}, ${STEPS} steps each)`, async (t) => {
  quietConsole(t);
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    await runSeed(seed);
    assert.ok(wasmBytes() <= MAX_WASM_BYTES, `seed ${seed}: wasm memory grew to ${wasmBytes()} bytes`);
    if ((seed - FIRST_SEED + 1) % 100 === 0) console.log(`api-fuzz: ${seed - FIRST_SEED + 1} seeds, wasm memory ${wasmBytes()} bytes`);
  }
  console.log(`api-fuzz: ${SEEDS} seeds, wasm memory ${wasmBytes()} bytes`);
});

test('the pure helpers refuse hostile arguments with TypeErrors and keep answering', async () => {
  const core = await loadCore();
  const rnd = generator(7);
  for (let i = 0; i < 200; i++) {
    const calls = [
      () => core.evalCondition(hostileValue(rnd), hostileValue(rnd), rnd.chance(0.5) ? undefined : hostileValue(rnd)),
      () => core.evalCondition({ a: hostileValue(rnd) }, { a: hostileValue(rnd) }),
      () => core.hash(hostileValue(rnd), hostileString(rnd), rnd.pick([1, 2, 3, NaN, 2 ** 40, -1])),
      () => core.renderTemplate(rnd.chance(0.5) ? '{{#a}}{{b}}{{/a}}{{>p}}' : hostileString(rnd),
          hostileValue(rnd), rnd.chance(0.5) ? undefined : hostileValue(rnd)),
    ];
    const index = rnd.int(calls.length);
    try {
      calls[index]();
    } catch (error) {
      // A template that does not parse is a SyntaxError, as in mustache.js.
      const allowed = isAllowedThrow(error) || (index === 3 && error instanceof SyntaxError);
      assert.ok(allowed, `helper call ${i} (${index}) threw ${describeError(error)}`);
    }
    assert.equal(core.evalCondition({ a: 1 }, { a: 1 }), true, `helper call ${i} (${index}) broke the core`);
  }
  assert.ok(wasmBytes() <= MAX_WASM_BYTES);
});
