// artifactUrl with a stored copy: a returning visitor's page is decided from
// the copy at once, and the request only revalidates it (stale-while-
// revalidate), so first render never waits for the network.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { freshnessMs } from '../src/instance.js';
import { artifact, Clock, FakeDocument, FakeServer, FakeWindow, tick } from './helpers.js';

const URL_ = 'https://cdn.example/artifact.json';
const grantAll = { analytics: true, personalization: true };

// The same artifact with another version and another default hero.
const updated = structuredClone(artifact);
updated.version = 'sdk-test-2';
updated.slots[0].variants[2].template = '<h2>Winter Sale</h2>';

/** A fetch whose answer the test gives later; records each request. */
function pendingFetch() {
  const calls = [];
  const fetch = (url, init) => new Promise((resolve, reject) => {
    calls.push({ url, headers: init.headers, resolve, reject });
  });
  return { calls, fetch };
}

function options(map, fetch, heard) {
  return {
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test',
    artifactUrl: URL_, fetch, storage: memoryBackend(map),
    transport: new FakeServer().send, now: new Clock().now, random: () => 0.5,
    format: 'json', flushIntervalMs: 0, window: new FakeWindow(), document: new FakeDocument(),
    warn: () => {},
    on: { artifact: (detail) => heard.push(detail.version), error: (error) => heard.push(error.code) },
  };
}

/** A visitor's first page: consent given, the artifact fetched and stored. */
async function firstVisit() {
  const map = new Map();
  const heard = [];
  const t = await createTessera(options(map, async () =>
    new Response(JSON.stringify(artifact), { headers: { ETag: '"a1"' } }), heard));
  t.consent.set(grantAll);
  for (let i = 0; i < 5 && heard.length === 0; i++) await tick();
  assert.deepEqual(heard, ['sdk-test-1']);
  t.destroy();
  return map;
}

test('a stored artifact decides the page before the request answers; 304 keeps it quietly', async () => {
  const map = await firstVisit();
  const { calls, fetch } = pendingFetch();
  const heard = [];
  // Resolves although the request below is still unanswered.
  const t = await createTessera(options(map, fetch, heard));
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].headers, { 'If-None-Match': '"a1"' });
  assert.deepEqual(heard, ['sdk-test-1']);
  assert.equal(t.decide('hero').html, '<h2>Standard Promotion</h2>');

  calls[0].resolve(new Response(null, { status: 304 }));
  await tick();
  await tick();
  assert.deepEqual(heard, ['sdk-test-1'], 'unchanged: no second artifact event');
  assert.equal(t.decide('hero').html, '<h2>Standard Promotion</h2>');
  t.destroy();
});

test('a changed artifact replaces the stored one when it arrives, and is announced', async () => {
  const map = await firstVisit();
  const { calls, fetch } = pendingFetch();
  const heard = [];
  const t = await createTessera(options(map, fetch, heard));
  calls[0].resolve(new Response(JSON.stringify(updated), { headers: { ETag: '"b2"' } }));
  for (let i = 0; i < 5 && heard.length < 2; i++) await tick();
  assert.deepEqual(heard, ['sdk-test-1', 'sdk-test-2']);
  assert.equal(t.decide('hero').html, '<h2>Winter Sale</h2>');
  t.destroy();

  // The next page starts from the new copy and revalidates its ETag.
  const next = pendingFetch();
  const again = [];
  const t2 = await createTessera(options(map, next.fetch, again));
  assert.deepEqual(again, ['sdk-test-2']);
  assert.deepEqual(next.calls[0].headers, { 'If-None-Match': '"b2"' });
  t2.destroy();
});

test('offline, the stored artifact stays and the failure is reported', async () => {
  const map = await firstVisit();
  const { calls, fetch } = pendingFetch();
  const heard = [];
  const t = await createTessera(options(map, fetch, heard));
  calls[0].reject(new TypeError('Failed to fetch'));
  for (let i = 0; i < 5 && heard.length < 2; i++) await tick();
  assert.deepEqual(heard, ['sdk-test-1', 'artifact_unavailable']);
  assert.equal(t.decide('hero').html, '<h2>Standard Promotion</h2>');
  t.destroy();
});

