// The artifact's `signals` settings (flush interval, format, endpoint, request
// cap) drive the instance unless the page set the matching option, and the
// 'artifact' event reports every artifact the core accepts. Timers are
// node:test's mock timers; the clock and the transport are injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { artifact, Clock, FakeServer, FakeDocument, FakeWindow, tick } from './helpers.js';

const grantAll = { analytics: true, personalization: true, marketing: false };

function withSignals(signals, version = 'signals-1') {
  return { ...artifact, version, signals };
}

// Like instance.test.js's setup, but leaves format and flushIntervalMs to
// the artifact unless a test sets them.
function setup(extra = {}) {
  const server = new FakeServer();
  const errors = [];
  const options = {
    site: 'demo',
    endpoint: 'https://collect.example',
    writeKey: 'wk_test',
    storage: memoryBackend(),
    transport: server.send,
    now: new Clock().now,
    random: () => 0.5,
    window: new FakeWindow(),
    document: new FakeDocument(),
    warn: () => {},
    on: { error: (error) => errors.push(error) },
    ...extra,
  };
  return { options, server, errors };
}

function decode(request) {
  return new TextDecoder().decode(request.body);
}

async function settle() {
  for (let i = 0; i < 5; i++) await tick();
}

test('the flush interval comes from the artifact and is re-armed by a new one', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const { options, server } = setup({ artifact: withSignals({ flushIntervalMs: 5000, format: 'json' }) });
  const instance = await createTessera(options);
  instance.consent.set(grantAll);
  instance.page();
  t.mock.timers.tick(4999);
  await settle();
  assert.equal(server.requests.length, 0, 'not before 5 s');
  t.mock.timers.tick(1);
  await settle();
  assert.equal(server.requests.length, 1, 'flushed by the artifact\'s 5 s timer');

  // A new artifact with another interval replaces the timer.
  assert.equal(instance.loadArtifact(withSignals({ flushIntervalMs: 20_000, format: 'json' }, 'signals-2')).ok, true);
  instance.page();
  t.mock.timers.tick(10_000);
  await settle();
  assert.equal(server.requests.length, 1, 'the 5 s timer is gone');
  t.mock.timers.tick(10_000);
  await settle();
  assert.equal(server.requests.length, 2, 'flushed by the 20 s timer');

  // The same interval again leaves the running timer alone.
  instance.page();
  t.mock.timers.tick(15_000);
  assert.equal(instance.loadArtifact(withSignals({ flushIntervalMs: 20_000, format: 'json' }, 'signals-3')).ok, true);
  t.mock.timers.tick(5000);
  await settle();
  assert.equal(server.requests.length, 3, 'reloading the same settings does not postpone the flush');
  instance.destroy();
});

test('the artifact interval applies to an artifact fetched after consent', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const body = JSON.stringify(withSignals({ flushIntervalMs: 2000, format: 'json' }));
  const { options, server } = setup({
    artifactUrl: 'https://cdn.example/artifact.json',
    fetch: async () => new Response(body, { headers: { ETag: '"a1"' } }),
  });
  const instance = await createTessera(options);
  instance.consent.set(grantAll);
  await settle();
  instance.page();
  t.mock.timers.tick(2000);
  await settle();
  assert.equal(server.requests.length, 1);
  instance.destroy();
});

test('the page\'s flushIntervalMs wins over the artifact\'s', async (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const signals = { flushIntervalMs: 5000, format: 'json' };
  const { options, server } = setup({ artifact: withSignals(signals), flushIntervalMs: 7000 });
  const instance = await createTessera(options);
  instance.consent.set(grantAll);
  instance.page();
  t.mock.timers.tick(6999);
  await settle();
  assert.equal(server.requests.length, 0, 'the artifact\'s 5 s is ignored');
  t.mock.timers.tick(1);
  await settle();
  assert.equal(server.requests.length, 1);
  instance.destroy();

  const off = setup({ artifact: withSignals(signals), flushIntervalMs: 0 });
  const quiet = await createTessera(off.options);
  quiet.consent.set(grantAll);
  quiet.page();
  t.mock.timers.tick(3_600_000);
  await settle();
  assert.equal(off.server.requests.length, 0, 'flushIntervalMs: 0 keeps the timer off');
  quiet.destroy();
});

test('the body format comes from the artifact unless the page sets one', async () => {
  const cases = [
    { signals: { format: 'json' }, page: undefined, type: 'application/json' },
    { signals: { format: 'cbor' }, page: undefined, type: 'application/cbor' },
    { signals: {}, page: undefined, type: 'application/cbor' },
    { signals: { format: 'cbor' }, page: 'json', type: 'application/json' },
    { signals: { format: 'json' }, page: 'cbor', type: 'application/cbor' },
  ];
  for (const { signals, page, type } of cases) {
    // FakeServer reads JSON bodies only: this transport just records.
    const requests = [];
    const transport = async (request) => { requests.push(request); return { status: 202 }; };
    const { options } = setup({ artifact: withSignals(signals), format: page, flushIntervalMs: 0, transport });
    const instance = await createTessera(options);
    instance.consent.set(grantAll);
    instance.page();
    assert.equal((await instance.flush()).sent, 1);
    const [request] = requests;
    const label = `artifact ${JSON.stringify(signals)}, page ${page}`;
    assert.equal(request.contentType, type, label);
    if (type === 'application/json') {
      assert.equal(JSON.parse(decode(request)).site, 'demo', label);
    } else {
      assert.throws(() => JSON.parse(decode(request)), SyntaxError, `${label}: not JSON`);
      assert.equal(request.body[0] >> 5, 5, `${label}: a CBOR map`);
    }
    instance.destroy();
  }
});

