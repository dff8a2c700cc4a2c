// Builds what browsers download (size is a requirement, see test/size.test.js):
//   dist/tessera_core.mjs  the Emscripten loader, minified in place (the wasm
//                          build copies it here; minifying twice is harmless)
//   dist/tessera.js        src/index.js and its modules as one minified ES module
// src/ stays the readable source of truth; Node resolves the package to src/,
// browsers and bundlers (the "browser" export condition) to dist/tessera.js.
// Usage: node scripts/build.mjs   (after the wasm build filled dist/)
import { build, transform } from 'esbuild';
import { readFileSync, writeFileSync } from 'node:fs';

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
