// Proves that the shared hashing and bucketing vectors (tests/cases/hashing.json
// and tests/cases/bucketing.json, also run by tests/hashing_test.cpp and
// tests/content_test.cpp) are what the GrowthBook JS SDK itself computes.
//
//   cd tests/peers && npm ci && node --test
//
// To recompute every expected value after adding inputs to the vectors:
//   TESSERA_REGENERATE_VECTORS=1 node --test hashing.test.mjs
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";

import { GrowthBook } from "@growthbook/growthbook";

// hash(), getBucketRanges() etc. are not re-exported by the package's entry
// point; load the SDK's own util module next to the resolved entry, so the
// functions under test are exactly the pinned package's.
const sdkEntry = import.meta.resolve("@growthbook/growthbook");
const util = await import(new URL("./util.mjs", sdkEntry));

const casesDir = new URL("../cases/", import.meta.url);
const hashingUrl = new URL("hashing.json", casesDir);
const bucketingUrl = new URL("bucketing.json", casesDir);
const hashing = JSON.parse(fs.readFileSync(hashingUrl, "utf8"));
const bucketing = JSON.parse(fs.readFileSync(bucketingUrl, "utf8"));
const regenerate = process.env.TESSERA_REGENERATE_VECTORS === "1";

// getBucketRanges reports bad weights and coverage on the console; the
// vectors contain such inputs on purpose.
function quietly(fn) {
  const original = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = original;
  }
}

// Tessera's experiment shape is GrowthBook's, except that a missing
// hashVersion means 2 in Tessera and 1 in GrowthBook.
function runInGrowthBook(experiment, attributes) {
  const gb = new GrowthBook({ attributes });
  return gb.run({ ...experiment, hashVersion: experiment.hashVersion ?? 2 });
}

function expectedAssignment(result) {
  const expected = {
    inExperiment: result.inExperiment,
    variationIndex: result.variationId,
    variantId: result.value,
  };
  if (result.inExperiment) {
    expected.hashValue = String(result.hashValue);
    expected.bucket = result.bucket;
  }
  return expected;
}

test("hash() reproduces every hash vector", () => {
  assert.ok(hashing.hash.length >= 60);
  for (const vector of hashing.hash) {
    const [seed, value, version] = vector;
    const actual = util.hash(seed, value, version);
    if (regenerate) vector[3] = actual;
    assert.equal(actual, vector[3], JSON.stringify(vector));
  }
});

test("GrowthBook.run buckets by the same hash", () => {
  // Cross-check through the public API: run() reports the hash as `bucket`.
  // It needs a non-empty seed (else it hashes the key) and value (else the
  // visitor has no hash attribute), and it maps version 0 to 1.
  let checked = 0;
  for (const [seed, value, version, expected] of hashing.hash) {
    if (!seed || !value || (version !== 1 && version !== 2)) continue;
    const result = new GrowthBook({ attributes: { id: value } }).run({
      key: seed,
      seed,
      variations: [0, 1],
      hashVersion: version,
    });
    assert.equal(result.bucket, expected, JSON.stringify([seed, value]));
    checked++;
  }
  assert.ok(checked >= 30);
});

test("getBucketRanges() reproduces every range vector", () => {
  for (const vector of hashing.bucketRanges) {
    const [n, coverage, weights] = vector;
    const actual = quietly(() =>
      util.getBucketRanges(n, coverage, weights === null ? undefined : weights),
    );
    if (regenerate) vector[3] = actual;
    assert.deepEqual(actual, vector[3], JSON.stringify(vector));
  }
});

test("chooseVariation() reproduces every vector", () => {
  for (const vector of hashing.chooseVariation) {
    const actual = util.chooseVariation(vector[0], vector[1]);
    if (regenerate) vector[2] = actual;
    assert.equal(actual, vector[2], JSON.stringify(vector));
  }
});

test("inNamespace() reproduces every vector", () => {
  for (const vector of hashing.inNamespace) {
    const actual = util.inNamespace(vector[0], vector[1]);
    if (regenerate) vector[2] = actual;
    assert.equal(actual, vector[2], JSON.stringify(vector));
  }
});

test("getEqualWeights() reproduces every vector", () => {
  for (const vector of hashing.equalWeights) {
    const actual = util.getEqualWeights(vector[0]);
    if (regenerate) vector[1] = actual;
    assert.deepEqual(actual, vector[1], JSON.stringify(vector));
  }
});

test("GrowthBook.run reproduces every experiment assignment", () => {
  assert.ok(bucketing.cases.length > 0);
  for (const c of bucketing.cases) {
    const experiment = bucketing.experiments[c.experiment];
    assert.ok(experiment, `unknown experiment ${c.experiment}`);
    assert.equal(experiment.holdout ?? 0, 0, "GrowthBook has no holdout");
    const actual = expectedAssignment(runInGrowthBook(experiment, c.attributes));
    if (regenerate) c.expected = actual;
    assert.deepEqual(actual, c.expected, JSON.stringify(c));
  }
});

// Writes JSON with one line per vector, as the committed files are laid out.
function compactJson(doc) {
  return (
    JSON.stringify(doc, null, 1)
      .replace(/\{\n\s+"experiment"([^]*?)\n  \}/g, (m) =>
        m.replace(/\n\s*/g, " "),
      )
      .replace(/\[\n\s+([^[\]{}]*?)\n\s*\]/gs, (m, inner) =>
        "[" + inner.replace(/\n\s*/g, " ") + "]",
      ) + "\n"
  );
}

test("regenerated vectors are written back", { skip: !regenerate }, () => {
  fs.writeFileSync(hashingUrl, compactJson(hashing));
  fs.writeFileSync(bucketingUrl, compactJson(bucketing));
});
