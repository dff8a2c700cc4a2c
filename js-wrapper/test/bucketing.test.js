// The shared experiment-assignment vectors (tests/cases/bucketing.json, with
// GrowthBook's answers) through the whole SDK: an artifact slot runs each
// experiment and decide() assigns the visitor. The C++ suite runs the same
// vectors against the core's Assign(); here the artifact parser, the
// engine's attributes and the wasm build are on the path too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTessera, memoryBackend } from '../src/index.js';
import { readJson } from './helpers.js';

const { experiments, cases } = readJson('tests/cases/bucketing.json');

// One slot per experiment, its variants the experiment's variations and its
// default the first (GrowthBook's answer outside the experiment). The
// vectors hash `id` or `deviceId`; in the SDK the page's user id is the
// attribute a site hashes on, so the experiments hash `userId` and each case
// identifies the visitor with its value. Artifact experiment keys are
// unique, so each is keyed by its vector name, its seed kept (GrowthBook
// seeds with the key when there is no seed).
const artifact = {
  schema_version: 1, version: 'bucketing', site: 'demo',
  slots: Object.entries(experiments).map(([name, experiment]) => ({
    id: name,
    default: experiment.variations[0],
    experiment: name,
    variants: experiment.variations.map((id) => ({ id, template: id })),
  })),
  experiments: Object.entries(experiments).map(([name, experiment]) => ({
    ...experiment, key: name, seed: experiment.seed ?? experiment.key, hashAttribute: 'userId',
  })),
};

test('decide() assigns every visitor of the shared vectors as GrowthBook does', async () => {
  const t = await createTessera({ site: 'demo', storage: memoryBackend() });
  t.consent.set({ analytics: true, personalization: true });
  const loaded = t.loadArtifact(artifact);
  assert.equal(loaded.ok, true, JSON.stringify(loaded.error));
  let checked = 0;
  for (const c of cases) {
    const experiment = experiments[c.experiment];
    const value = c.attributes[experiment.hashAttribute ?? 'id'];
    // identify() takes a non-empty string; the other hash values (0, false,
    // '', absent) are the C++ suite's.
    if (typeof value !== 'string' || value === '') continue;
    assert.equal(t.identify(value).ok, true);
    const decision = t.decide(c.experiment);
    const what = `${c.experiment} for ${JSON.stringify(value)}`;
    assert.equal(decision.ok, true, what);
    assert.equal(decision.variant, c.expected.variantId, what);
    assert.equal(decision.exposure?.inExperiment ?? false, c.expected.inExperiment, what);
    if (c.expected.inExperiment) {
      assert.equal(decision.source, 'experiment', what);
      assert.equal(decision.exposure.variation, c.expected.variationIndex, what);
      assert.equal(decision.exposure.bucket, c.expected.bucket, what);
    }
    checked += 1;
  }
  assert.ok(checked >= 60, `${checked} of ${cases.length} vectors went through decide()`);
  t.destroy();
});
