// Delivery under the conditions a real page meets: consent withdrawn while a
// flush is sending, a page handing the queue to the next one mid-flush, a
// damaged queue entry, retries that must happen on their own, and a hidden
// page sending its whole queue at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { Clock, FakeServer, FakeDocument, FakeWindow, pageOptions, tick } from './helpers.js';

const grantAll = { analytics: true, personalization: true, marketing: false };

/**
 * Three signals queued while offline. The caller mocks setTimeout, so the
 * retries these failures schedule run only when the test says.
 */
async function queueThree(t, server, clock, map) {
  server.responses.push('offline', 'offline', 'offline');
  for (let i = 0; i < 3; i++) {
    t.page({ path: `/p/${i}` });
    await t.flush();
    clock.advance(60_000);
  }
  assert.equal(JSON.parse(map.get('tessera:demo:queue')).length, 3);
}

/** An instance on a page of its own, consent granted: where most tests start. */
async function grantedPage(extra = {}) {
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const document = new FakeDocument();
  const t = await createTessera(pageOptions({ map, server, clock, document, ...extra }));
  t.consent.set(grantAll);
  return { t, map, server, clock, document };
}

/** A response that waits until `release()` is called. */
function held() {
  let release;
  const answered = new Promise((resolve) => { release = resolve; });
  return { respond: () => answered.then(() => 202), release: () => release() };
}

test('consent withdrawn during a flush: no further request goes out', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { t, map, server, clock } = await grantedPage();
  await queueThree(t, server, clock, map);
  const before = server.requests.length;
  server.responses.push(() => {
    t.consent.set({ analytics: false, personalization: false });
    return 202;
  });
  await t.flush();
  assert.equal(server.requests.length, before + 1, 'only the request already under way');
  assert.equal(map.has('tessera:demo:queue'), false);
  t.destroy();
});

test('forget() during a flush: no further request goes out', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { t, map, server, clock } = await grantedPage();
  await queueThree(t, server, clock, map);
  const before = server.requests.length;
  server.responses.push(() => { t.forget(); return 202; });
  await t.flush();
  assert.equal(server.requests.length, before + 1);
  t.destroy();
});

test('a page hidden mid-flush does not resend what the next page sent', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const firstDocument = new FakeDocument();
  const first = await createTessera(pageOptions({ map, server, clock, document: firstDocument }));
  first.consent.set(grantAll);
  await queueThree(first, server, clock, map);
  // The old page is hidden: it sends the whole queue at once with keepalive
  // (it may not live to see an answer), its first request is slow, and it
  // hands the lease over.
  const before = server.requests.length;
  const slow = held();
  server.responses.push(slow.respond);
  firstDocument.visibilityState = 'hidden';
  firstDocument.dispatch('visibilitychange');
  await tick();
  assert.equal(server.requests.length, before + 3, 'all three sent, without waiting for answers');
  // The next page leaves alone what is in flight.
  const second = await createTessera(pageOptions({ map, server, clock }));
  const sent = await second.flush();
  assert.equal(sent.sent, 0, 'what is in flight is left to the old page');
  slow.release();
  await first.flush();
  await tick();
  const counts = [...server.received.values()];
  assert.equal(counts.length, 3, 'every signal arrived');
  assert.ok(counts.every((count) => count === 1), `none twice: ${JSON.stringify(counts)}`);
  first.destroy();
  second.destroy();
});

test('a damaged queue entry is dropped with a warning; the others are sent', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const warnings = [];
  const t = await createTessera(pageOptions({ map, server, clock, warnings }));
  t.consent.set(grantAll);
  await queueThree(t, server, clock, map);
  const queue = JSON.parse(map.get('tessera:demo:queue'));
  queue[0].b = '%%% not base64 %%%';
  queue.splice(1, 0, { id: 'no-body' }, null);
  map.set('tessera:demo:queue', JSON.stringify(queue));
  const result = await t.flush();
  assert.deepEqual(result, { sent: 2, failed: 1, queued: 0 });
  assert.equal(server.received.size, 2);
  assert.ok(warnings.some((w) => /2 corrupted queued signal/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => new RegExp(`${queue[0].id} was corrupted`).test(w)));
  t.destroy();
});

test('a failed send is retried when its backoff ends, without another flush', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const server = new FakeServer();
  const clock = new Clock();
  const instance = await createTessera(pageOptions({ server, clock }));
  instance.consent.set(grantAll);
  instance.page();
  server.responses.push(503);
  await instance.flush();
  assert.equal(server.requests.length, 1);
  clock.advance(749);
  t.mock.timers.tick(749);
  await tick();
  assert.equal(server.requests.length, 1, 'not before the backoff (750 ms) ends');
  clock.advance(1);
  t.mock.timers.tick(1);
  await tick();
  assert.equal(server.requests.length, 2);
  assert.deepEqual([...server.received.values()], [1]);
  instance.destroy();
});

