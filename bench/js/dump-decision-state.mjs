// Writes the decision benchmark's state after its history (the artifact, the
// visitor's saved profile and consent, the clock), for bench/decision_replay
// to replay the same decisions natively, e.g. under callgrind:
//
//   node bench/js/dump-decision-state.mjs [DIR]     (default build/decision-state)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTessera, memoryBackend } from '../../js-wrapper/src/index.js';
import { benchArtifact, playHistory, START_MS, HOUR } from './fixtures.mjs';

const dir = process.argv[2] ?? 'build/decision-state';
const clock = { ms: START_MS };
const artifact = benchArtifact();
const tessera = await createTessera({
  site: 'bench', artifact, storage: memoryBackend(), now: () => clock.ms,
});
if (tessera.disabled) throw new Error('the wasm core did not load (run the wasm build first)');
tessera.consent.set({ analytics: true, personalization: true });
playHistory(tessera, clock);
clock.ms += 2 * HOUR;  // as decision.bench.mjs does before timing

mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'artifact.json'), JSON.stringify(artifact));
writeFileSync(join(dir, 'profile.bin'), tessera.engine._saveProfile());
writeFileSync(join(dir, 'consent.json'), tessera.engine._consentRecord());
writeFileSync(join(dir, 'now.txt'), String(clock.ms));
console.log(`decision state written to ${dir}`);
tessera.destroy();
