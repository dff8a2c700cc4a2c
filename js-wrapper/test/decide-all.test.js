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