test('a damaged stored copy is not revalidated: the request asks for the whole artifact', async () => {
  const map = await firstVisit();
  const key = [...map.keys()].find((k) => k.endsWith('artifact'));
  assert.ok(key, 'the first visit stored the artifact');
  map.set(key, '{"schema_version": 1, "site": "demo", "segm');
  const { calls, fetch } = pendingFetch();
  const heard = [];
  const starting = createTessera(options(map, fetch, heard));
  await tick();
  assert.equal(calls.length, 1);
  assert.deepEqual(calls[0].headers, {}, 'no If-None-Match for a copy that did not load');
  calls[0].resolve(new Response(JSON.stringify(artifact), { headers: { ETag: '"a1"' } }));
  const t = await starting;
  assert.deepEqual(heard, ['invalid_artifact', 'sdk-test-1']);
  assert.equal(t.decide('hero').html, '<h2>Standard Promotion</h2>');
  t.destroy();
});

test('a damaged stored copy is reset with a warning even when the request fails', async () => {
  const map = await firstVisit();
  const key = [...map.keys()].find((k) => k.endsWith(':artifact'));
  map.set(key, '{"schema_version": 1, "site": "demo", "segm');
  const { calls, fetch } = pendingFetch();
  const warnings = [];
  const starting = createTessera({ ...options(map, fetch, []), warn: (w) => warnings.push(w) });
  await tick();
  assert.deepEqual(warnings, ['tessera: the stored artifact was unreadable and has been reset']);
  assert.deepEqual([...map.keys()].filter((k) => k.includes(':artifact')), []);
  calls[0].reject(new TypeError('Failed to fetch'));
  (await starting).destroy();
});

test('while the stored copy is fresh (Cache-Control max-age) no request is made', async () => {
  const map = new Map();
  const clock = new Clock();
  const calls = [];
  const answers = [];
  const fetch = async (url, init) => {
    calls.push(init.headers);
    return answers.shift();
  };
  const visit = async () => {
    const heard = [];
    const t = await createTessera({ ...options(map, fetch, heard), now: clock.now });
    t.consent.set(grantAll);
    await tick();
    await tick();
    t.destroy();
    return heard;
  };
  answers.push(new Response(JSON.stringify(artifact),
      { headers: { ETag: '"a1"', 'Cache-Control': 'public, max-age=60' } }));
  assert.deepEqual(await visit(), ['sdk-test-1']);
  assert.equal(calls.length, 1);

  clock.advance(59_000);
  assert.deepEqual(await visit(), ['sdk-test-1'], 'decided from the fresh copy');
  assert.equal(calls.length, 1, 'without asking the server');

  clock.advance(2_000);  // stale now: revalidated, and fresh for 60 s again
  answers.push(new Response(null, { status: 304, headers: { 'Cache-Control': 'max-age=60' } }));
  await visit();
  assert.deepEqual(calls[1], { 'If-None-Match': '"a1"' });
  clock.advance(30_000);
  await visit();
  assert.equal(calls.length, 2);

  // A stored freshness past a day from now is damaged: it is not believed.
  const freshKey = [...map.keys()].find((k) => k.endsWith(':artifact-fresh-until'));
  map.set(freshKey, String(9e15));
  answers.push(new Response(null, { status: 304, headers: { 'Cache-Control': 'max-age=60' } }));
  await visit();
  assert.equal(calls.length, 3, 'revalidated');
});

test('Cache-Control freshness: max-age in seconds, no-cache and no-store none, a day at most', () => {
  const cases = [
    ['public, max-age=60', 60_000], ['max-age=0', 0], ['MAX-AGE = 5', 5_000],
    ['max-age="7"', 7_000], ['no-cache, max-age=60', 0], ['max-age=60, no-store', 0],
    ['s-maxage=60', 0], ['private', 0], [null, 0], ['', 0], ['max-age=31536000', 86_400_000],
  ];
  for (const [header, expected] of cases) assert.equal(freshnessMs(header), expected, String(header));
});
