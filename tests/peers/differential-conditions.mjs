// Differential search: random odd conditions, attributes and saved groups,
// evaluated live by the wasm core and by GrowthBook's evalCondition; prints
// every disagreement. Deterministic for a given seed.
//
//   node differential-conditions.mjs [count=200000] [seed=1] [--dense|--case]
//                                     [--write FILE]
// --write saves the cases (with GrowthBook's answers) as a vector file in the
// conditions_random.json format, for the native runner of both evaluators.
import { evalCondition } from "@growthbook/growthbook";
import { writeFileSync } from "node:fs";
import { conditionGenerator, seededRandom } from "./condition-generator.mjs";

const args = process.argv.slice(2);
const writeAt = args.indexOf("--write");
const outFile = writeAt >= 0 ? args.splice(writeAt, 2)[1] : null;
// --dense: one attribute, one operator on it (value semantics, densely).
const denseAt = args.indexOf("--dense");
const DENSE = denseAt >= 0 && args.splice(denseAt, 1).length > 0;
// --case: case-insensitive operators and comparisons on short strings of
// case-sensitive pieces (final sigma, dotted I, astral and private-use text).
const caseAt = args.indexOf("--case");
const CASE = caseAt >= 0 && args.splice(caseAt, 1).length > 0;
const COUNT = Number(args[0] ?? 200000);
const SEED = Number(args[1] ?? 1);

const { rnd, pick } = seededRandom(SEED);

const STRINGS = [
  "", "a", "A", "b", "abc", "ABC", "1", "01", " 2 ", "0x1f", "1e3", "-0", "0",
  "true", "false", "null", "undefined", "1.2.3", "1.2.3-beta.1", "v1.2.3",
  "1.2", "1.2.3.4", "1..2", "1.2.3-", "1.2.3-alpha", "1.2.3-Alpha.10",
  "1.2.3-alpha.2", "1.2.3+build", "1.02.3", "-1.2", "a.b.c", "1.2.x",
  "é", "É", "e\u0301", "😀", "\uff61", "a,b", "[object Object]", "Infinity",
  "NaN", "2", "10", "toString", "length", "ß", "SS", "ss", "ẞ", "İ", "i̇", "ı",
  "I", "i", "Σ", "σ", "ς", "ﬀ", "FF", "ǅ", "ǆ", "Ǆ", "K", "k", "\u212a",
  "\u00b5", "\u039c", "\u03bc", "0b101", "0o17", ".5", "5.", "+5", "1_000",
  "1e400", "-Infinity", "\t3\t", "\u00a01", "1e-7", "0.1", "9007199254740993",
  "123456789012345678901", "-0x10", "\n", "a\u0000b", "1,2", "[1]", "{}",
  "v", "vv1.2.3", "1.2.3-rc.1+b.2", "1-2-3", "01.2.3", "1.2.3-", "~", " ",
  "1.2.3-1", "1.2.3-10", "1.2.3-a.b.c.d", "10.20.30", "1.2.3.4.5.6", "1e21",
  "1e+21", "0.000001", "1,2,3", ",", "[object Object],1", "null,1", "1,",
  "-", "1.", "Ⅻ", "ǈ", "ﬃ", "ŉ", "ΐ", "ᾳ", "ﬓ", "ⓐ", "Ⓐ", "𐐀", "𐐨",
];
const KEYS = ["a", "b", "c", "0", "1", "length", "toString", "constructor",
  "__proto__", "$x", "", "x", "hasOwnProperty", "valueOf", "$eq", "$in"];
const OPERATORS = [
  "$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$ini", "$nini",
  "$all", "$alli", "$elemMatch", "$size", "$exists", "$type", "$regex",
  "$regexi", "$not", "$veq", "$vne", "$vgt", "$vgte", "$vlt", "$vlte",
  "$inGroup", "$notInGroup", "$foo", "$and", "$or", "$nor", "$savedGroup",
];
const LIST_OPERATORS = ["$in", "$nin", "$ini", "$nini", "$all", "$alli"];
const PATHS = [
  "a", "b", "c", "a.b", "a.0", "a.1", "a.length", "a.toString", "a.__proto__",
  "a.constructor", "b.map", "0", "", "x.y.z", "c.1.a", "a..b", "a.b.c",
  "b.0.a", ".a", "a.", "$x",
];
const NUMBERS = [0, 1, -1, 2, 10, 0.5, 1e21, -0, 3, 5, 15, 0.1, 1e-7,
  9007199254740992, 9007199254740993, 24447489159862044, -16, 1e300, -1e-300,
  123456789012345680000, 0.30000000000000004, 5e-324, 1.7976931348623157e308,
  100, 1.5, -2.5];
