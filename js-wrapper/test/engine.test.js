// The engine object over the core's handle-based bindings (src/engine.js):
// engines are independent, a destroyed one fails loudly instead of reaching
// another engine's state, and byte results are copies the caller owns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModule } from '../src/loader.js';
import { createEngine } from '../src/engine.js';
import { artifact } from './helpers.js';

const module = await loadModule();
const NOW = Date.UTC(2026, 10, 23, 12);
const options = (visitorId) => JSON.stringify({ site: 'demo', visitorId, gpc: false });
const grantAll = JSON.stringify({ analytics: true, personalization: true, marketing: true });

test('two engines keep separate state; a destroyed one throws', () => {
  const a = createEngine(module, options('a'.repeat(32)));
  const b = createEngine(module, options('b'.repeat(32)));
  for (const e of [a, b]) {
    assert.equal(JSON.parse(e._loadArtifact(JSON.stringify(artifact), NOW)).ok, true);
    JSON.parse(e._setConsent(grantAll, 'api', NOW));
  }
  assert.equal(JSON.parse(a._identify('u1', JSON.stringify({ predicted_clv: 900 }), NOW)).ok, true);
  assert.deepEqual(JSON.parse(a._segments(NOW)), ['high_value']);
  assert.deepEqual(JSON.parse(b._segments(NOW)), []);

  a.delete();
  // Refused before the core, where an unknown handle traps (the module is shared).
  assert.throws(() => a._segments(NOW), /this instance was destroyed/);
  a.delete();  // again: nothing to do
  assert.deepEqual(JSON.parse(b._segments(NOW)), [], 'the other engine is untouched');
  b.delete();
});

test('byte results are copies, unchanged by later calls', () => {
  const e = createEngine(module, options('c'.repeat(32)));
  e._loadArtifact(JSON.stringify(artifact), NOW);
  e._setConsent(grantAll, 'api', NOW);
  e._track('page_view', '{}', '', NOW);
  const profile = e._saveProfile();
  assert.ok(profile instanceof Uint8Array && profile.length > 0);
  assert.equal(profile.byteOffset, 0);
  assert.equal(profile.buffer.byteLength, profile.length, 'its own buffer, not the wasm heap');
  const before = Array.from(profile);
  const signal = e._flush('id-1', 1, 'json', NOW);
  assert.match(new TextDecoder().decode(signal), /"page_view"/);
  for (let i = 0; i < 20; i++) e._track(`event_${i}`, '{}', '', NOW);
  e._saveProfile();
  assert.deepEqual(Array.from(profile), before);

  // The copy restores into a fresh engine: bytes go in as they came out.
  const restored = createEngine(module, options('d'.repeat(32)));
  assert.equal(JSON.parse(restored._restoreProfile(profile)).ok, true);
  assert.equal(JSON.parse(restored._restoreProfile(new Uint8Array([1, 2, 3]))).ok, false);
  e.delete();
  restored.delete();
});
