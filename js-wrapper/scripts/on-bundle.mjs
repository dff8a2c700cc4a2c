// Runs the suites against what browsers download: `node --import
// ./scripts/on-bundle.mjs --test` makes every relative import of
// src/index.js load the minified bundle dist/tessera.js instead (the
// package name still resolves through the exports map, which
// test/package.test.js checks; scripts/test-js.sh runs the suites both ways). The bundle renames internal members and is built by
// other tools than the readable modules, so a mistake there shows up as a
// failing behaviour test, not only in test/bundle.test.js.
import { register } from 'node:module';
import { isMainThread } from 'node:worker_threads';

const source = new URL('../src/index.js', import.meta.url).href;
const bundle = new URL('../dist/tessera.js', import.meta.url).href;

// Node's module hooks run on their own thread, which loads this file again.
if (isMainThread) {
  register(import.meta.url);
  process.env.TESSERA_SDK_ON_BUNDLE = '1';  // for the one test about resolution itself
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  const relative = specifier.startsWith('.');
  return relative && resolved.url === source ? { ...resolved, url: bundle } : resolved;
}