test('the signals endpoint: a path joins the page\'s base, a URL replaces it', async () => {
  const cases = [
    { signals: {}, url: 'https://collect.example/v1/signals?key=wk_test' },
    { signals: { endpoint: '/collect/s' }, url: 'https://collect.example/collect/s?key=wk_test' },
    { signals: { endpoint: '/v1/signals' }, endpoint: 'https://shop.example/api/',
      url: 'https://shop.example/api/v1/signals?key=wk_test' },
    { signals: { endpoint: 'https://eu.collect.example/in?src=web' },
      url: 'https://eu.collect.example/in?src=web&key=wk_test' },
  ];
  for (const { signals, url, endpoint = 'https://collect.example' } of cases) {
    const { options, server } = setup({ artifact: withSignals({ ...signals, format: 'json' }),
      endpoint, flushIntervalMs: 0 });
    const instance = await createTessera(options);
    instance.consent.set(grantAll);
    instance.page();
    await instance.flush();
    assert.equal(server.requests[0]?.url, url, JSON.stringify(signals));
    instance.destroy();
  }

  // Without an endpoint on the page the artifact cannot turn sending on.
  const { options, server } = setup({
    artifact: withSignals({ endpoint: 'https://eu.collect.example/in', format: 'json' }),
    endpoint: undefined, writeKey: undefined, flushIntervalMs: 0,
  });
  const instance = await createTessera(options);
  instance.consent.set(grantAll);
  instance.page();
  assert.deepEqual(await instance.flush(), { sent: 0, failed: 0, queued: 0 });
  assert.equal(server.requests.length, 0);
  instance.destroy();
});

test('a signal over the artifact\'s maxBatchBytes goes out in parts, each within it', async () => {
  const { options, server, errors } = setup({
    artifact: withSignals({ maxBatchBytes: 1024, format: 'json' }), flushIntervalMs: 0,
  });
  const instance = await createTessera(options);
  instance.consent.set(grantAll);
  for (let i = 0; i < 40; i++) assert.equal(instance.track(`custom_event_${i}`, {}).ok, true);
  const result = await instance.flush();
  assert.ok(result.sent >= 2, JSON.stringify(result));
  assert.equal(result.queued, 0);
  assert.deepEqual(errors, []);
  assert.ok(server.requests.every((r) => r.body.length <= 1024));
  const signals = server.signals();
  assert.equal(new Set(signals.map((s) => s.id)).size, signals.length, 'each part its own id');
  assert.deepEqual(signals.map((s) => s.seq), signals.map((_, i) => i + 1));
  const counted = signals.flatMap((s) => Object.entries(s.agg ?? {}))
    .filter(([name]) => name.startsWith('custom_event_'))
    .reduce((sum, [, aggregate]) => sum + aggregate.n, 0);
  assert.equal(counted, 40, 'every event counted once across the parts');
  instance.destroy();
});

test('\'artifact\' fires for the initial load, the fetch after consent and loadArtifact', async () => {
  const seen = [];
  const body = JSON.stringify({ ...artifact, version: 42 });
  const { options } = setup({
    artifact: withSignals({}, 'inline-1'),
    artifactUrl: 'https://cdn.example/artifact.json',
    fetch: async () => new Response(body),
    flushIntervalMs: 0,
    on: { artifact: (detail) => seen.push(['early', detail]) },
  });
  const instance = await createTessera(options);
  assert.deepEqual(seen, [['early', { version: 'inline-1' }]], 'the initial load, heard through options.on');

  const off = instance.on('artifact', (detail) => seen.push(['late', detail]));
  instance.consent.set(grantAll);  // fetches artifactUrl
  await settle();
  assert.deepEqual(seen.slice(1), [['early', { version: '42' }], ['late', { version: '42' }]],
      'an integer version comes as its decimal text');

  seen.length = 0;
  assert.equal(instance.loadArtifact(JSON.stringify(withSignals({}, 'text-3'))).ok, true);
  off();
  assert.equal(instance.loadArtifact(withSignals({}, 'object-4')).ok, true);
  assert.deepEqual(seen, [['early', { version: 'text-3' }], ['late', { version: 'text-3' }],
    ['early', { version: 'object-4' }]]);

  // A refused artifact: 'error', no 'artifact', and the settings stay.
  seen.length = 0;
  assert.equal(instance.loadArtifact({ ...artifact, signals: { format: 'xml' } }).ok, false);
  assert.deepEqual(seen, []);
  assert.equal(instance.decide('hero').ok, true);
  instance.destroy();
});

test('bad on / flushIntervalMs options are TypeErrors', async () => {
  await assert.rejects(createTessera({ site: 'demo', on: { artifact: 'nope' } }),
      { name: 'TypeError', message: /on\.artifact must be a function/ });
  await assert.rejects(createTessera({ site: 'demo', on: [() => {}] }),
      { name: 'TypeError', message: /on must be an object/ });
  await assert.rejects(createTessera({ site: 'demo', flushIntervalMs: -1 }),
      { name: 'TypeError', message: /flushIntervalMs/ });
});
