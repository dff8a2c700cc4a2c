// The instance handed out when WebAssembly cannot run (CSP, an old browser,
// a .wasm that did not download) still honours an erasure request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';

test('forget() erases what earlier pages stored, even when WebAssembly cannot run', async () => {
  const map = new Map([
    ['tessera:demo:consent', '{"stored":"choice"}'], ['tessera:demo:profile', 'cHJvZmlsZQ=='],
    ['tessera:demo:queue', '[{"id":"a","b":"AA=="}]'], ['tessera:demo:seq', '3'], ['site:own', 'x'],
  ]);
  const consoleError = console.error;
  console.error = () => {};
  let t;
  try {
    t = await createTessera({ site: 'demo', storage: memoryBackend(map),
      wasmUrl: 'file:///nonexistent/tessera_core.wasm' });
  } finally {
    console.error = consoleError;
  }
  assert.equal(t.disabled, true);
  t.forget();
  assert.deepEqual([...map.keys()].sort(), ['site:own', 'tessera:demo:consent'],
      'everything but the consent choice, as forget() on a working page');
});
