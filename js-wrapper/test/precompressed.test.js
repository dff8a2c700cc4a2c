// The build writes each downloaded file precompressed beside itself
// (dist/NAME.gz and dist/NAME.br), for tessera-server to send to browsers
// that accept them: they must be the current files, compressed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const version = /\.\/tessera\.([0-9a-f]{12})\.js/.exec(readFileSync(new URL('dist/boot.js', root), 'utf8'))[1];
const files = ['dist/tessera_core.wasm', 'dist/tessera_core.mjs', 'dist/tessera.js', 'dist/boot.js',
  `dist/tessera_core.${version}.wasm`, `dist/tessera_core.${version}.mjs`, `dist/tessera.${version}.js`];

for (const file of files) {
  test(`${file} has current .gz and .br forms that decompress to it`, () => {
    const bytes = readFileSync(new URL(file, root));
    const forms = { gz: gunzipSync, br: brotliDecompressSync };
    for (const [suffix, decompress] of Object.entries(forms)) {
      const compressed = new URL(`${file}.${suffix}`, root);
      assert.ok(decompress(readFileSync(compressed)).equals(bytes), `${file}.${suffix}`);
      // The server skips a form older than its file.
      assert.ok(statSync(compressed).mtimeMs >= statSync(new URL(file, root)).mtimeMs,
        `${file}.${suffix} is older than ${file}`);
      // (boot.js, under 1 KB, shrinks by less than half.)
      const bound = bytes.length > 4096 ? bytes.length / 2 : bytes.length;
      assert.ok(readFileSync(compressed).length < bound, `${file}.${suffix} compresses`);
    }
  });
}