test('coming back online ends a network backoff, not a Retry-After', async () => {
  const win = new FakeWindow();
  const server = new FakeServer();
  const clock = new Clock();
  const t = await createTessera(pageOptions({ server, clock, window: win }));
  t.consent.set(grantAll);
  t.page();
  server.responses.push('offline');
  await t.flush();
  win.dispatch('online');
  await tick();
  assert.equal(server.requests.length, 2, 'sent at once when the network returns');
  assert.equal(server.received.size, 1);

  t.page();
  server.responses.push({ status: 503, retryAfter: '60' });
  await t.flush();
  const requests = server.requests.length;
  win.dispatch('online');
  await tick();
  assert.equal(server.requests.length, requests, 'the server asked for a minute');
  t.destroy();
});

test('a hidden page whose fetch fails hands the signal to sendBeacon', async () => {
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const document = new FakeDocument();
  const beacons = [];
  const t = await createTessera(pageOptions({
    map, server, clock, document,
    beacon: (url, data) => { beacons.push({ url, data }); return true; },
  }));
  t.consent.set(grantAll);
  t.page();
  server.responses.push('offline');
  document.visibilityState = 'hidden';
  document.dispatch('visibilitychange');
  await tick();
  await tick();
  assert.equal(server.requests.length, 1, 'fetch with keepalive first');
  assert.equal(server.requests[0].keepalive, true);
  assert.equal(beacons.length, 1);
  assert.equal(beacons[0].url, 'https://collect.example/v1/signals?key=wk_test');
  // CORS-safelisted: a cross-origin beacon needs no preflight (which it,
  // sent with credentials, would fail).
  assert.equal(beacons[0].data.type, 'text/plain');
  const body = beacons[0].data instanceof Blob ? new Uint8Array(await beacons[0].data.arrayBuffer())
    : beacons[0].data;
  assert.equal(JSON.parse(new TextDecoder().decode(body)).id, server.idOf(server.requests[0]));
  // sendBeacon's true does not say it arrived (offline it goes nowhere):
  // still queued, unmarked, to go again (the server counts it once).
  const queue = JSON.parse(map.get('tessera:demo:queue'));
  assert.deepEqual(queue.map((e) => [e.id, e.s]), [[server.idOf(server.requests[0]), undefined]]);
  t.destroy();
});

test("a hidden page sends its queue at once, within the browser's keepalive budget", async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { t, map, server, clock, document } = await grantedPage();
  await queueThree(t, server, clock, map);
  // Each entry 30 KB: two fit in the 64 KiB browsers allow in flight.
  const queue = JSON.parse(map.get('tessera:demo:queue')).map((entry) => {
    const signal = JSON.parse(Buffer.from(entry.b, 'base64').toString());
    return { ...entry, b: Buffer.from(JSON.stringify({ ...signal, pad: 'x'.repeat(30_000) })).toString('base64') };
  });
  map.set('tessera:demo:queue', JSON.stringify(queue));
  const before = server.requests.length;
  const slow = held();
  server.responses.push(slow.respond);  // the first answer comes late
  document.visibilityState = 'hidden';
  document.dispatch('visibilitychange');
  await tick();
  const sent = server.requests.slice(before);
  assert.deepEqual(sent.map((r) => server.idOf(r)), [queue[0].id, queue[1].id],
      'sent without waiting for the first answer; the third did not fit');
  assert.ok(sent.every((r) => r.keepalive));
  const waiting = JSON.parse(map.get('tessera:demo:queue')).find((e) => e.id === queue[2].id);
  assert.equal(waiting.s, undefined, 'the third waits, unmarked, for the next page');
  slow.release();
  t.destroy();
});

test('a page hidden while a flush waits for its answer sends that signal again with keepalive', async (context) => {
  context.mock.timers.enable({ apis: ['setTimeout'] });
  const { t, server, document } = await grantedPage();
  t.page();
  const slow = held();
  server.responses.push(slow.respond);  // dies with the page, unanswered
  t.flush();
  await tick();
  assert.equal(server.requests.length, 1);
  document.visibilityState = 'hidden';
  document.dispatch('visibilitychange');
  await tick();
  assert.equal(server.requests.length, 2, 'sent again without waiting for the flush under way');
  assert.equal(server.requests[1].keepalive, true);
  assert.equal(server.idOf(server.requests[1]), server.idOf(server.requests[0]));
  slow.release();
  t.destroy();
});