const SAVED_GROUPS = {
  g1: ["a", 1, true, null],
  g2: [],
  g3: { type: "list", attributeKey: "a", values: ["a", "1", 2] },
  gc: { type: "condition", condition: { a: { $exists: true } } },
  gd: { type: "condition", condition: { b: { $in: [1, "a"] } } },
  loop: { type: "condition", condition: { $savedGroup: { id: "loop" } } },
  bad: { type: "condition", condition: "x" },
  gn: [1, "1", [1], { a: 1 }, "é"],
};
const GROUP_REFERENCES = [
  { id: "gc" }, { id: "gd" }, { id: "g3" }, { id: "g3", attributeKey: "b" },
  { id: "loop" }, { id: "nope" }, { id: 1 }, "g1", { id: "g1" },
  { id: "g3", attributeKey: null }, { id: "bad" }, null, [], { id: "gn" },
];
const TYPE_NAMES = ["string", "number", "boolean", "array", "object", "null",
  "undefined", "unknown", 1, "String", "bigint", null];
const PATTERNS = ["^a", "b$", "1", "x|y", "^$", "(", "null", "A", "é", "[",
  5, "\\d+", "^[a-z]+$", "a.c", "(?i)a", "\\bA", ".*", "ß", "[^]", "\\p{L}",
  "a{2}", "\\u0041", "$", "^\\s*$", "[[:alpha:]]", "(?=a)a", "(?<n>a)\\k<n>",
  "\\/", "a|", "\\1(a)", "[\\w-]", "\\cA", "\\x41", "[\\b]", "(?:)", "\\0",
  "[a-]", "a**", true, "\\", "[z-a]", "\\s", "^é$", "É"];

function leaf(depth) {
  switch (rnd(depth > 0 ? 10 : 7)) {
    case 0: return null;
    case 1: return rnd(2) === 1;
    case 2: case 3: return pick(NUMBERS);
    case 4: case 5: case 6: return pick(STRINGS);
    case 7: case 8: {
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
      rnd(3) ? leaf(rnd(2)) : conditionValue(depth - 1));
  }
  if (op === "$not" || op === "$size") return conditionValue(depth - 1);
  if (op === "$elemMatch") {
    return rnd(2) ? conditionValue(depth - 1) : condition(depth - 1);
  }
  if (op === "$and" || op === "$or" || op === "$nor") {
    if (rnd(4) === 0) return leaf(1);
    return Array.from({ length: rnd(3) }, () => condition(depth - 1));
  }
  if (op === "$savedGroup") return pick(GROUP_REFERENCES);
  if (op === "$type") return pick(TYPE_NAMES);
  if (op === "$exists") return rnd(2) ? leaf(0) : pick([true, false]);
  if (op === "$regex" || op === "$regexi") return pick(PATTERNS);
  if (op === "$inGroup" || op === "$notInGroup") {
    return pick(["g1", "g2", "g3", "gc", "gn", "nope", "constructor",
      "__proto__", 1, null, "toString"]);
  }
  if (op.startsWith("$v")) return rnd(4) ? pick(STRINGS) : leaf(1);
  return leaf(1);
}

const { conditionValue, condition } = conditionGenerator({
  rnd, pick, leaf, operand, operators: OPERATORS, keys: KEYS, paths: PATHS,
  groupReferences: GROUP_REFERENCES, notAnObjectOneIn: 40,
});

// Dense mode: an operator (or a bare value) applied to attribute "a".
function denseCase() {
  const value = rnd(3) ? leaf(2) : pick(STRINGS);
  let cond;
  const r = rnd(10);
  if (r < 3) cond = leaf(2);  // implicit equality with any value
  else if (r < 9) {
    const op = pick(OPERATORS.slice(0, 28));
    cond = { [op]: rnd(4) ? operand(op, 1) : leaf(2) };
    if (rnd(5) === 0) { const op2 = pick(OPERATORS); cond[op2] = operand(op2, 1); }
  } else cond = conditionValue(2);
  return [{ a: cond }, rnd(10) ? { a: value } : {}];
}

