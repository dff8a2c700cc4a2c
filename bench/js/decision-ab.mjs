// A/B of two builds of the SDK on the decision after a page view, in one
// process: for changes too small for decision.bench.mjs's noise (a few
// percent), the two builds take turns, round after round, under the same
// machine load, and the report is the median of the per-round ratios.
//
//   node bench/js/decision-ab.mjs A B [--rounds N]
//
// A and B are SDK package folders (each with src/ and dist/, like
// js-wrapper/; copy one aside before rebuilding to compare with it). Each
// iteration records a page view untimed, then times decideAll() with the
// monotonic clock; page() is timed too, for the record.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchArtifact, playHistory, START_MS, HOUR } from './fixtures.mjs';
import { median } from './timing.mjs';

const [dirA, dirB] = process.argv.slice(2, 4);
if (!dirA || !dirB) {
  console.error('usage: node bench/js/decision-ab.mjs A B [--rounds N]  (SDK package folders)');
  process.exit(2);
}
const roundsAt = process.argv.indexOf('--rounds');
const rounds = roundsAt > 0 ? Number(process.argv[roundsAt + 1]) : 25;
const ITERATIONS = 1500;
const pageProps = { path: '/products/sku-1003', category: 'shoes' };

async function instance(dir) {
  const sdk = await import(pathToFileURL(resolve(dir, 'src/index.js')).href);
  const clock = { ms: START_MS };
  const tessera = await sdk.createTessera({
    site: 'bench', artifact: benchArtifact(), storage: sdk.memoryBackend(), now: () => clock.ms,
  });
  if (tessera.disabled) throw new Error(`the wasm core in ${dir} did not load`);
  tessera.consent.set({ analytics: true, personalization: true });
  playHistory(tessera, clock);
  clock.ms += 2 * HOUR;
  return { tessera, clock };
}

function round({ tessera, clock }, iterations) {
  let decide = 0n;
  let page = 0n;
  for (let i = 0; i < iterations; i++) {
    clock.ms += 20_000;
    const t0 = process.hrtime.bigint();
    tessera.page(pageProps);
    const t1 = process.hrtime.bigint();
    tessera.decideAll();
    decide += process.hrtime.bigint() - t1;
    page += t1 - t0;
  }
  return { decide: Number(decide) / iterations, page: Number(page) / iterations };
}

const builds = { A: await instance(dirA), B: await instance(dirB) };
for (const build of Object.values(builds)) round(build, 2 * ITERATIONS);  // warm-up
const samples = { A: [], B: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of ['A', 'B']) samples[name].push(round(builds[name], ITERATIONS));
}
const us = (ns) => `${(ns / 1000).toFixed(2)} µs`;
const of = (name, key) => median(samples[name].map((s) => s[key]));
const ratio = (key) => median(samples.A.map((a, i) => a[key] / samples.B[i][key]));
console.log(`decideAll() after page(): A ${us(of('A', 'decide'))}, B ${us(of('B', 'decide'))}, ` +
    `A ÷ B ${ratio('decide').toFixed(3)} (median of ${rounds} rounds; above 1: B is faster)`);
console.log(`page(): A ${us(of('A', 'page'))}, B ${us(of('B', 'page'))}, A ÷ B ${ratio('page').toFixed(3)}`);
