// What browsers download is dist/tessera.js, the minified bundle of src/
// (scripts/build.mjs). The other suites test src/, and scripts/test-js.sh
// runs them all again on the bundle (scripts/on-bundle.mjs); this one also
// runs the shared vectors and an instance's main path through the bundle
// when the suites run on src/, so a minifier or bundling mistake fails in
// either run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as source from '../src/index.js';
import { artifact, Clock, FakeServer, FakeDocument, FakeWindow, readJson } from './helpers.js';

const bundleUrl = new URL('../dist/tessera.js', import.meta.url);
assert.ok(existsSync(bundleUrl), 'dist/tessera.js is missing: run `node scripts/build.mjs`');
const bundle = await import(bundleUrl);

test('the bundle exports what src/index.js exports', () => {
  assert.deepEqual(Object.keys(bundle).sort(), Object.keys(source).sort());
});

test('the bundle answers every condition and hash vector', async () => {
  const core = await bundle.loadCore();
  for (const c of readJson('tests/cases/conditions.json').cases) {
    assert.equal(core.evalCondition(c.attributes, c.condition, c.savedGroups), c.expected, c.name);
  }
  for (const [seed, value, version, expected] of readJson('tests/cases/hashing.json').hash) {
    assert.equal(core.hash(seed, value, version), expected);
  }
  assert.equal(core.renderTemplate('Hi {{name}}', { name: '<b>' }), 'Hi &lt;b&gt;');
  assert.throws(() => core.evalCondition(null, {}), TypeError);
});

test('a bundled instance gates on consent, decides and sends one signal', async () => {
  const server = new FakeServer();
  const map = new Map();
  const t = await bundle.createTessera({
    site: 'demo', endpoint: 'https://collect.example', writeKey: 'wk_test', artifact,
    storage: bundle.memoryBackend(map), transport: server.send, now: new Clock().now,
    random: () => 0.5, format: 'json', flushIntervalMs: 0,
    window: new FakeWindow(), document: new FakeDocument(), warn: () => {},
  });
  assert.equal(t.track('page_view', {}).ok, false, 'no tracking before consent');
  assert.equal(map.size, 0);
  assert.equal(t.consent.set({ analytics: true, personalization: true }).ok, true);
  t.identify('user-42', { name: 'Ada' });
  assert.equal(t.track('Purchase Complete', { value: 30.25, currency: 'eur' }).ok, true);
  assert.deepEqual(t.segments(), ['recent_buyers']);
  assert.equal(t.decide('hero').html, '<h2>Thanks, Ada!</h2>');
  assert.equal((await t.flush()).sent, 1);
  const [signal] = server.signals();
  assert.equal(signal.site, 'demo');
  assert.ok(signal.agg.purchase_complete);
  assert.throws(() => t.track(42), TypeError);
  t.destroy();
});