// GrowthBook caches RegExps under `${pattern}`: a non-string pattern (which
// fresh would throw, so false) hits the entry of the string that prints the
// same, so its answer depends on the patterns seen before. Not comparable.
function hasNonStringPattern(value) {
  if (value === null || typeof value !== "object") return false;
  for (const [k, v] of Object.entries(value)) {
    if ((k === "$regex" || k === "$regexi") && typeof v !== "string") return true;
    if (hasNonStringPattern(v)) return true;
  }
  return false;
}

const PIECES = ["0", "1", "9", ".", "-", "v", "a", "A", "~", " ", "'", "rc",
  "\uffff", "\u{10000}", "\u{1F600}", "é", "\ue000", "ß", "İ", "ı", "ς", "Σ",
  "σ", "\u0301", "\u0000", "ǅ", "\u212a", "\u00b5", "\u1e9e", "Ⓐ", "𐐀"];
const CASE_OPERATORS = ["$gt", "$lt", "$vgt", "$vlt", "$veq", "$ini", "$nini",
  "$alli", "$regexi", "$eq"];
function caseCase() {
  const text = () => Array.from({ length: rnd(7) }, () => pick(PIECES)).join("");
  const a = text();
  const b = rnd(4) ? text() : pick([a.toUpperCase(), a.toLowerCase()]);
  const op = pick(CASE_OPERATORS);
  let operand = ["$ini", "$nini", "$alli"].includes(op) ? [b] : b;
  if (op === "$regexi") operand = b.replace(/[\\^$.*+?()[\]{}|]/g, "\\$&");
  return [{ a: { [op]: operand } }, { a: op === "$alli" ? [a] : a }];
}

const asJson = (value) => JSON.parse(JSON.stringify(value));
// TESSERA_CORE: another checkout's js-wrapper/src/index.js, to compare builds.
const { loadCore } = await import(process.env.TESSERA_CORE ?? "../../js-wrapper/src/index.js");
const core = await loadCore();
const logError = console.error;
console.error = () => {};  // GrowthBook logs unknown operators
const cases = [];
let mismatches = 0, skipped = 0;
for (let i = 0; i < COUNT; i++) {
  let c, a;
  if (CASE) {
    [c, a] = caseCase().map(asJson);
  } else if (DENSE) {
    [c, a] = denseCase().map(asJson);
  } else {
    c = asJson(condition(1 + rnd(3)));
    const attributes = {};
    for (let k = rnd(4); k > 0; k--) attributes[pick(["a", "b", "c", "0", "x"])] = leaf(3);
    a = asJson(attributes);
  }
  let expected;
  try {
    expected = evalCondition(a, c, SAVED_GROUPS);
  } catch {
    expected = false;
  }
  if (outFile) cases.push({ condition: c, attributes: a, expected });
  if (c === null || typeof c !== "object" || Array.isArray(c) ||
      hasNonStringPattern(c)) { skipped++; continue; }
  let actual;
  try {
    actual = core.evalCondition(a, c, SAVED_GROUPS);
  } catch (e) {
    actual = `throws ${e.message}`;
  }
  if (actual !== expected) {
    mismatches++;
    if (mismatches <= 200) {
      process.stdout.write(JSON.stringify({ i, condition: c, attributes: a, growthbook: expected, tessera: actual }) + "\n");
    }
  }
}
console.error = logError;
if (outFile) {
  writeFileSync(outFile,
    `{"version":1,"generator":"tests/peers/differential-conditions.mjs","seed":${SEED},\n` +
    `"savedGroups":${JSON.stringify(SAVED_GROUPS)},\n"cases":[\n` +
    cases.map((c) => "  " + JSON.stringify(c)).join(",\n") + "\n]}\n");
}
console.error(`${COUNT} cases, seed ${SEED}: ${mismatches} mismatches, ${skipped} skipped (non-object condition or non-string pattern)`);
