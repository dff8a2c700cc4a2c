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

test('destroy() before the slots are decided shows their default at once', async () => {
  const options = pageOptions({ antiFlickerMs: 5000 });  // on failure, the run ends after it
  const hidden = [];
  options.document.head = { appendChild: (style) => hidden.push(style) };
  options.document.createElement = () => ({ remove() { hidden.splice(hidden.indexOf(this), 1); } });
  const t = await createTessera(options);
  assert.equal(hidden.length, 1, 'the slots are hidden while undecided');
  t.destroy();
  assert.equal(hidden.length, 0, 'a destroyed instance decides nothing: nothing stays hidden');
});
