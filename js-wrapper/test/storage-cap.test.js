// The storage byte cap: what this site keeps in the backend stays under
// capBytes; a write past it stays in memory (readable, with one warning),
// other sites' keys do not count, and removing a key makes room again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SiteStorage } from '../src/storage.js';
import { memoryBackend } from '../src/index.js';

function storage(backend, warnings, capBytes = 100) {
  const s = new SiteStorage({ site: 'shop', backend, capBytes, warn: (m) => warnings.push(m) });
  s.setPersistent(true);
  return s;
}

test('writes past the cap stay in memory, with one warning', () => {
  const backend = memoryBackend();
  const warnings = [];
  const s = storage(backend, warnings);
  // Each entry costs its key ("tessera:shop:" + name) plus its value.
  assert.equal(s.set('a', 'x'.repeat(40)), true);      // 13 + 1 + 40 = 54
  assert.equal(s.set('b', 'y'.repeat(40)), false);     // 54 + 54 > 100
  assert.equal(backend.getItem('tessera:shop:b'), null);
  assert.equal(s.get('b'), 'y'.repeat(40));            // still readable
  assert.equal(s.set('c', 'z'.repeat(50)), false);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /cap of 100 bytes/);
  // Rewriting a key counts its new size, not both.
  assert.equal(s.set('a', 'x'.repeat(80)), true);      // 94
  assert.equal(s.set('a', 'x'.repeat(90)), false);     // 104
  assert.equal(backend.getItem('tessera:shop:a'), 'x'.repeat(80));
  // Removing makes room.
  s.remove('a');
  assert.equal(s.set('b', 'y'.repeat(40)), true);
  assert.equal(backend.getItem('tessera:shop:b'), 'y'.repeat(40));
});

test('keys already stored count, other sites\' keys do not', () => {
  const backend = memoryBackend();
  backend.setItem('tessera:shop:old', 'o'.repeat(60));  // 16 + 60 = 76
  backend.setItem('tessera:other:big', 'b'.repeat(500));
  backend.setItem('unrelated', 'u'.repeat(500));
  const warnings = [];
  const s = storage(backend, warnings);
  assert.equal(s.set('a', 'x'.repeat(20)), false);     // 76 + 34 > 100
  assert.equal(s.set('a', 'x'.repeat(5)), true);       // 76 + 19 = 95
  s.clear();
  assert.equal(backend.getItem('tessera:other:big'), 'b'.repeat(500));
  assert.equal(s.set('a', 'x'.repeat(80)), true);      // room again after clear
});
