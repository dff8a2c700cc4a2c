// Builds what browsers download (size is a requirement, see test/size.test.js):
//   dist/tessera_core.mjs  the Emscripten loader, minified in place (the wasm
//                          build copies it here; minifying twice is harmless)
//   dist/tessera.js        src/index.js and its modules as one minified ES module
//   dist/*.gz, dist/*.br   each of those and the wasm precompressed (gzip -9,
//                          brotli 11), which tessera-server sends to browsers
//                          that accept them (as nginx's gzip_static does)
// src/ stays the readable source of truth; Node resolves the package to src/,
// browsers and bundlers (the "browser" export condition) to dist/tessera.js.
// Usage: node scripts/build.mjs   (after the wasm build filled dist/)
import { build, transform } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const target = ['es2020'];

const gluePath = new URL('dist/tessera_core.mjs', root);
const glue = readFileSync(gluePath, 'utf8');
const minified = await transform(glue, { minify: true, format: 'esm', target });
writeFileSync(gluePath, minified.code);

await build({
  entryPoints: [new URL('src/index.js', root).pathname],
  outfile: new URL('dist/tessera.js', root).pathname,
  bundle: true,
  minify: true,
  format: 'esm',
  target,
  // The loader stays a separate file found beside the bundle (dist/); Node's
  // built-ins are only imported under Node.
  external: ['../dist/tessera_core.mjs', 'node:*'],
  legalComments: 'none',
  logLevel: 'warning',
});

for (const name of ['tessera_core.wasm', 'tessera_core.mjs', 'tessera.js']) {
  const path = new URL(`dist/${name}`, root);
  const bytes = readFileSync(path);
  writeFileSync(new URL(`dist/${name}.gz`, root), gzipSync(bytes, { level: 9 }));
  writeFileSync(new URL(`dist/${name}.br`, root), brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  }));
}
