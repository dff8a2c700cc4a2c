// decideAll() is incremental: the core recomputes only the segments and
// slots whose inputs changed and sends only the decisions that changed; the
// wrapper hands out its previous (frozen) objects for the rest. This test
// plays random sessions into two instances over the real wasm core and,
// after every step, compares the incremental instance's decisions and
// segments with a twin that recomputes everything from scratch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { artifact as baseArtifact } from './helpers.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const artifactA = {
  schema_version: 1, version: 'inc-a', site: 'demo',
  segments: [
    { id: 's1', priority: 9, condition: { 'event.page_view.count_1h': { $gte: 2 } } },
    { id: 's2', priority: 8, condition: { 'event.page_view.count_24h': { $gt: 3 } } },
    { id: 's3', priority: 7, condition: { 'event.add_to_cart.sum_value_7d': { $gt: 30 } } },
    { id: 's4', priority: 6, condition: { 'event.page_view.hours_since_last': { $lt: 1 } } },
    { id: 's5', priority: 5, condition: { 'visitor.pages_this_session': { $gte: 3 } } },
    { id: 's6', priority: 4, condition: { 'affinity.shoes': { $gt: 0.5 } } },
    { id: 's7', priority: 3, condition: { 'traits.plan': 'gold' } },
    { id: 's8', priority: 2, condition: { segments: { $all: ['s1', 's2'] } } },
    { id: 's9', priority: 1, condition: { 'context.path': { $regex: '^/products/' } } },
    { id: 'g1', priority: 0, group: 'life', condition: { 'event.add_to_cart.count_24h': { $gte: 1 } } },
    { id: 'g2', priority: 0, group: 'life', condition: { 'visitor.sessions': { $gte: 1 } } },
  ],
  slots: [
    { id: 'hero', default: 'standard', variants: [
      { id: 'vip', condition: { segments: { $in: ['s7'] } }, template: 'Hi {{traits.name}}' },
      { id: 'busy', condition: { segments: { $in: ['s2'] } },
        template: '{{event.page_view.count_24h}} views, {{visitor.pages_this_session}} now' },
      { id: 'standard', template: 'Standard {{context.path}}' },
    ] },
    { id: 'cart', default: 'maybe', variants: [
      { id: 'waiting', condition: { 'event.add_to_cart.count_24h': { $gt: 0 } },
        template: '{{#affinities}}[{{.}}]{{/affinities}} {{event.add_to_cart.sum_value_24h}}' },
      { id: 'maybe', template: '{{event.page_view.days_since_last}}' },
    ] },
    { id: 'ab', default: 'a', experiment: 'ab-test', variants: [
      { id: 'a', template: 'A' }, { id: 'b', template: 'B' },
    ] },
  ],
  experiments: [{ key: 'ab-test', variations: ['a', 'b'], weights: [0.5, 0.5],
                  hashAttribute: 'userId' }],
};

async function twin(clock) {
  return createTessera({ site: 'demo', artifact: artifactA, storage: memoryBackend(),
                         now: () => clock.ms });
}

// A small deterministic generator (the test must be reproducible).
function random(seed) {
  let state = seed >>> 0;
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
}

test('incremental decideAll() equals full recomputation over random sessions', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const pick = random(seed);
    const clock = { ms: Date.UTC(2026, 10, 23, 12) };
    const inc = await twin(clock);
    const ref = await twin(clock);
    // The visitor ids are random; the experiment hashes the user id, the same in both.
    const both = (f) => { f(inc); f(ref); };
    both((t) => t.consent.set({ analytics: true, personalization: true }));
    both((t) => t.identify('same-user', {}));
    let swapped = false;
    for (let step = 0; step < 120; step++) {
      const kind = pick(100);
      let what;
      if (kind < 40) {
        const name = ['page_view', 'page_view', 'add_to_cart', 'purchase_complete'][pick(4)];
        const props = pick(2) ? { category: ['shoes', 'bags'][pick(2)], value: pick(50) } : {};
        what = `track ${name}`;
        both((t) => t.track(name, props));
      } else if (kind < 70) {
        const moves = [1 + pick(999), pick(20) * MINUTE, pick(30) * HOUR, pick(40) * DAY];
        const move = pick(5);
        if (move < 4) clock.ms += moves[move];
        else clock.ms = (Math.floor(clock.ms / HOUR) + 1) * HOUR + pick(3) - 1;  // a window edge
        what = `clock ${clock.ms}`;
      } else if (kind < 76) {
        const update = { personalization: pick(3) !== 0 };
        what = `consent ${JSON.stringify(update)}`;
        both((t) => t.consent.set(update));
      } else if (kind < 82) {
        const traits = { plan: pick(2) ? 'gold' : 'silver', name: pick(2) ? 'Ana' : 'Bo' };
        what = `identify ${JSON.stringify(traits)}`;
        both((t) => t.identify('same-user', traits));
      } else if (kind < 92) {
        const context = { path: ['/', '/products/1', '/cart'][pick(3)], device: 'mobile' };
        what = `context ${context.path}`;
        both((t) => t.setContext(context));
      } else if (kind < 96) {
        swapped = !swapped;
        const next = swapped ? baseArtifact : artifactA;
        what = `artifact ${next.version}`;
        both((t) => assert.equal(t.loadArtifact({ ...next, site: 'demo' }).ok, true));
      } else {
        what = 'nothing';
      }
      const got = inc.decideAll();
      ref.engine._forgetDecisionMemo();
      const want = ref.decideAll();
      const where = `seed ${seed} step ${step}: ${what}`;
      assert.deepEqual(got, want, where);
      assert.ok(got.every((d) => Object.isFrozen(d)), where);
      assert.deepEqual(inc.segments(), ref.segments(), where);
    }
    inc.destroy();
    ref.destroy();
  }
});

test('an unchanged slot comes back as the same frozen object', async () => {
  const clock = { ms: Date.UTC(2026, 10, 23, 12) };
  const t = await twin(clock);
  t.consent.set({ analytics: true, personalization: true });
  t.identify('u1', { plan: 'gold', name: 'Ana' });
  const first = t.decideAll();
  clock.ms += 5 * MINUTE;
  t.page();
  const second = t.decideAll();
  assert.equal(second[0], first[0]);  // hero: vip for gold, page views or not
  assert.equal(second[0].html, 'Hi Ana');
  assert.notEqual(second[1], first[1]);  // cart: days since the last page view moved
  assert.throws(() => { second[0].html = 'edited'; }, TypeError);
  t.destroy();
});
