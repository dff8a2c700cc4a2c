// The package as its users reach it: by name through the `exports` map (in
// Node, and with the browser condition a bundler or import map uses), with
// the .wasm from another place (`wasmUrl`), and on a Node without the Web
// Crypto global (Node 18).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as sources from '../src/index.js';

const packageRoot = new URL('../', import.meta.url);

function node(args, code) {
  const run = spawnSync(process.execPath, [...args, '--input-type=module', '-e', code],
      { cwd: packageRoot, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.trim();
}

// Under scripts/on-bundle.mjs `sources` is the bundle, which this compares with.
const onBundle = process.env.TESSERA_SDK_ON_BUNDLE === '1';

test("import 'tessera-sdk' resolves to the sources in Node and to the bundle for browsers",
    { skip: onBundle && 'the run on the bundle redirects src/index.js' }, async () => {
  const byName = await import('tessera-sdk');
  assert.equal(byName.createTessera, sources.createTessera);
  assert.equal(import.meta.resolve('tessera-sdk'), new URL('src/index.js', packageRoot).href);
  const browser = node(['--conditions=browser'], "console.log(import.meta.resolve('tessera-sdk'))");
  assert.equal(browser, new URL('dist/tessera.js', packageRoot).href);
  const bundle = await import(browser);
  assert.deepEqual(Object.keys(bundle).sort(), Object.keys(sources).sort());
});

test('wasmUrl loads the core from another place; a wrong one fails closed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-wasm-'));
  try {
    const moved = join(dir, 'core.wasm');
    copyFileSync(new URL('dist/tessera_core.wasm', packageRoot), moved);
    const core = await sources.loadCore({ wasmUrl: pathToFileURL(moved) });
    assert.equal(core.evalCondition({ a: 1 }, { a: { $gt: 0 } }), true);

    const errors = [];
    const consoleError = console.error;
    console.error = (message) => errors.push(message);
    try {
      const t = await sources.createTessera({ site: 'demo', wasmUrl: pathToFileURL(join(dir, 'missing.wasm')) });
      assert.equal(t.disabled, true);
      assert.equal(t.track('page_view').ok, false);
    } finally {
      console.error = consoleError;
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0], /WebAssembly core could not start/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('on a Node without the crypto global (Node 18) the SDK still mints ids', () => {
  const out = node([], `
    Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
    const { createTessera, memoryBackend } = await import('tessera-sdk');
    const t = await createTessera({ site: 'demo', storage: memoryBackend() });
    t.consent.set({ analytics: true });
    console.log(t.attributes().id);
    t.destroy();`);
  assert.match(out, /^[0-9a-f]{32}$/);
});
