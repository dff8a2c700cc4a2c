// Multi-page sites: the page being left hands the sending lease to the next
// page at once (on visibilitychange to hidden), so the next page's flush
// goes out immediately instead of waiting for the old lease to expire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { Clock, FakeServer, FakeDocument, pageOptions } from './helpers.js';

const grantAll = { analytics: true, personalization: true, marketing: true };

test('a page left for the next one hands over the lease; the next page sends at once', async () => {
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const firstDocument = new FakeDocument();
  const first = await createTessera(pageOptions({ map, server, clock, document: firstDocument }));
  first.consent.set(grantAll);
  first.page();
  assert.equal((await first.flush()).sent, 1);
  assert.ok(map.has('tessera:demo:leader'), 'the first page holds the lease');

  // The visitor clicks a link: the old page is hidden, the next one loads.
  first.page();
  firstDocument.visibilityState = 'hidden';
  firstDocument.dispatch('visibilitychange');
  assert.equal(map.has('tessera:demo:leader'), false, 'the lease was released');
  const second = await createTessera(pageOptions({ map, server, clock }));
  second.page();
  clock.advance(1000);  // well within the old 10 s lease
  const result = await second.flush();
  assert.deepEqual(result, { sent: 1, failed: 0, queued: 0 });
  assert.ok([...server.received.values()].every((count) => count === 1), 'nothing delivered twice');
  first.destroy();
  second.destroy();
});

test('a hidden page does not release a lease another page holds', async () => {
  const map = new Map();
  const server = new FakeServer();
  const clock = new Clock();
  const hiddenDocument = new FakeDocument();
  const leader = await createTessera(pageOptions({ map, server, clock }));
  leader.consent.set(grantAll);
  leader.page();
  await leader.flush();
  const lease = map.get('tessera:demo:leader');
  const other = await createTessera(pageOptions({ map, server, clock, document: hiddenDocument }));
  hiddenDocument.visibilityState = 'hidden';
  hiddenDocument.dispatch('visibilitychange');
  assert.equal(map.get('tessera:demo:leader'), lease);
  leader.destroy();
  other.destroy();
});
