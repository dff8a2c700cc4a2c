// Bytes on the wire for one 100-event shopping session (80 page views, 19
// add-to-carts, one purchase; see shoppingSession in fixtures.mjs):
// Tessera's signals, as its transport sends them, against the real
// @segment/analytics-next sending the same calls to api.segment.io.
//
//   node bench/js/bytes.bench.mjs
//
// Counted: HTTP request bodies (what each SDK hands to fetch), in bytes.
// Not counted, on either side: headers, TLS, the SDK download itself.
//
// Tessera: createTessera with the demo artifact (docs/examples/artifact.json),
// consent granted before the first event, page() + render() of the page's two
// slots on each page view (so impressions and the experiment exposure are in
// the signals), track() for the rest. The injected clock follows the
// session; flushes happen where the SDK makes them: every 5 min (its default
// flushIntervalMs, driven here from the injected clock instead of a real
// timer) and once when the page is hidden. Also shown: shorter intervals and
// a single flush at page hide. CBOR (the default) and JSON.
//
// Segment: AnalyticsBrowser.load() in Node with a minimal DOM
// (segment-capture.mjs), settings given inline, fetch replaced to capture
// bodies and answer 200. Batching delivery (`deliveryStrategy: batching`,
// its default size 10 / 5 s: bodies to /v1/b) and the default delivery (one
// request per event to /v1/p and /v1/t).
import { readFileSync } from 'node:fs';
import { createTessera, memoryBackend } from '../../js-wrapper/src/index.js';
import { shoppingSession } from './fixtures.mjs';
import { installBrowserShim, captureFetch } from './segment-capture.mjs';

const WRITE_KEY = 'wk_3f9a1c77e20b4d5f8a6c';
const DEFAULT_FLUSH_INTERVAL_MS = 300_000;  // instance.js: options.flushIntervalMs ?? 300_000
const steps = shoppingSession();
const demoArtifact = JSON.parse(readFileSync(new URL('../../docs/examples/artifact.json', import.meta.url)));

// The visitor id is random, and it picks the visitor's arm of the demo
// artifact's experiment, which changes the signals by several percent. Seeded
// random bytes (the same visitor in every Tessera run) keep the counts
// reproducible; ids keep their real length.
function seedRandom(seed) {
  let state = seed >>> 0;
  globalThis.crypto.getRandomValues = (array) => {
    for (let i = 0; i < array.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      array[i] = state >>> 24;
    }
    return array;
  };
}

// ---- Tessera -------------------------------------------------------------------
function pageFakes() {
  const listeners = {};
  const slot = (id) => {
    const attributes = new Map([['data-tessera-slot', id]]);
    return {
      innerHTML: '',
      getAttribute: (n) => (attributes.has(n) ? attributes.get(n) : null),
      setAttribute: (n, v) => attributes.set(n, String(v)),
      hasAttribute: (n) => attributes.has(n),
      addEventListener() {},
    };
  };
  const slots = [slot('hero'), slot('home-banner')];
  const doc = {
    title: '', referrer: '', visibilityState: 'visible',
    querySelectorAll: (s) => (s === '[data-tessera-slot]' ? slots : []),
    addEventListener: (t, fn) => { (listeners[t] ??= []).push(fn); },
    removeEventListener() {},
  };
  const win = {
    location: new URL('https://shop.example/'), navigator: {},
    addEventListener() {}, removeEventListener() {},
  };
  const hide = () => {
    doc.visibilityState = 'hidden';
    for (const fn of listeners.visibilitychange ?? []) fn({});
  };
  return { doc, win, hide };
}

async function tesseraSession(format, intervalMs) {
  seedRandom(20261123);
  const clock = { ms: steps[0].atMs - 2_000 };
  const bodies = [];
  const { doc, win, hide } = pageFakes();
  const tessera = await createTessera({
    site: 'demo', endpoint: 'https://collect.shop.example', writeKey: WRITE_KEY,
    artifact: demoArtifact, storage: memoryBackend(), format,
    transport: async ({ body }) => { bodies.push(body.length); return { status: 202, retryAfter: null }; },
    beacon: () => false, now: () => clock.ms, random: () => 0.5,
    flushIntervalMs: 0, spa: false, window: win, document: doc, warn: () => {},
  });
  if (tessera.disabled) throw new Error('the wasm core did not load (run the wasm build first)');
  tessera.consent.set({ analytics: true, personalization: true, marketing: false });
  let nextTick = intervalMs ? clock.ms + intervalMs : Infinity;
  for (const step of steps) {
    while (nextTick <= step.atMs) {
      clock.ms = nextTick;
      await tessera.flush();
      nextTick += intervalMs;
    }
    clock.ms = step.atMs;
    let result;
    if (step.kind === 'page') {
      win.location = new URL(step.url);
      doc.title = step.title;
      doc.referrer = step.referrer;
      result = tessera.page(step.properties);
      tessera.render(doc);
    } else {
      result = tessera.track(step.name, step.properties);
    }
    if (!result.ok) throw new Error(`tessera rejected ${step.name ?? 'page'}: ${result.error.message}`);
  }
  clock.ms += 5_000;
  hide();  // the SDK's own visibilitychange handler flushes with keepalive
  await tessera.flush();
  tessera.destroy();
  return { requests: bodies.length, bytes: bodies.reduce((a, b) => a + b, 0) };
}

