// Writes ../cases/conditions_random.json: random conditions and attributes
// with GrowthBook's evalCondition answers. The inputs are deliberately odd
// (inherited names such as "toString" and "__proto__", strings where
// conditions belong, mixed types, invalid patterns) because that is where a
// reimplementation drifts. The C++ suite checks both of Tessera's evaluators
// against the file; conditions.test.mjs re-checks it against GrowthBook.
//
//   node random-conditions.mjs    (deterministic: same seed, same file)
import { evalCondition } from "@growthbook/growthbook";
import { writeFileSync } from "node:fs";
import { conditionGenerator, seededRandom } from "./condition-generator.mjs";

const SEED = 20240521;
const COUNT = 1000;

const { rnd, pick } = seededRandom(SEED);

const STRINGS = [
  "", "a", "A", "abc", "1", "01", " 2 ", "0x1f", "1e3", "-0", "true", "null",
  "1.2.3", "v1.2.3-beta.1", "1.2", "é", "É", "😀", "\uff61", "a,b",
  "[object Object]", "Infinity", "NaN", "1.0.0+build", "2", "10", "toString",
  "length", "0", "ß", "İ", "Σ", "function toString() { [native code] }",
  "\n1+2",
  // Numeric text as JavaScript's Number() reads it: radix prefixes,
  // whitespace it trims, partial forms, more digits than a double holds.
  "0b101", "0o17", "0B11", ".5", "5.", "+5", "1_000", "0x", "1e400",
  "-Infinity", "\t3\t", "\u00a01\u00a0", "\ufeff2", "1e-7", "0.1",
  "123456789012345678901", "-0x10", "1e", "00012", "-.5", "9007199254740993",
  "0b1010110110110101101110010100011000001100001011100011011",
];
const KEYS = [
  "a", "b", "c", "0", "1", "length", "toString", "constructor", "__proto__",
  "$x", "", "map",
];
const OPERATORS = [
  "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$ini", "$nini",
  "$all", "$alli", "$elemMatch", "$size", "$exists", "$type", "$regex",
  "$regexi", "$not", "$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte",
  "$inGroup", "$notInGroup", "$foo",
];
const LIST_OPERATORS = ["$in", "$nin", "$ini", "$nini", "$all", "$alli"];
const PATHS = [
  "a", "b", "c", "a.b", "a.0", "a.length", "a.toString", "a.__proto__",
  "a.constructor", "b.map", "0", "", "x.y.z", "c.1.a",
];
const SAVED_GROUPS = {
  g1: ["a", 1, true, null],
  g2: [],
  g3: { type: "list", attributeKey: "a", values: ["a", "1", 2] },
  gc: { type: "condition", condition: { a: { $exists: true } } },
  loop: { type: "condition", condition: { $savedGroup: { id: "loop" } } },
};
const GROUP_REFERENCES = [
  { id: "gc" }, { id: "g3" }, { id: "g3", attributeKey: "b" }, { id: "loop" },
  { id: "nope" }, { id: 1 }, "g1", { id: "g1" }, { id: "g3", attributeKey: null },
];

function leaf(depth) {
  switch (rnd(depth > 0 ? 9 : 6)) {
    case 0: return null;
    case 1: return rnd(2) === 1;
    case 2: return pick([0, 1, -1, 2, 10, 0.5, 1e21, -0, 3, 5, 15, 0.1, 1e-7,
      9007199254740992, 24447489159862044, -16]);
    case 3: case 4: case 5: return pick(STRINGS);
    case 6: case 7: {
      const array = [];
      for (let k = rnd(4); k > 0; k--) array.push(leaf(depth - 1));
      return array;
    }
    default: {
      const object = {};
      for (let k = rnd(3); k > 0; k--) object[pick(KEYS)] = leaf(depth - 1);
      return object;
    }
  }
}

function operand(op, depth) {
  if (LIST_OPERATORS.includes(op)) {
    if (rnd(6) === 0) return leaf(1);
    return Array.from({ length: rnd(4) }, () =>
      rnd(3) ? leaf(0) : conditionValue(depth - 1));
  }
  if (op === "$not" || op === "$size") return conditionValue(depth - 1);
  if (op === "$elemMatch") {
    return rnd(2) ? conditionValue(depth - 1) : condition(depth - 1);
  }
  if (op === "$type") {
    return pick(["string", "number", "boolean", "array", "object", "null",
      "undefined", "unknown", 1]);
  }
  if (op === "$regex" || op === "$regexi") {
    return pick(["^a", "b$", "1", "x|y", "^$", "(", "null", "A", "é", "[", 5]);
  }
  if (op === "$inGroup" || op === "$notInGroup") {
    return pick(["g1", "g2", "g3", "gc", "nope", "constructor", "__proto__", 1,
      null]);
  }
  return leaf(1);
}

const { conditionValue, condition } = conditionGenerator({
  rnd, pick, leaf, operand, operators: OPERATORS, keys: KEYS, paths: PATHS,
  groupReferences: GROUP_REFERENCES, notAnObjectOneIn: 25,
});

// A JSON round trip, so GrowthBook sees exactly what the file holds (an
// assignment to "__proto__" in a literal would set the prototype instead).
const asJson = (value) => JSON.parse(JSON.stringify(value));

const cases = [];
const logError = console.error;
console.error = () => {};  // GrowthBook logs unknown operators
for (let i = 0; i < COUNT; i++) {
  const c = asJson(condition(2));
  const attributes = {};
  for (let k = rnd(4); k > 0; k--) attributes[pick(["a", "b", "c", "0"])] = leaf(2);
  const a = asJson(attributes);
  let expected;
  try {
    expected = evalCondition(a, c, SAVED_GROUPS);
  } catch {
    expected = false;  // Tessera answers false where GrowthBook throws
  }
  cases.push({ condition: c, attributes: a, expected });
}
console.error = logError;

// One case per line keeps diffs readable.
writeFileSync(
  new URL("../cases/conditions_random.json", import.meta.url),
  `{"version":1,"generator":"tests/peers/random-conditions.mjs","seed":${SEED},\n` +
    `"savedGroups":${JSON.stringify(SAVED_GROUPS)},\n"cases":[\n` +
    cases.map((c) => "  " + JSON.stringify(c)).join(",\n") +
    "\n]}\n",
);
console.log(`${cases.filter((c) => c.expected).length} of ${COUNT} cases are true`);
