// The language-neutral vectors in tests/cases, run through the wasm core's
// public helpers: the same answers the C++ suite and GrowthBook give.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { loadCore } from '../src/index.js';
import { readJson, repoRoot } from './helpers.js';

const core = await loadCore();

test('every condition vector gives the expected answer', () => {
  const { cases } = readJson('tests/cases/conditions.json');
  assert.ok(cases.length >= 150);
  for (const c of cases) {
    const actual = core.evalCondition(c.attributes, c.condition, c.savedGroups);
    assert.equal(actual, c.expected, c.name);
  }
});

test('every random condition vector gives GrowthBook\'s answer', () => {
  // Odd inputs on purpose (tests/peers/random-conditions.mjs writes them with
  // GrowthBook's answers): inherited names, numeric text, mixed types.
  const { cases, savedGroups } = readJson('tests/cases/conditions_random.json');
  assert.ok(cases.length >= 1000);
  let checked = 0;
  for (const c of cases) {
    const { condition } = c;
    // A condition that is not an object is argument misuse for this API
    // (a TypeError, tested above); the C++ suite checks those answers.
    if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) {
      assert.throws(() => core.evalCondition(c.attributes, condition, savedGroups), TypeError);
      continue;
    }
    assert.equal(core.evalCondition(c.attributes, condition, savedGroups), c.expected, JSON.stringify(c));
    checked++;
  }
  assert.ok(checked >= 900, `${checked} object conditions`);
});

test('every hash vector matches GrowthBook, null for unknown versions', () => {
  const { hash } = readJson('tests/cases/hashing.json');
  for (const [seed, value, version, expected] of hash) {
    assert.equal(core.hash(seed, value, version), expected, `${seed}/${value}/v${version}`);
  }
});

test('pure helpers reject misuse with TypeError', () => {
  assert.throws(() => core.evalCondition(null, {}), TypeError);
  assert.throws(() => core.evalCondition({}, 'x'), TypeError);
  assert.throws(() => core.hash(1, 'a', 1), TypeError);
  assert.throws(() => core.hash('a', 'b', 1.5), TypeError);
  assert.throws(() => core.renderTemplate(null, {}), TypeError);
  assert.throws(() => core.renderTemplate('{{#open}}', {}), SyntaxError);
});

test('what the core cannot read is refused with a message that names it', () => {
  let deep = 1;
  for (let i = 0; i < 200; i++) deep = [deep];
  const refused = (fn, type, pattern) => assert.throws(fn, (e) => e instanceof type && pattern.test(e.message));
  // Nesting beyond the core's limit: a TypeError, never an undefined answer.
  refused(() => core.evalCondition({ a: deep }, { a: { $exists: true } }), TypeError, /attributes: .*nesting deeper/);
  refused(() => core.evalCondition({}, { a: { $in: [deep] } }), TypeError, /condition: .*nesting deeper/);
  refused(() => core.renderTemplate('{{x}}', { x: deep }), TypeError, /view: .*nesting deeper/);
  // Lone surrogates: no UTF-8 form, so refused with their place rather than
  // silently merged with the next character.
  refused(() => core.evalCondition({ a: 'x\ud83dy' }, { a: 'x' }), TypeError, /attributes: .*surrogate/);
  refused(() => core.hash('s', 'a\udc00', 1), TypeError, /hash: value .* index 1/);
  refused(() => core.hash('\ud800', 'v', 2), TypeError, /hash: seed .* index 0/);
  refused(() => core.renderTemplate('a\ud83db', {}), TypeError, /template .* index 1/);
  assert.equal(core.hash('s', 'a😀', 1), core.hash('s', 'a\ud83d\ude00', 1), 'a surrogate pair is fine');
  // Partials must be template text; a partial that does not parse is a
  // SyntaxError naming the partial, with a readable message.
  refused(() => core.renderTemplate('{{>p}}', {}, { p: 5 }), TypeError, /partials\.p must be a string/);
  refused(() => core.renderTemplate('{{>p}}', {}, { p: '{{#x}}' }), SyntaxError, /partial "p".*"x" is never closed/);
  refused(() => core.renderTemplate('{{#open}}', {}), SyntaxError, /section "open" is never closed/);
});

test('$regex uses the host RegExp', () => {
  assert.equal(core.evalCondition({ path: '/products/42' }, { path: { $regex: '^/products/\\d+$' } }), true);
  assert.equal(core.evalCondition({ path: 'ABC' }, { path: { $regexi: 'abc' } }), true);
  assert.equal(core.evalCondition({ path: 'x' }, { path: { $regex: '(' } }), false, 'invalid pattern');
});

test('$regex answers stay right as compiled patterns pile up and are dropped', () => {
  // The core compiles each pattern once and keeps a bounded list; going
  // past the bound (256) starts the list over. Answers must not change.
  const first = { $regex: '^a1$' };
  const sameTextOtherFlags = { $regexi: '^A1$' };
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 300; i++) {
      const pattern = `^a${i}$`;
      assert.equal(core.evalCondition({ x: `a${i}` }, { x: { $regex: pattern } }), true, pattern);
      assert.equal(core.evalCondition({ x: `a${i + 1}` }, { x: { $regex: pattern } }), false, pattern);
      if (i % 50 === 0) {
        assert.equal(core.evalCondition({ x: 'a1' }, { x: first }), true);
        assert.equal(core.evalCondition({ x: 'A1' }, { x: first }), false);
        assert.equal(core.evalCondition({ x: 'a1' }, { x: sameTextOtherFlags }), true);
        assert.equal(core.evalCondition({ x: '(' }, { x: { $regex: '(' } }), false);
      }
    }
  }
});

const specDir = new URL('tests/spec/mustache/', repoRoot);
for (const file of readdirSync(specDir).filter((f) => f.endsWith('.json'))) {
  test(`Mustache spec: ${file}`, () => {
    const { tests } = readJson(`tests/spec/mustache/${file}`);
    for (const t of tests) {
      assert.equal(core.renderTemplate(t.template, t.data, t.partials), t.expected, `${file}: ${t.name}`);
    }
  });
}
