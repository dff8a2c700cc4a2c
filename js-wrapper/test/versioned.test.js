// The snippet's entry, dist/boot.js, imports the build's versioned files
// (scripts/build.mjs): names that carry a hash of the three files' contents,
// so tessera-server lets browsers cache them for good and a page never mixes
// two builds. They must name one another, match the plain build, and work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const read = (name) => readFileSync(new URL(name, dist));
const boot = read('boot.js').toString('utf8');
const version = /from"\.\/tessera\.([0-9a-f]{12})\.js"/.exec(boot)?.[1];

test('boot.js imports the versioned bundle of this build', () => {
  assert.ok(version, `no versioned import in dist/boot.js: ${boot.slice(0, 120)}`);
  const hash = createHash('sha256');
  for (const name of ['tessera_core.wasm', 'tessera_core.mjs', 'tessera.js']) hash.update(read(name));
  assert.equal(version, hash.digest('hex').slice(0, 12), 'the name is the hash of the contents');
});

test('the versioned files name one another and equal the plain build', () => {
  assert.ok(read(`tessera_core.${version}.wasm`).equals(read('tessera_core.wasm')));
  assert.ok(read(`tessera_core.${version}.mjs`).equals(read('tessera_core.mjs')));
  const bundle = read(`tessera.${version}.js`).toString('utf8');
  assert.equal(bundle.replace(`"./tessera_core.${version}.mjs"`, '"../dist/tessera_core.mjs"')
      .replace(`"./tessera_core.${version}.wasm"`, '"../dist/tessera_core.wasm"'),
  read('tessera.js').toString('utf8'));
});

test('the versioned bundle loads its own loader and wasm', async () => {
  const bundle = await import(new URL(`tessera.${version}.js`, dist));
  const core = await bundle.loadCore();
  assert.equal(core.evalCondition({ country: 'FR' }, { country: { $in: ['FR', 'BE'] } }), true);
  assert.equal(core.renderTemplate('{{a}}', { a: 1 }), '1');
});

test('only this build and the previous one are kept', () => {
  const versions = new Set(readdirSync(dist)
      .map((name) => /^tessera(?:_core)?\.([0-9a-f]{12})\./.exec(name)?.[1]).filter(Boolean));
  assert.ok(versions.has(version));
  assert.ok(versions.size <= 2, `versions in dist/: ${[...versions]}`);
});
