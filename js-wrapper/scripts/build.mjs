// Builds what browsers download (size is a requirement, see test/size.test.js):
//   dist/tessera_core.mjs  the Emscripten loader, minified in place (the wasm
//                          build copies it here; a minified one is left as is)
//   dist/tessera.js        src/index.js and its modules as one minified ES module
//   dist/tessera.H.js, dist/tessera_core.H.mjs, dist/tessera_core.H.wasm
//                          the same three under names that carry H, a hash of
//                          their contents, each referring to the others by
//                          those names: servers may let browsers cache them
//                          for good (tessera-server: immutable), and a page
//                          never mixes files of two builds
//   dist/boot.js           snippet/boot.js minified, importing tessera.H.js:
//                          the snippet's entry, the one file revalidated
//   dist/*.gz, dist/*.br   each of those and the wasm precompressed (gzip -9,
//                          brotli 11), which tessera-server sends to browsers
//                          that accept them (as nginx's gzip_static does)
// The versioned files of the previous build stay (pages that loaded its
// boot.js may still ask for them); older ones are removed.
// src/ stays the readable source of truth; Node resolves the package to src/,
// browsers and bundlers (the "browser" export condition) to dist/tessera.js.
// Usage: node scripts/build.mjs   (after the wasm build filled dist/)
import { build, transform } from 'esbuild';
import { minify } from 'terser';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const root = new URL('../', import.meta.url);
const target = ['es2020'];

// esbuild minifies fast; terser's extra passes then find what it leaves
// (-0.8 KB gzip over the loader and the bundle).
async function minifyFurther(code, mangle = true) {
  const result = await minify(code, {
    module: true, ecma: 2020, compress: { passes: 3 }, mangle, format: { comments: false },
  });
  return result.code;
}

// Members of the SDK's own classes that nothing outside the bundle names: the
// bundle renames them to short names (-0.4 KB gzip). A name qualifies only if
// no caller, option, event detail, stored record or wasm result uses it, so
// the list leaves out the public API (index.d.ts), the snippet's calls, the
// storage and queue record keys and whatever the tests reach into (engine,
// options, storage). Terser also leaves alone every name in its list of DOM
// properties. Forgetting a new internal name only costs bytes; the check
// below refuses a listed name that becomes public.
const INTERNAL_PROPERTIES = [
  'adoptConsent', 'afterConsent', 'applySignalSettings', 'applyStoragePermission', 'armFlushTimer',
  'artifactSignals', 'artifactText', 'attachToPage', 'attempts', 'baseDelayMs', 'claimLeadership',
  'cleanups', 'consentState', 'debugOn', 'decideAt', 'deliver', 'doc', 'drain', 'fillHtml',
  'flushTimer', 'flushTimerMs', 'followOtherTab', 'forgetHere', 'forgetQueue', 'generation',
  'inFlight', 'isBeingSent', 'isLeader', 'keepFreshFor', 'lastDecisions', 'loadArtifactFrom',
  'markSending', 'maxDelayMs', 'maxQueue', 'notBefore', 'onEvent', 'pendingArtifactUrl',
  'persistProfile', 'persistent', 'profileStamp', 'purge', 'readQueue', 'releaseLeadership',
  'removeFromQueue', 'restoreProfile', 'retryTimer', 'revealSlots', 'saveProfile', 'scheduleRetry',
  'applyContext', 'appliedContext', 'contextHref', 'contextQuarter', 'setConsent', 'setPersistent', 'setTarget', 'siteContext', 'shownVariants', 'signalFormat', 'syncFromStorage',
  'timeoutMs', 'unchangedText', 'usedBytes', 'waitingForNetwork', 'warnOnce', 'warned', 'watchingSlots', 'writeQueue',
];
const publicText = ['src/index.d.ts', 'snippet/boot.js']
  .map((file) => readFileSync(new URL(file, root), 'utf8')).join('\n');
const madePublic = INTERNAL_PROPERTIES.filter((name) => new RegExp(`\\b${name}\\b`).test(publicText));
if (madePublic.length > 0) {
  throw new Error(`scripts/build.mjs: ${madePublic.join(', ')} named in index.d.ts or boot.js: take them off INTERNAL_PROPERTIES`);
}
const bundleMangle = { properties: { regex: new RegExp(`^(?:${INTERNAL_PROPERTIES.join('|')})$`) } };

const gluePath = new URL('dist/tessera_core.mjs', root);
const glue = readFileSync(gluePath, 'utf8');
const minified = await transform(glue, { minify: true, format: 'esm', target });
// Minifying again renames differently without saving bytes, which would
// give every run a new version hash: an already minified loader stays.
if (minified.code.length < glue.length * 0.95) {
  writeFileSync(gluePath, await minifyFurther(minified.code));
}

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
const bundlePath = new URL('dist/tessera.js', root);
writeFileSync(bundlePath, await minifyFurther(readFileSync(bundlePath, 'utf8'), bundleMangle));

const read = (name) => readFileSync(new URL(`dist/${name}`, root));
const hash = createHash('sha256');
for (const name of ['tessera_core.wasm', 'tessera_core.mjs', 'tessera.js']) hash.update(read(name));
const version = hash.digest('hex').slice(0, 12);
const versioned = (name) => name.replace(/\.(m?js|wasm)$/, (ext) => `.${version}${ext}`);

// The bundle finds the loader and the wasm as '../dist/<name>' (right for
// src/ and for dist/ alike); the versioned bundle names their versions.
function replaceOnce(text, from, to, what) {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`${what}: expected '${from}' once, found ${parts.length - 1}`);
  return parts.join(to);
}
let bundle = read('tessera.js').toString('utf8');
for (const name of ['tessera_core.mjs', 'tessera_core.wasm']) {
  bundle = replaceOnce(bundle, `"../dist/${name}"`, `"./${versioned(name)}"`, 'dist/tessera.js');
}
writeFileSync(new URL(`dist/${versioned('tessera.js')}`, root), bundle);
for (const name of ['tessera_core.mjs', 'tessera_core.wasm']) {
  writeFileSync(new URL(`dist/${versioned(name)}`, root), read(name));
}
const boot = replaceOnce(readFileSync(new URL('snippet/boot.js', root), 'utf8'),
    "'../dist/tessera.js'", `'./${versioned('tessera.js')}'`, 'snippet/boot.js');
writeFileSync(new URL('dist/boot.js', root),
    await minifyFurther((await transform(boot, { minify: true, format: 'esm', target })).code));

// Keep this build's versioned files and the previous build's.
const isVersioned = /^tessera(_core)?\.([0-9a-f]{12})\.(m?js|wasm)$/;
const builds = new Map();  // version -> newest modification time
for (const name of readdirSync(new URL('dist/', root))) {
  const match = isVersioned.exec(name);
  if (!match) continue;
  const time = statSync(new URL(`dist/${name}`, root)).mtimeMs;
  builds.set(match[2], Math.max(builds.get(match[2]) ?? 0, match[2] === version ? Infinity : time));
}
const kept = new Set([...builds.entries()].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([v]) => v));
for (const name of readdirSync(new URL('dist/', root))) {
  const match = /^tessera(_core)?\.([0-9a-f]{12})\./.exec(name);
  if (match && !kept.has(match[2])) rmSync(new URL(`dist/${name}`, root));
}

const shipped = ['tessera_core.wasm', 'tessera_core.mjs', 'tessera.js'];
for (const name of [...shipped, ...shipped.map(versioned), 'boot.js']) {
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
