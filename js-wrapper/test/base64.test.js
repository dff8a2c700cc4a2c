// The stored profile's and offline queue's base64: the table encoder must
// write exactly what btoa (and Node's Buffer) write, at every length's
// padding, and base64ToBytes must read it back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64ToBytes, bytesToBase64 } from '../src/storage.js';

function randomBytes(length, seed) {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

test('bytesToBase64 writes what Buffer and btoa write, at every padding', () => {
  for (let length = 0; length <= 200; length++) {
    const bytes = randomBytes(length, length + 1);
    const expected = Buffer.from(bytes).toString('base64');
    assert.equal(bytesToBase64(bytes), expected, `length ${length}`);
    assert.equal(bytesToBase64(bytes), btoa(String.fromCharCode(...bytes)), `length ${length}`);
  }
});

test('every byte value survives the round trip', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(base64ToBytes(bytesToBase64(all)), all);
  const large = randomBytes(70_000, 7);  // past any chunking boundary
  assert.deepEqual(base64ToBytes(bytesToBase64(large)), large);
});
