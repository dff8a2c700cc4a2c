// One page-view decision through the SDK's public JS API, against
// GrowthBook's evalCondition on the same conditions, in the same process.
//
//   node bench/js/decision.bench.mjs [--rounds N] [--batch-ms MS]
//
// Tessera, per iteration: the injected clock moves 1 ms forward, so the core
// re-derives the visitor's attributes from the stored profile (40 events,
// windowed counters), evaluates the 50 rule segments, picks the variant of
// each of the 20 slots (first matching condition, else the default), renders
// its Mustache template, and returns the 20 decisions to JS as JSON, parsed
// into objects. Measured as one decideAll() and as 20 decide() calls.
//
// GrowthBook, per iteration: evalCondition on the same 50 segment conditions
// in the same order (each sees `segments` = the ids matched so far, exclusive
// groups honoured, as the core does), then for each of the 20 slots
// evalCondition on its variant conditions until the first match. It gets the
// attributes object ready-made (the one tessera.attributes() returned), and
// renders nothing. So Tessera does strictly more work per iteration.
import { evalCondition } from '@growthbook/growthbook';
import { createTessera, memoryBackend } from '../../js-wrapper/src/index.js';
import { benchArtifact, playHistory, START_MS, HOUR } from './fixtures.mjs';
import { interleaved, median, formatNs } from './timing.mjs';

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const rounds = option('--rounds', 30);
const batchMs = option('--batch-ms', 15);

async function benchInstance(artifact) {
  const clock = { ms: START_MS };
  const tessera = await createTessera({
    site: 'bench', artifact, storage: memoryBackend(), now: () => clock.ms,
  });
  if (tessera.disabled) throw new Error('the wasm core did not load (run the wasm build first)');
  tessera.consent.set({ analytics: true, personalization: true });
  const events = playHistory(tessera, clock);
  clock.ms += 2 * HOUR;
  return { tessera, clock, events };
}

const artifact = benchArtifact();
const { tessera, clock, events } = await benchInstance(artifact);
// For the breakdown: the same artifact without the variants' `data`, so the
// core renders straight from the attributes instead of a merged copy of them.
const noDataArtifact = benchArtifact();
for (const slot of noDataArtifact.slots) for (const variant of slot.variants) delete variant.data;
const noData = await benchInstance(noDataArtifact);

// ---- the peer: GrowthBook over the same conditions ------------------------
const ordered = [...artifact.segments].sort((a, b) =>
  (b.priority ?? 0) - (a.priority ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
const savedGroups = {};

function growthbookDecide(attributes) {
  const matched = [];
  const taken = new Set();
  attributes.segments = matched;
  for (const segment of ordered) {
    if (segment.group && taken.has(segment.group)) continue;
    if (evalCondition(attributes, segment.condition, savedGroups)) {
      matched.push(segment.id);
      if (segment.group) taken.add(segment.group);
    }
  }
  const variants = [];
  for (const slot of artifact.slots) {
    let chosen = slot.default;
    for (const variant of slot.variants) {
      if (variant.condition && evalCondition(attributes, variant.condition, savedGroups)) {
        chosen = variant.id;
        break;
      }
    }
    variants.push(chosen);
  }
  return variants;
}

// ---- same answers first -----------------------------------------------------
const attributes = tessera.attributes();
const tesseraSegments = tessera.segments();
const decisions = tessera.decideAll();
const gbVariants = growthbookDecide(attributes);
const gbSegments = [...attributes.segments];
const same = JSON.stringify(gbSegments) === JSON.stringify(tesseraSegments) &&
    JSON.stringify(gbVariants) === JSON.stringify(decisions.map((d) => d.variant));
if (!same || decisions.length !== 20) {
  console.error('Tessera and GrowthBook disagree; the comparison would be meaningless.');
  console.error({ tesseraSegments, gbSegments, tessera: decisions.map((d) => d.variant), gbVariants });
  process.exit(1);
}
const bySource = decisions.reduce((n, d) => ({ ...n, [d.source]: (n[d.source] ?? 0) + 1 }), {});
const conditionCount = artifact.segments.length +
    artifact.slots.reduce((n, s) => n + s.variants.filter((v) => v.condition).length, 0);

// ---- timing -------------------------------------------------------------------
const slotIds = artifact.slots.map((s) => s.id);
const engine = tessera.engine;  // internal: only for the breakdown below
const cases = {
  'tessera decideAll()': () => { clock.ms += 1; tessera.decideAll(); },
  'tessera 20x decide()': () => {
    clock.ms += 1;
    for (const id of slotIds) tessera.decide(id);
  },
  'growthbook evalCondition': () => growthbookDecide(attributes),
  // Breakdown of Tessera's time (internal calls, not public API):
  'core: derive + 50 segments': () => { clock.ms += 1; engine._segments(clock.ms); },
  'core: _decideAll, no JSON.parse': () => { clock.ms += 1; engine._decideAll(clock.ms); },
  'core: 20 slots only (cached attrs)': () => engine._decideAll(clock.ms),
  'tessera decideAll(), variants without data': () => {
    noData.clock.ms += 1;
    noData.tessera.decideAll();
  },
};
const decideAllJson = engine._decideAll(clock.ms);
const jsonParseCase = { 'JSON.parse of the 20 decisions': () => JSON.parse(decideAllJson) };
const results = interleaved({ ...cases, ...jsonParseCase }, { rounds, batchMs });

const gb = results['growthbook evalCondition'];
// GrowthBook's time over this case's, round by round (same load), then the median.
const ratio = (name, kind) =>
  median(results[name][kind].samples.map((ns, i) => gb[kind].samples[i] / ns));

console.log(`Decision benchmark: ${artifact.segments.length} segments, ${slotIds.length} slots, ` +
    `${conditionCount} conditions; profile of ${events} events; node ${process.version}`);
console.log(`Answers agree: ${tesseraSegments.length} segments matched, decisions by source ` +
    `${JSON.stringify(bySource)}; ${rounds} interleaved rounds of ~${batchMs} ms batches.`);
console.log('Times per page-view decision, median over rounds; CPU = this process\'s CPU time.');
console.log('');
console.log('| case | CPU | wall | GrowthBook ÷ this, CPU | GrowthBook ÷ this, wall |');
console.log('|---|---|---|---|---|');
for (const [name, r] of Object.entries(results)) {
  const rel = (kind) => (name === 'growthbook evalCondition' ? '' : `${ratio(name, kind).toFixed(2)}×`);
  console.log(`| ${name} | ${formatNs(r.cpu.median)} | ${formatNs(r.wall.median)} | ` +
      `${rel('cpu')} | ${rel('wall')} |`);
}
console.log('');
const best = ratio('tessera decideAll()', 'cpu');
const target = 5;
console.log(`Tessera decideAll() vs GrowthBook: ${best.toFixed(2)}× (GrowthBook CPU time ÷ Tessera's, ` +
    `median of rounds; above 1 means Tessera is faster). Target ≥ ${target}×: ` +
    `${best >= target ? 'met' : 'NOT met'}.`);
tessera.destroy();
noData.tessera.destroy();
