// A grant that no longer holds when the next page starts (the page's
// consent policy changed, the stored choice is unreadable) erases what was
// kept under it, as a withdrawal during the page does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { pageOptions, Clock, FakeServer } from './helpers.js';

// A page under an opt-out policy (v1) whose page view stays queued (the
// network was down), then closed; `choose(first)` makes the visitor's
// choices first. Returns what the next page shares with it.
async function firstPageQueuedOffline(choose = () => {}) {
  const map = new Map();
  const clock = new Clock();
  const server = new FakeServer();
  server.responses.push('offline');
  const first = await createTessera(pageOptions({ map, clock, server, artifact: undefined,
    consentPolicy: { mode: 'opt-out', policyVersion: 'v1' } }));
  choose(first);
  first.page();
  await first.flush();  // offline: stays queued
  first.destroy();
  assert.ok([...map.keys()].some((k) => k.endsWith(':queue')));
  clock.advance(60_000);  // the closed page's sending lease has lapsed
  return { map, clock, server };
}

test('a new page policy that no longer grants storage erases the profile and the queue', async () => {
  const { map, clock, server } = await firstPageQueuedOffline();

  const next = await createTessera(pageOptions({ map, clock, server, artifact: undefined,
    consentPolicy: { mode: 'opt-in', policyVersion: 'v2' } }));
  assert.equal(next.consent.get().analytics, false);
  assert.deepEqual([...map.keys()], [], 'nothing kept from under the old grant');
  // A later grant starts afresh: the signal queued under v1 is not sent.
  next.consent.set({ analytics: true });
  next.page();
  await next.flush();
  assert.deepEqual(server.signals().slice(1).map((s) => s.consent.policy), ['v2']);
  next.destroy();
});

test('a new page policy that withdraws analytics alone drops the queued signals', async () => {
  // Chosen; analytics left to the policy (marketing refused: the signal is
  // not one that GPC or a marketing refusal would drop anyway).
  const { map, clock, server } = await firstPageQueuedOffline(
      (first) => first.consent.set({ personalization: true, marketing: false }));

  const policy = { mode: 'opt-in', policyVersion: 'v2' };
  const next = await createTessera(pageOptions({ map, clock, server, artifact: undefined, consentPolicy: policy }));
  assert.equal(next.consent.get().analytics, false);
  assert.equal(next.consent.get().personalization, true);
  assert.ok(![...map.keys()].some((k) => k.endsWith(':queue')), 'the queue is gone');
  next.consent.set({ analytics: true });
  await next.flush();
  assert.equal(server.signals().length, 1, 'only the offline attempt of the first page');
  next.destroy();
});

test('an unreadable stored choice: what was kept under it goes too', async () => {
  const map = new Map();
  const first = await createTessera(pageOptions({ map }));
  first.consent.set({ analytics: true, personalization: true });
  first.page();
  first.destroy();
  assert.ok([...map.keys()].some((k) => k.endsWith(':profile')));
  map.set('tessera:demo:consent', '{damaged');

  const warnings = [];
  const next = await createTessera(pageOptions({ map, warnings }));
  assert.ok(warnings.some((w) => /stored consent was unreadable/.test(w)));
  assert.deepEqual([...map.keys()], []);
  next.consent.set({ analytics: true, personalization: true });
  assert.equal(next.attributes().event.page_view.count_all, 0, 'a fresh profile');
  next.destroy();
});

test('a new page policy that withdraws personalization alone forgets the stored user id and traits', async () => {
  const map = new Map();
  const first = await createTessera(pageOptions({ map, artifact: undefined,
    consentPolicy: { mode: 'opt-out', policyVersion: 'v1' } }));
  first.consent.set({ analytics: true });  // chosen; personalization left to the policy
  assert.equal(first.identify('user-42', { name: 'Ada' }).ok, true);
  first.destroy();

  const next = await createTessera(pageOptions({ map, artifact: undefined,
    consentPolicy: { mode: 'opt-in', policyVersion: 'v2' } }));
  assert.equal(next.consent.get().personalization, false);
  const stored = atob(map.get('tessera:demo:profile'));
  assert.ok(!stored.includes('Ada') && !stored.includes('user-42'), 'not kept on the device');
  next.consent.set({ personalization: true });
  assert.deepEqual(next.attributes().traits, {}, 'not back with the next grant');
  next.destroy();
});
