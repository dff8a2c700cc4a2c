// Several tabs of one site share storage. A choice made in one (consent
// withdrawn or granted, everything forgotten) reaches the others through the
// browser's `storage` event, as localStorage delivers it: to every other
// window of the origin, never to the writer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { artifact, Clock, FakeServer, FakeDocument, FakeElement, FakeWindow } from './helpers.js';

const grantAll = { analytics: true, personalization: true, marketing: false };

/** One origin's localStorage, seen from several windows. */
class SharedStorage {
  constructor() {
    this.map = new Map();
    this.windows = [];
    this.asleep = new Map();  // window in the bfcache -> storage events held back
  }

  // A page left for another, kept in the back/forward cache.
  sleep(win) { this.asleep.set(win, []); }

  // Shown again: pageshow first, then the events held back (as Chromium does).
  restore(win) {
    const held = this.asleep.get(win);
    this.asleep.delete(win);
    win.dispatch('pageshow', { persisted: true });
    for (const event of held) win.dispatch('storage', event);
  }

  backendFor(win) {
    this.windows.push(win);
    const inner = memoryBackend(this.map);
    const notify = (key, oldValue, newValue) => {
      if (oldValue === newValue) return;
      for (const other of this.windows) {
        if (other === win) continue;
        if (this.asleep.has(other)) this.asleep.get(other).push({ key, oldValue, newValue });
        else other.dispatch('storage', { key, oldValue, newValue });
      }
    };
    return {
      ...inner,
      setItem: (key, value) => {
        const old = inner.getItem(key);
        inner.setItem(key, value);
        notify(key, old, String(value));
      },
      removeItem: (key) => {
        const old = inner.getItem(key);
        inner.removeItem(key);
        notify(key, old, null);
      },
    };
  }
}

async function openTab(shared, server, clock, win = new FakeWindow()) {
  return createTessera({
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test', artifact,
    storage: shared.backendFor(win), transport: server.send, now: clock.now,
    random: () => 0.5, format: 'json', flushIntervalMs: 0,
    window: win, document: new FakeDocument(), warn: () => {},
  });
}

function tabs() {
  return { shared: new SharedStorage(), server: new FakeServer(), clock: new Clock() };
}

test('consent withdrawn in one tab: the others stop storing and sending at once', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  a.consent.set(grantAll);
  const b = await openTab(shared, server, clock);
  assert.equal(b.consent.get().analytics, true);
  b.page();
  const heard = [];
  b.on('consent', (state) => heard.push(state.analytics));

  a.consent.set({ analytics: false, personalization: false });
  assert.equal(b.consent.get().analytics, false, 'tab b follows at once');
  assert.deepEqual(heard, [false], "tab b's listeners hear it");
  b.page();
  await b.flush();
  assert.equal(server.requests.length, 0, 'nothing sent from tab b');
  assert.deepEqual([...shared.map.keys()], ['tessera:demo:consent'], 'nothing written back');
  assert.equal(b.attributes().event.page_view.count_all, 0, "tab b's profile is gone too");
  a.destroy();
  b.destroy();
});

test('personalization withdrawn in one tab: the others show the default at once', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  a.consent.set(grantAll);
  const slot = new FakeElement({ 'data-tessera-slot': 'hero' });
  const b = await createTessera({
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test', artifact,
    storage: shared.backendFor(new FakeWindow()), transport: server.send, now: clock.now,
    random: () => 0.5, format: 'json', flushIntervalMs: 0, warn: () => {},
    window: shared.windows.at(-1), document: new FakeDocument([slot]),
  });
  b.identify('u1', { predicted_clv: 900 });
  b.render();
  assert.equal(slot.innerHTML, '<h2>Exclusive VIP Discount</h2>');
  a.consent.set({ personalization: false });
  assert.equal(slot.innerHTML, '<h2>Standard Promotion</h2>');
  a.destroy();
  b.destroy();
});

test('analytics withdrawn in one tab: what the others gathered before is never sent', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  a.consent.set(grantAll);
  const b = await openTab(shared, server, clock);
  b.page();
  a.consent.set({ analytics: false });
  a.consent.set({ analytics: true });
  await b.flush();
  assert.equal(server.requests.length, 0, "b's page view was gathered under the withdrawn grant");
  a.destroy();
  b.destroy();
});

test('consent granted in one tab is used by the others', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  const b = await openTab(shared, server, clock);
  assert.equal(b.page().ok, false, 'no consent yet');
  a.consent.set(grantAll);
  assert.equal(b.page().ok, true);
  assert.equal(b.consent.get().personalization, true);
  a.destroy();
  b.destroy();
});

test('forget() in one tab: no other tab writes the old profile back', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  a.consent.set(grantAll);
  const b = await openTab(shared, server, clock);
  a.page();
  b.page();
  b.page();
  const before = b.attributes();
  assert.equal(before.event.page_view.count_all, 3);
  const forgotten = [];
  b.on('forget', () => forgotten.push(true));

  a.forget();
  assert.equal(forgotten.length, 1, "tab b hears the erasure");
  b.page();
  const c = await openTab(shared, server, clock);
  const after = c.attributes();
  assert.equal(after.event.page_view.count_all, 1, 'only the page view after the erasure');
  assert.notEqual(after.id, before.id, 'a new visitor id');
  await b.flush();
  assert.ok(server.signals().every((s) => s.vid !== before.id), 'nothing sent for the old visitor');
  a.destroy();
  b.destroy();
  c.destroy();
});

test('signals from several tabs are numbered from one count', async () => {
  const { shared, server, clock } = tabs();
  const a = await openTab(shared, server, clock);
  a.consent.set(grantAll);
  const b = await openTab(shared, server, clock);
  a.page();
  await a.flush();
  b.page();
  clock.advance(11_000);  // past a's sending lease
  await b.flush();
  assert.deepEqual(server.signals().map((s) => s.seq), [1, 2]);
  a.destroy();
  b.destroy();
});

test('back from the bfcache after consent was withdrawn elsewhere: nothing written back or sent', async () => {
  const { shared, server, clock } = tabs();
  const win = new FakeWindow();
  const a = await openTab(shared, server, clock, win);
  a.consent.set(grantAll);
  a.page();
  shared.sleep(win);
  const b = await openTab(shared, server, clock);
  b.consent.set({ analytics: false, personalization: false });
  shared.restore(win);
  assert.equal(a.consent.get().analytics, false);
  assert.deepEqual([...shared.map.keys()], ['tessera:demo:consent'], 'nothing written back');
  await a.flush();
  assert.equal(server.requests.length, 0, 'nothing sent');
  a.destroy();
  b.destroy();
});

test('back from the bfcache after forget() elsewhere: the erased profile stays erased', async () => {
  const { shared, server, clock } = tabs();
  const win = new FakeWindow();
  const a = await openTab(shared, server, clock, win);
  a.consent.set(grantAll);
  a.page();
  const erased = a.attributes().id;
  shared.sleep(win);
  const b = await openTab(shared, server, clock);
  b.forget();
  shared.restore(win);
  const restored = a.attributes();
  assert.notEqual(restored.id, erased, 'a new visitor on the restored page');
  assert.equal(restored.event.page_view.count_all, 1, 'only its page view, counted once');
  const c = await openTab(shared, server, clock);
  assert.equal(c.attributes().id, restored.id, 'what is stored is the new visitor');
  a.destroy();
  b.destroy();
  c.destroy();
});
