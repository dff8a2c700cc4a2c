// Requests the server takes and never answers: a signal send is abandoned
// after requestTimeoutMs and retried with backoff (the queue is not held for
// good), and the artifact request reports 'artifact_unavailable'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { artifact, Clock, FakeDocument, FakeServer, FakeWindow, tick } from './helpers.js';

const grantAll = { analytics: true, personalization: true };

function options(extra) {
  return {
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test', artifact,
    storage: memoryBackend(), random: () => 0.5, format: 'json', flushIntervalMs: 0,
    window: new FakeWindow(), document: new FakeDocument(), warn: () => {}, ...extra,
  };
}

test('an unanswered signal send is abandoned after requestTimeoutMs, then retried once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const server = new FakeServer();
  server.responses.push('silent');
  const clock = new Clock();
  const retries = [];
  const instance = await createTessera(options({
    transport: server.send, now: clock.now, requestTimeoutMs: 5000,
    on: { retry: (detail) => retries.push(detail) },
  }));
  instance.consent.set(grantAll);
  instance.page();
  const flushing = instance.flush();
  await tick();
  assert.equal(server.requests.length, 1);
  t.mock.timers.tick(4999);
  await tick();
  assert.equal(retries.length, 0, 'still waiting');
  t.mock.timers.tick(1);
  assert.deepEqual(await flushing, { sent: 0, failed: 0, queued: 1 });
  assert.equal(server.requests[0].signal.aborted, true, 'the request was aborted');
  assert.match(retries[0].reason, /had no answer within 5000 ms/);

  clock.advance(retries[0].delayMs);
  assert.deepEqual(await instance.flush(), { sent: 1, failed: 0, queued: 0 });
  assert.deepEqual([...server.received.values()], [1]);
  instance.destroy();
});

test('an unanswered artifact request ends in artifact_unavailable; the page keeps its artifact', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let init;
  const errors = [];
  const instance = await createTessera(options({
    transport: new FakeServer().send, now: new Clock().now,
    artifactUrl: 'https://cdn.example/artifact.json',
    fetch: (url, given) => { init = given; return new Promise(() => {}); },
    on: { error: (error) => errors.push(error) },
  }));
  instance.consent.set(grantAll);  // fetches the artifact
  await tick();
  assert.ok(init, 'requested');
  t.mock.timers.tick(10_000);  // the default timeout
  await tick();
  await tick();
  assert.deepEqual(errors, [{ code: 'artifact_unavailable',
    message: 'the artifact request had no answer within 10000 ms' }]);
  assert.equal(init.signal.aborted, true);
  assert.equal(instance.decide('hero').html, '<h2>Standard Promotion</h2>');
  instance.destroy();
});

test('an artifact whose body never comes is abandoned too', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const errors = [];
  const instance = await createTessera(options({
    transport: new FakeServer().send, now: new Clock().now, requestTimeoutMs: 3000,
    artifactUrl: 'https://cdn.example/artifact.json',
    // Headers at once, then a body that never ends.
    fetch: async () => new Response(new ReadableStream({ start() {} })),
    on: { error: (error) => errors.push(error.message) },
  }));
  instance.consent.set(grantAll);
  for (let i = 0; i < 5; i++) await tick();
  t.mock.timers.tick(3000);
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(errors, ['the artifact request had no answer within 3000 ms']);
  instance.destroy();
});

test('requestTimeoutMs must be a positive number', async () => {
  for (const bad of [0, -1, Infinity, '5000']) {
    await assert.rejects(createTessera(options({ requestTimeoutMs: bad })),
        { name: 'TypeError', message: 'createTessera: requestTimeoutMs must be a number > 0 and < 2^31' });
  }
});

test('a send still in flight in one page is not repeated by the next; once abandoned it is', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const map = new Map();
  const server = new FakeServer();
  server.responses.push('silent');
  const clock = new Clock();
  const page = (document) => createTessera(options({
    storage: memoryBackend(map), transport: server.send, now: clock.now, document,
  }));
  const leavingDocument = new FakeDocument();
  const leaving = await page(leavingDocument);
  leaving.consent.set(grantAll);
  leaving.page();
  // The visitor moves on while the first page's signal is unanswered.
  leavingDocument.visibilityState = 'hidden';
  leavingDocument.dispatch('visibilitychange');
  await tick();
  const idOf = (request) => server.idOf(request);
  const inFlight = idOf(server.requests[0]);

  const next = await page(new FakeDocument());
  next.page();
  clock.advance(1000);
  assert.deepEqual(await next.flush(), { sent: 1, failed: 0, queued: 1 });
  assert.equal(server.requests.filter((r) => idOf(r) === inFlight).length, 1, 'not sent twice');

  // The first request is abandoned: the signal goes out again, once.
  clock.advance(10_000);
  t.mock.timers.tick(10_000);
  await tick();
  assert.deepEqual(await next.flush(), { sent: 1, failed: 0, queued: 0 });
  assert.equal(server.received.get(inFlight), 1);
  leaving.destroy();
  next.destroy();
});
