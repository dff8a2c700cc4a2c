// antiFlickerMs: how long createTessera() keeps undecided slots hidden.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera } from '../src/index.js';
import { pageOptions } from './helpers.js';

test('antiFlickerMs must be a finite number >= 0', async () => {
  // Each of these became a wait of 0 ms (Infinity too, in browsers) without a word.
  for (const bad of [-1, 'abc', '300', NaN, Infinity]) {
    await assert.rejects(createTessera(pageOptions({ antiFlickerMs: bad })),
        { name: 'TypeError', message: 'createTessera: antiFlickerMs must be a number >= 0 and < 2^31' }, String(bad));
  }
  for (const good of [0, 1500, undefined]) {
    (await createTessera(pageOptions({ antiFlickerMs: good }))).destroy();
  }
});
