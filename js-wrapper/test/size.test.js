// Size is a requirement: the whole SDK as a browser downloads it, each file
// compressed on its own: the wasm, the generated loader (minified) and the
// wrapper bundle (src/ minified into one module by scripts/build.mjs), in
// their versioned forms (dist/tessera.<hash>.js and so on), which name one
// another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const root = new URL('../', import.meta.url);
// What the snippet loads: dist/boot.js imports the build's versioned bundle,
// which loads the loader and the wasm of the same build.
const version = /\.\/tessera\.([0-9a-f]{12})\.js/.exec(readFileSync(new URL('dist/boot.js', root), 'utf8'))[1];
const files = [`dist/tessera_core.${version}.wasm`, `dist/tessera_core.${version}.mjs`, `dist/tessera.${version}.js`];
// For the record only: the readable modules the bundle is made from.
const sources = readdirSync(new URL('src/', root)).filter((f) => f.endsWith('.js')).map((f) => `src/${f}`);

// The target (issue 3) is 50 KB gzipped for everything; the build is not
// there yet (see docs/BENCHMARKS.md, "SDK size": 101,941 bytes). This ceiling
// stops it from growing while the gap is closed; lower it with every cut.
// (Raised from 100,000 for the decisions that update only the
// attributes their conditions read, +2.1 KB for decisions ~1.5x faster,
// and the profile checksum four bytes at a time, +0.2 KB for page() 12%
// faster; then +1.5 KB for the segment list kept in place, readers flagged
// by the paths that changed (within what their last choice read), window
// tallies on demand, a table base64 encoder and storage sizes kept instead
// of re-read on every write: the decision after
// a page view ~1.7x faster and page() ~15% faster. Lowered to 101,596 by
// the host's Number for rare number conversions; then +135 B for refusing,
// with a message, what the core cannot read instead of answering undefined
// or losing a character next to a lone surrogate; +106 B for refusing
// events dated more than a day ahead, which stayed in every window; +109 B
// for a TypeError on a misspelt on() event or a render() root that is no
// element, which failed silently; +6 B for exporting EVENT_NAMES, which lets
// the snippet's boot load this bundle instead of the ten readable modules,
// 10 KB more gzipped; +96 B for a stored artifact deciding the page at once
// (revalidated in the background) and one impression per element and
// variant however often a page renders; +331 B for a timeout on
// requests never answered, which held the signal queue or the start for
// good, and for leaving a signal another page is still sending alone; +185 B
// for keeping the artifact's max-age, so pages within it ask nothing; +86 B
// for hearing a consent platform or Google tag that loads after the SDK;
// +33 B for the artifact's body under the request timeout too; +38 B for a
// page view when a page comes back from the back/forward cache; +8 B for
// the versioned names the bundle gives the loader and the wasm. Lowered to
// 102,330 by saturating float-to-int, bulk memory and sign extension in the
// wasm, which Safari 15+ and every ES2020 browser have: -0.4 KB; to 102,125
// by -fmerge-all-constants: -0.2 KB; to 102,040 without static destructors
// and with whole-program devirtualization: -85 B; to 101,215 by terser's
// passes after esbuild's over the loader and the bundle: -0.8 KB; then
// +232 B for pages that enforce Trusted Types, where filling a slot threw
// and the snippet could not even load the SDK; +430 B for previews, so a
// marketer can check each variant of a slot from the page URL without
// being counted; +237 B for delivery that stops on a withdrawal or forget()
// mid-flush, never resends what another page sent meanwhile, drops a
// damaged queue entry instead of stalling, and retries when its backoff ends;
// +331 B for tabs that follow another tab's consent choice or erasure at
// once, instead of sending on or writing the erased profile back; +190 B for
// options the SDK cannot use refused with a TypeError (a bad consentPolicy
// started an engine for no site), Web Storage objects accepted as storage,
// and in-page anchors no longer counted as page views; the snippet empties
// its style instead of removing it, so a late SDK hides nothing again; +80 B
// for Web Crypto on Node 18 and the members the types promise on the
// instance handed out when WebAssembly cannot run; +920 B for splitting a
// signal over the artifact's maxBatchBytes into signals that fit, where it
// was dropped whole; +33 B for resetting an unreadable stored artifact with a
// warning, which was loaded and refused again on every page; +23 B for
// believing no stored lease or artifact freshness past its longest, which a
// damaged value made stop sending or revalidating for good; +36 B for
// keeping every request under 60 KiB even when the artifact allows 64.
// Lowered to 102,880 by registering only the Embind types the bindings use
// instead of linking libembind's every built-in type: -0.9 KB; to 101,260
// by -fno-rtti, which that made pay: -1.6 KB; to 101,075 by building
// problem and status strings out of line: -0.2 KB; to 100,700 by short
// names for the bundle's internal members (scripts/build.mjs): -0.4 KB; to
// 100,520 without libm's frexp and ldexp (the double's bits instead): -0.2 KB;
// to 100,080 by Embind type handlers for just the types the bindings pass
// (wasm/embind_used_types.js): -0.4 KB; to 99,835 by an invoker for plain
// functions only (wasm/embind_lean_runtime.js): -0.2 KB; to 99,605 by the
// browser's TextEncoder for strings passed in: -0.2 KB; to 99,435 by
// Embind's error types as plain subclasses: -0.2 KB; to 98,495 by a tagged
// union for tessera::Value instead of std::variant: -0.9 KB; to 98,480 by
// TextToJs without a dead fallback: -18 B; then +8 B for one Value
// construction and one number registration in place of two copies each;
// +14 B for render(element) filling the element itself when it is a slot;
// +19 B for a TypeError on an antiFlickerMs that meant no wait silently;
// +26 B for not deciding nor counting a slot that a filled slot replaced;
// +1 B for a pushState after a replaceState counted as the page view it is;
// +422 B for the browser's context (device class, local time offset,
// language, page) given to the core, so that context.hour and the signals'
// hours are local time, and a signal's ctx keeping to its schema; +59 B for
// a wasm that cannot load named in the console error, and TypeErrors for a
// storageCapBytes that is no size and for loadCore() options; +130 B for
// filling the slots a page adds after its first render (MutationObserver;
// +23 B more for leaving alone what lands in a filled slot, so a template
// holding its own slot cannot recurse);
// +40 B for destroy() leaving other scripts' wrappers of dataLayer.push and
// history.pushState in place (wrap-method.js); +386 B for decisions that stay
// incremental when the context changes (a single-page app's every page):
// the memo updates the context paths it watches in place, and only after a
// change; the page's context rebuilt only when its URL or quarter hour moved;
// +55 B for identify() needing personalization and its withdrawal forgetting
// the user id and traits, which stayed stored under analytics alone; +213 B
// for a withdrawal of marketing dropping the queued signals flagged for
// email use (mkt), which were still sent; +60 B for erasing what was stored
// and queued when an artifact's stricter policy withdraws consent, which
// stayed in localStorage; +8 B for dropping, on a page where marketing is
// refused (Global Privacy Control), the signals queued for email use; +2 B
// where those changes met the others in one build; +22 B for an opt-out
// artifact's defaults letting the profile be stored and restored; +23 B for
// not looking up the built-in context members to see if they are there;
// +187 B for profile sums that saturate instead of overflowing (an infinite
// sum made the stored profile unreadable, so it was reset) and sums of
// whole-cent prices added exactly as cents (64.13 + 35.8 + 0.07 gave
// 99.99999999999999, which a rule "sum >= 100" missed); +62 B for summing
// a window as doubles first and taking the exact path only when needed;
// +38 B for the signals' event sums exact in cents too; +68 B for refusing
// a consent policyVersion over 64 bytes (artifact or page option), which
// every signal carries and the server refuses past 64, so the whole site's
// signals were refused; +12 B for sending as text/plain as the page goes
// away, so a cross-origin sendBeacon is not refused for want of a preflight
// and the signal lost; +52 B for a hidden page sending its whole queue at
// once (within the 64 KiB keepalive budget), where an earlier page's
// unanswered signal, sent again first, held back the page's own until a
// next visit; +22 B for a hidden page not waiting for a flush under way,
// whose request (waiting for its preflight, in Chromium) dies with the
// page, and sending that signal again with keepalive; +6 B for keeping a
// signal handed to sendBeacon queued (its true says nothing of delivery: a
// tab hidden while offline lost the signal); +28 B for a page back from the
// bfcache catching up with a consent withdrawal or forget() made on another
// page meanwhile before its page view (Chromium delivers the held-back
// storage events after pageshow: the erased profile was written back);
// +14 B for erasing, when a page starts, what was kept under a purpose
// refused since the last page (a new page policy, an unreadable stored
// choice): the old queue was sent after the next grant;
// +15 B for a profile read back without personalization losing its user id
// and traits (the wasm's +17 B, less the 2 B page() saved by cutting its
// url at the fragment too); +17 B for forget() erasing what earlier pages
// stored when WebAssembly cannot run on this one (it did nothing); +39 B
// for calls into a destroyed instance refused as TypeErrors before the core,
// where each trapped and leaked wasm stack until every instance died; +24 B
// for a stored signal count that is no count (Infinity) starting again, as
// the server refused every signal past 2^53 - 1; +59 B for consent sources
// that throw or cannot be read (a broken __tcfapi, TCData or a dataLayer
// value that cannot be serialized) no longer failing createTessera or the
// page's own dataLayer.push, for a Consent Mode value the core refuses no
// longer staying in the merged state to have every later update refused,
// and for reading only a dataLayer entry's own members (polluted prototypes
// made every entry a grant); +8 B for reading only the options' own members
// (a polluted Object.prototype.consentPolicy granted every purpose); -24 B
// with an artifact's signal settings read as its own members (a polluted
// Object.prototype.endpoint took the signals), in fewer bytes than before;
// +4 B where the browser and security audits' changes met in one build;
// +42 B for showing the default at once in the slots a page has the SDK
// render when personalization is withdrawn (here or in another tab) or the
// visitor forgotten: the chosen content stayed on screen until the next page;
// +18 B for a TypeError on an argument with no JSON
// text (a function, a Symbol, toJSON() answering undefined), which reached
// the core's binding and came back as an Embind BindingError; +43 B for a
// destroyed instance refusing calls with a TypeError and its filled slots'
// clicks going to the next instance, where they trapped in the wasm; +16 B
// for a TypeError on a timer option of 2^31 ms or more, which fired at once
// (a flush every millisecond, every request abandoned as it started); +305 B
// for JSON objects parsed in linear time (a hash index of the keys once an
// object has 32): a page's object of 16,000 keys passed to track(),
// identify(), consent.set() or setContext() froze it for 0.5 s, 100,000 keys
// for about 20 s; -35 B where the security and fuzz audits' two fixes for a
// destroyed instance became one; +67 B for refusing traits with more keys
// than fit in 16 KB before merging them one by one (8,000 keys: 135 ms on
// the main thread, now 9 ms); +3 B for destroy() showing the defaults of
// slots still hidden as undecided (they stayed hidden for antiFlickerMs);
// +15 B for a page back from the bfcache counted and caught up with consent
// and erasures under `spa: false` too (that option is about history only);
// +13 B for removing a TCF listener whose CMP stub answers after destroy()
// (it stayed registered and fed a destroyed instance); +107 B for keeping
// what the visitor refused through consent.set() from being re-granted by a
// CMP's replayed TCF or Consent Mode state on the next page;
// -34 B for $regex text decoded by length (a NUL cut pattern and subject);
// +874 B for $ini/$nini/$alli lowering all of Unicode as toLowerCase does (a
// table of 184 runs): 1,027 capitals, the Kelvin sign, Georgian, Deseret
// and U+0130 among them, compared unfolded, unlike GrowthBook; +350 B for
// the final-sigma rule in the same operators: "ΠΑΤΡΑΣ" lowered to "πατρασ",
// not "πατρας", so a Greek word in capitals never matched its lower case;
// +71 B for lower-case letters with no capital (ς, ı, µ, IPA) counted as
// cased there: "ςΣ" lowered to "ςσ"; +16 B where the consent and
// differential branches met in one build.)
const CEILING_GZIP_BYTES = 102_490;
export const TARGET_GZIP_BYTES = 50 * 1024;

function sizes(list = files) {
  return list.map((file) => {
    const bytes = readFileSync(new URL(file, root));
    return {
      file,
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  });
}

test('the SDK stays under its size ceiling (gzip -9), brotli reported', () => {
  const rows = sizes();
  const total = (key) => rows.reduce((sum, r) => sum + r[key], 0);
  for (const r of rows) console.log(`size: ${r.file} raw ${r.raw} gzip ${r.gzip} brotli ${r.brotli}`);
  console.log(`size: total gzip ${total('gzip')} brotli ${total('brotli')} (target ${TARGET_GZIP_BYTES})`);
  const readable = sizes(sources).reduce((sum, r) => sum + r.gzip, 0);
  console.log(`size: (src/*.js unminified, not shipped to browsers: gzip ${readable} in ${sources.length} files)`);
  assert.ok(total('gzip') <= CEILING_GZIP_BYTES, `gzip total ${total('gzip')} > ${CEILING_GZIP_BYTES}`);
});

test('the inline snippet is under 1 KB gzipped', () => {
  const snippet = readFileSync(new URL('snippet/snippet.js', root));
  const gz = gzipSync(snippet, { level: 9 }).length;
  assert.ok(gz < 1024, `snippet is ${gz} bytes gzipped`);
});