// One JSON signal, for the record of what is in it.
async function sampleSignal() {
  const { doc, win } = pageFakes();
  const clock = { ms: steps[0].atMs };
  let last = null;
  const tessera = await createTessera({
    site: 'demo', endpoint: 'https://collect.shop.example', writeKey: WRITE_KEY,
    artifact: demoArtifact, storage: memoryBackend(), format: 'json',
    transport: async ({ body }) => { last = new TextDecoder().decode(body); return { status: 202 }; },
    now: () => clock.ms, flushIntervalMs: 0, spa: false, window: win, document: doc,
  });
  tessera.consent.set({ analytics: true, personalization: true, marketing: false });
  for (const step of steps.slice(0, 4)) {
    clock.ms = step.atMs;
    if (step.kind === 'page') { win.location = new URL(step.url); tessera.page(step.properties); tessera.render(doc); }
    else tessera.track(step.name, step.properties);
  }
  await tessera.flush();
  tessera.destroy();
  return last;
}

const DEFAULT = 'cbor, every 5 min + at hide (SDK default)';
const tessera = {
  [DEFAULT]: await tesseraSession('cbor', DEFAULT_FLUSH_INTERVAL_MS),
  'json, every 5 min + at hide': await tesseraSession('json', DEFAULT_FLUSH_INTERVAL_MS),
  'cbor, every 15 s + at hide': await tesseraSession('cbor', 15_000),
  'cbor, every 60 s + at hide': await tesseraSession('cbor', 60_000),
  'cbor, once at hide': await tesseraSession('cbor', 0),
  'json, once at hide': await tesseraSession('json', 0),
};
const signalExample = await sampleSignal();

// ---- Segment analytics-next ---------------------------------------------------
const page = installBrowserShim();
const captured = captureFetch();
const { AnalyticsBrowser } = await import('@segment/analytics-next');
const { version: segmentVersion } = JSON.parse(readFileSync(
    new URL('./node_modules/@segment/analytics-next/package.json', import.meta.url)));

async function segmentSession(segmentSettings) {
  captured.length = 0;
  const [analytics] = await AnalyticsBrowser.load({
    writeKey: WRITE_KEY,
    cdnSettings: { integrations: { 'Segment.io': { apiKey: WRITE_KEY } } },
  }, { integrations: { 'Segment.io': segmentSettings } });
  for (const step of steps) {
    page.navigate(step.url, step.title, step.referrer);
    if (step.kind === 'page') await analytics.page(step.properties);
    else await analytics.track(step.name, step.properties);
  }
  page.hide();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const requests = captured.filter((r) => r.url.startsWith('https://api.segment.io/'));
  const events = requests.reduce((n, r) => n + (JSON.parse(r.body).batch?.length ?? 1), 0);
  return {
    requests: requests.length, events,
    bytes: requests.reduce((n, r) => n + Buffer.byteLength(r.body), 0),
    paths: [...new Set(requests.map((r) => new URL(r.url).pathname))].join(' '),
    example: requests.find((r) => r.url.endsWith('/t'))?.body,
  };
}

const segment = {
  'batching (size 10, 5 s)': await segmentSession({
    deliveryStrategy: { strategy: 'batching', config: { size: 10, timeout: 5000 } },
  }),
  'default (one request per event)': await segmentSession({}),
};

// ---- report -----------------------------------------------------------------------
const counts = steps.reduce((c, s) => ({ ...c, [s.name ?? 'page_view']: (c[s.name ?? 'page_view'] ?? 0) + 1 }), {});
const minutes = ((steps.at(-1).atMs - steps[0].atMs) / 60_000).toFixed(1);
console.log(`Bytes benchmark: ${steps.length} events (${JSON.stringify(counts)}) over ${minutes} min; ` +
    `@segment/analytics-next ${segmentVersion}; node ${process.version}`);
console.log('');
console.log('| sender | requests | request body bytes |');
console.log('|---|---|---|');
for (const [name, r] of Object.entries(tessera)) {
  console.log(`| Tessera signals, ${name} | ${r.requests} | ${r.bytes} |`);
}
for (const [name, r] of Object.entries(segment)) {
  if (r.events !== steps.length) {
    console.error(`Segment ${name} sent ${r.events} events, expected ${steps.length}`);
    process.exit(1);
  }
  console.log(`| Segment analytics-next, ${name} (${r.paths}) | ${r.requests} | ${r.bytes} |`);
}
console.log('');
const headline = segment['batching (size 10, 5 s)'].bytes / tessera[DEFAULT].bytes;
for (const [tName, t] of Object.entries(tessera)) {
  const ratios = Object.entries(segment).map(([sName, s]) => `${(s.bytes / t.bytes).toFixed(1)}× vs ${sName}`);
  console.log(`Segment ÷ Tessera (${tName}): ${ratios.join(', ')}`);
}
console.log(`Headline (SDK defaults: CBOR, 5 min interval; Segment batching): ${headline.toFixed(1)}× fewer bytes. ` +
    `Target ≥ 20×: ${headline >= 20 ? 'met' : 'NOT met'}.`);
if (process.argv.includes('--examples')) {
  console.log('\nOne Tessera JSON signal (after the first 4 events):\n' + signalExample);
  console.log('\nOne Segment track body:\n' + segment['default (one request per event)'].example);
}
// analytics-next keeps timers (retry queue, flush interval) alive.
process.exit(0);
