// decideAll(): every slot in one call, with the same answers as decide().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { artifact, Clock } from './helpers.js';

const twoSlots = {
  ...artifact,
  slots: [
    ...artifact.slots,
    { id: 'footer', default: 'plain', variants: [
      { id: 'plain', template: '<p>Footer</p>' },
    ] },
  ],
};

async function instance() {
  const clock = new Clock();
  const t = await createTessera({ site: 'demo', artifact: twoSlots, storage: memoryBackend(),
                                  now: clock.now });
  return { t, clock };
}

test('decideAll returns one decision per slot, matching decide()', async () => {
  const { t } = await instance();
  t.consent.set({ analytics: true, personalization: true });
  t.identify('u1', { predicted_clv: 900 });
  const all = t.decideAll();
  assert.deepEqual(all.map((d) => [d.slot, d.variant, d.source]),
      [['hero', 'vip', 'rule'], ['footer', 'plain', 'default']]);
  assert.deepEqual(all[0], t.decide('hero'));
  assert.equal(all[0].html, '<h2>Exclusive VIP Discount</h2>');
  t.destroy();
});

test('decideAll without personalization consent gives the defaults and emits decisions', async () => {
  const { t } = await instance();
  const seen = [];
  t.on('decision', (d) => seen.push(d.slot));
  t.identify('u1', { predicted_clv: 900 });
  const all = t.decideAll();
  assert.deepEqual(all.map((d) => [d.variant, d.source]), [['standard', 'default'], ['plain', 'default']]);
  assert.deepEqual(seen, ['hero', 'footer']);
  t.destroy();
});

test('render() decides every slot of one pass at the same moment', async () => {
  const DAY = 24 * 3600 * 1000;
  const buyerSlot = (id) => ({ id, default: 'plain', variants: [
    { id: 'thanks', condition: { segments: { $in: ['recent_buyers'] } }, template: 'thanks' },
    { id: 'plain', template: 'plain' },
  ] });
  let time = Date.UTC(2026, 10, 23, 12);
  let step = 0;
  // Each reading of the clock moves it on by `step`: a slow page, exaggerated.
  const now = () => { const t = time; time += step; return t; };
  const slots = ['a', 'b'].map((id) => {
    const attributes = new Map([['data-tessera-slot', id]]);
    return { innerHTML: '', getAttribute: (n) => attributes.get(n) ?? null,
             setAttribute: (n, v) => attributes.set(n, String(v)),
             hasAttribute: (n) => attributes.has(n), addEventListener() {} };
  });
  const root = { querySelectorAll: () => slots };
  const t = await createTessera({ site: 'demo', storage: memoryBackend(), now,
    artifact: { ...artifact, slots: [buyerSlot('a'), buyerSlot('b')] } });
  t.consent.set({ analytics: true, personalization: true });
  t.track('purchase_complete', { value: 10, currency: 'EUR' });
  time += 6.5 * DAY;  // the purchase is 7 days old after one more day
  step = DAY;
  const applied = t.render(root);
  assert.deepEqual(applied.map((d) => d.variant), ['thanks', 'thanks']);
  assert.deepEqual(slots.map((s) => s.innerHTML), ['thanks', 'thanks']);
  t.destroy();
});

// The core answers null for a decision unchanged since the last call; the
// wrapper hands out its previous object for it, and remembers the
// all-unchanged answer to skip parsing it. Every call still returns a new
// array, and a new artifact with the same number of slots is not mistaken
// for "nothing changed".
test('decideAll reuses unchanged decisions but never a stale or shared array', async () => {
  const { t, clock } = await instance();
  t.consent.set({ analytics: true, personalization: true });
  t.identify('u1', { predicted_clv: 900 });
  const first = t.decideAll();
  clock.advance(1000);
  const second = t.decideAll();
  const third = t.decideAll();
  assert.notEqual(second, first);
  assert.notEqual(third, second);
  assert.equal(second[0], first[0]);  // same frozen object, not re-parsed
  assert.equal(third[1], first[1]);
  second.length = 0;  // a caller's edit does not leak into the next answer
  assert.equal(t.decideAll().length, 2);

  const swapped = {
    ...twoSlots, version: 'v-swapped',
    slots: [
      { id: 'hero', default: 'plain', variants: [{ id: 'plain', template: '<p>New hero</p>' }] },
      { id: 'footer', default: 'plain', variants: [{ id: 'plain', template: '<p>New footer</p>' }] },
    ],
  };
  assert.equal(t.loadArtifact(swapped).ok, true);
  const after = t.decideAll();
  assert.deepEqual(after.map((d) => d.html), ['<p>New hero</p>', '<p>New footer</p>']);
  assert.deepEqual(t.decideAll().map((d) => d.html), ['<p>New hero</p>', '<p>New footer</p>']);
  t.destroy();
});
