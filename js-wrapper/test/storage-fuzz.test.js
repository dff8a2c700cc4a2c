// Whatever another script, an extension or a half-written quota error leaves
// under the SDK's storage keys, the SDK starts, tracks, decides and sends:
// a seeded random search over damaged values of every key it reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { artifact, Clock, FakeServer, pageOptions } from './helpers.js';

const KEYS = ['consent', 'profile', 'profile-stamp', 'queue', 'seq', 'leader',
  'artifact', 'artifact-etag', 'artifact-fresh-until'];

// A small deterministic generator (mulberry32), so a failure can be replayed.
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A damaged version of `valid` (a string), or something else entirely. */
function damaged(valid, next) {
  const pick = (list) => list[Math.floor(next() * list.length)];
  const text = valid ?? '';
  switch (Math.floor(next() * 8)) {
    case 0: return text.slice(0, Math.floor(next() * text.length));  // cut short
    case 1: {  // one character changed
      const at = Math.floor(next() * Math.max(1, text.length));
      return text.slice(0, at) + String.fromCharCode(Math.floor(next() * 0x3000)) + text.slice(at + 1);
    }
    case 2: return pick(['', 'null', '[]', '{}', '"x"', '0', '-1', 'NaN', 'true', '1e309']);
    case 3: return JSON.stringify(pick([[{ id: 1 }], [{ id: 'x', b: 5 }], { tab: 1, until: 'x' },
      [null, { id: 'y', b: '!!', f: 'xml', s: 'soon' }], { v: 99 }, { format: 1, a: 'yes' },
      { tab: 'another-tab', until: 9e15 }]));
    case 4: return 'A'.repeat(Math.floor(next() * 5000));
    case 5: return String.fromCharCode(0xd800) + text;  // a lone surrogate
    case 6: return text + text;  // doubled
    default: return text.split('').reverse().join('');
  }
}

test('damaged values under every storage key never break the SDK', async () => {
  // The values a real visit leaves behind, to damage.
  const map = new Map();
  const clock = new Clock();
  const first = await createTessera(pageOptions({ map, clock }));
  first.consent.set({ analytics: true, personalization: true });
  first.page();
  first.storage.set('artifact', JSON.stringify(artifact));
  first.storage.set('artifact-etag', '"a1"');
  first.storage.set('artifact-fresh-until', String(clock.ms + 60_000));
  first.destroy();
  const valid = new Map([...map].map(([key, value]) => [key.split(':').pop(), value]));
  const next = random(20261207);
  for (let run = 0; run < 300; run++) {
    const stored = new Map(map);
    for (const key of KEYS) {
      if (next() < 0.4) stored.set(`tessera:demo:${key}`, damaged(valid.get(key), next));
    }
    const server = new FakeServer();
    const t = await createTessera(pageOptions({ map: stored, server, clock }));
    const what = JSON.stringify([...stored]).slice(0, 400);
    assert.equal(typeof t.consent.get().analytics, 'boolean', what);
    t.consent.set({ analytics: true, personalization: true });
    assert.equal(t.page().ok, true, what);
    assert.equal(t.decide('hero').ok, true, what);
    const sent = await t.flush();
    assert.ok(sent.sent >= 1, `${JSON.stringify(sent)} ${what}`);
    t.destroy();
    clock.advance(11_000);  // past any sending lease
  }
});

test('a stored signal count that is no count starts again from 1 (the server refuses a seq past 2^53 - 1)', async () => {
  // FakeServer above takes any seq; tessera-server's validator does not, so
  // a count stuck at Infinity had every signal of the browser refused.
  for (const seq of ['1e309', '1e300', '9007199254740991', '2.5', '-5']) {
    const map = new Map();
    const first = await createTessera(pageOptions({ map }));
    first.consent.set({ analytics: true });
    first.destroy();
    map.set('tessera:demo:seq', seq);
    const server = new FakeServer();
    const t = await createTessera(pageOptions({ map, server }));
    t.page();
    await t.flush();
    assert.deepEqual(server.signals().map((s) => s.seq), [1], seq);
    t.destroy();
  }
});
