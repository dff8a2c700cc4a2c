// A destroyed instance refuses calls in JavaScript. Into the core they trap,
// and a trap leaves the wasm stack pointer where it was: a few hundred late
// calls (a stale reference in a single-page app, a CMP calling back) used
// to kill every instance of the page, which share one module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { pageOptions } from './helpers.js';

test('calls into a destroyed instance are TypeErrors and leave the others working', async () => {
  const stale = await createTessera(pageOptions());
  stale.destroy();
  const live = await createTessera(pageOptions());
  assert.throws(() => stale.decide('hero'), TypeError);
  assert.throws(() => stale.track('page_view', {}), TypeError);
  for (let i = 0; i < 5000; i++) {
    try { stale.decide('hero'); } catch { /* refused, as above */ }
  }
  assert.equal(live.decide('hero').ok, true, 'the live instance still decides');
  stale.destroy();  // a second destroy() is harmless
  live.destroy();
});
