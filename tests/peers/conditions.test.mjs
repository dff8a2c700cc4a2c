// Runs every vector of ../cases/conditions.json through GrowthBook's own
// evalCondition: the expectations our C++ suite checks are GrowthBook's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { evalCondition } from "@growthbook/growthbook";

const vectors = JSON.parse(
  readFileSync(new URL("../cases/conditions.json", import.meta.url), "utf8"),
);

// GrowthBook logs unknown operators; the malformed vectors use them on purpose.
const quietly = (fn) => {
  const original = console.error;
  console.error = () => {};
  try {
    return fn();
  } finally {
    console.error = original;
  }
};

// Where GrowthBook throws (a null sub-condition), Tessera answers false.
const evaluate = (c) =>
  quietly(() => {
    try {
      return evalCondition(c.attributes, c.condition, c.savedGroups);
    } catch {
      return false;
    }
  });

test("the vector file is version 1 and large enough", () => {
  assert.equal(vectors.version, 1);
  assert.ok(vectors.cases.length >= 150, `${vectors.cases.length} cases`);
});

for (const c of vectors.cases) {
  test(`GrowthBook agrees: ${c.name}`, () => {
    assert.equal(evaluate(c), c.expected);
  });
}

// Tessera's compiler rejects the invalid section, but EvalCondition must
// still answer for it as GrowthBook does.
for (const c of vectors.invalid) {
  test(`GrowthBook agrees (invalid): ${c.name}`, () => {
    assert.equal(evaluate(c), c.expected);
  });
}

// conditions_random.json is written by random-conditions.mjs; re-check that
// its answers are still GrowthBook's (say, after a version bump).
const randomVectors = JSON.parse(
  readFileSync(
    new URL("../cases/conditions_random.json", import.meta.url),
    "utf8",
  ),
);

test("GrowthBook agrees with every random vector", () => {
  assert.ok(randomVectors.cases.length >= 1000);
  for (const c of randomVectors.cases) {
    const got = evaluate({ ...c, savedGroups: randomVectors.savedGroups });
    assert.equal(got, c.expected, JSON.stringify(c));
  }
});
