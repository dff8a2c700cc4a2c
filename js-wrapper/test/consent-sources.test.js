// A consent source the SDK cannot read (a CMP whose __tcfapi throws, a
// dataLayer entry that cannot be read or serialized) says nothing: the SDK
// still starts, and the page's own dataLayer.push still works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { FakeWindow, pageOptions } from './helpers.js';

// Runs `body` with console.error collected.
async function quietly(body) {
  const errors = [];
  const consoleError = console.error;
  console.error = (...args) => errors.push(args.join(' '));
  try {
    await body();
  } finally {
    console.error = consoleError;
  }
  return errors;
}

test('the SDK starts whatever the consent sources it finds do', async () => {
  const cyclic = { eventStatus: 'tcloaded', purpose: { consents: { 1: true } } };
  cyclic.self = cyclic;
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  // What each page does, whether the SDK says in the console that a source
  // failed (a dataLayer value it cannot use is simply not a choice), and
  // whether analytics is then granted.
  const pages = {
    'a __tcfapi that throws': [(w) => { w.__tcfapi = () => { throw new Error('CMP not ready'); }; }, true, false],
    'TCData that cannot be serialized': [(w) => {
      w.__tcfapi = (command, version, callback) => { if (command === 'addEventListener') callback(cyclic, true); };
    }, true, false],
    'a dataLayer update with a value that cannot be serialized': [(w) => {
      w.dataLayer = [['consent', 'update', { analytics_storage: 'granted', wait: 1n }]];
    }, false, true],
    'a dataLayer entry that cannot be read': [(w) => { w.dataLayer = [revoked.proxy]; }, false, false],
  };
  for (const [what, [setUp, said, analytics]] of Object.entries(pages)) {
    const win = new FakeWindow();
    setUp(win);
    const errors = await quietly(async () => {
      const t = await createTessera(pageOptions({ window: win }));
      assert.equal(t.decide('hero').ok, true, what);
      assert.equal(t.consent.get().analytics, analytics, what);
      t.destroy();
    });
    assert.equal(errors.some((e) => e.includes('tessera: a consent source failed')), said, what);
  }
});

test("a dataLayer push the SDK cannot read still reaches the page's dataLayer, and later ones are heard", async () => {
  const win = new FakeWindow();
  win.dataLayer = [];
  const t = await createTessera(pageOptions({ window: win }));
  await quietly(() => {
    win.dataLayer.push(['consent', 'update', { analytics_storage: 'granted', wait: 1n }]);
  });
  assert.equal(win.dataLayer.length, 1);
  // Nor does a value the core refuses stay to have later updates refused.
  win.dataLayer.push(['consent', 'update', { ad_storage: 'yes' }]);
  win.dataLayer.push(['consent', 'update', { analytics_storage: 'granted' }]);
  assert.equal(t.consent.get().analytics, true, 'later updates are still heard');
  t.destroy();
});

test('on a page whose prototypes were polluted, no dataLayer entry becomes a grant', async () => {
  // What a query string parser with a __proto__ bug can leave behind.
  Object.prototype[0] = 'consent';
  Object.prototype[1] = 'update';
  Object.prototype[2] = { analytics_storage: 'granted' };
  Object.prototype.analytics_storage = 'granted';
  try {
    const win = new FakeWindow();
    win.dataLayer = [{ event: 'gtm.js' }];
    const t = await createTessera(pageOptions({ window: win }));
    win.dataLayer.push({ event: 'page_loaded' });
    win.dataLayer.push(['consent', 'update', { ad_storage: 'denied' }]);
    assert.equal(t.consent.get().analytics, false);
    t.destroy();
  } finally {
    for (const key of [0, 1, 2, 'analytics_storage']) delete Object.prototype[key];
  }
});

test('a TCF listener whose CMP answers only after destroy() is removed then, and changes nothing', async () => {
  // The CMP stub queues addEventListener until the CMP loads: the first
  // callback, and with it the listenerId, can come after destroy().
  const win = new FakeWindow();
  const removed = [];
  let callback;
  win.__tcfapi = (command, version, cb, id) => {
    if (command === 'addEventListener') callback = cb;
    if (command === 'removeEventListener') removed.push(id);
  };
  const t = await createTessera(pageOptions({ window: win }));
  t.destroy();
  const errors = await quietly(() => {
    callback({ eventStatus: 'tcloaded', gdprApplies: true, listenerId: 3,
      purpose: { consents: { 1: true, 8: true, 9: true } } }, true);
  });
  assert.deepEqual(errors, []);
  assert.deepEqual(removed, [3]);
});

test("a CMP's replayed grant on the next page does not undo a refusal made through consent.set()", async () => {
  const map = new Map();
  const cmp = (consents) => (w) => {
    w.__tcfapi = (command, version, cb) => {
      if (command === 'addEventListener') {
        cb({ eventStatus: 'tcloaded', gdprApplies: true, listenerId: 1, purpose: { consents } }, true);
      }
    };
    w.dataLayer = [['consent', 'update', { analytics_storage: 'granted' }]];
  };
  const grants = { 1: true, 5: true, 6: true, 8: true, 9: true };
  const first = new FakeWindow();
  cmp(grants)(first);
  const page1 = await createTessera(pageOptions({ map, window: first }));
  assert.equal(page1.consent.get().analytics, true);
  page1.consent.set({ analytics: false });  // the site's own banner
  page1.destroy();

  const second = new FakeWindow();
  cmp(grants)(second);
  const page2 = await createTessera(pageOptions({ map, window: second }));
  assert.equal(page2.consent.get().analytics, false);
  assert.equal(page2.consent.get().personalization, true);
  page2.consent.set({ analytics: true });  // only the banner grants it again
  assert.equal(page2.consent.get().analytics, true);
  page2.destroy();
});
