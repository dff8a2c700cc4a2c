// Numbers through the wasm core: the browser build reads and prints the rare
// numbers (more than 15 significant digits, large exponents, fractions)
// with the host's Number (core/src/decimal_host.cpp), the common ones in
// C++. Either way a number must come back exactly as JavaScript prints it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadCore } from '../src/index.js';

const core = await loadCore();

// Finite doubles spread over every exponent: random bit patterns.
function randomDoubles(count, seed) {
  const view = new DataView(new ArrayBuffer(8));
  const out = [];
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) >>> 0);
  while (out.length < count) {
    view.setUint32(0, next() ^ (next() << 16));
    view.setUint32(4, next() ^ (next() << 16));
    const d = view.getFloat64(0);
    if (Number.isFinite(d)) out.push(d);
  }
  return out;
}

const printed = (value) => core.renderTemplate('{{n}}', { n: value });

test('a rendered number is String(number), for doubles of every magnitude', () => {
  const values = [
    ...randomDoubles(3000, 11),
    0.1, 0.1 + 0.2, 1 / 3, 74.5, -2.5e-7, 1e21, 123456789012345680000, 1e-7,
    5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 9007199254740993,
    2 ** 53, 2 ** 64, -0.000001, 4.35, 0.000001,
  ];
  for (const value of values) {
    assert.equal(printed(value), String(value), `bits of ${value}`);
  }
});

test('decimal text with many digits is read to the nearest double', () => {
  // The view is JSON text to the core: these literals take the slow path
  // (more than 15 digits, or exponents beyond 10^22).
  const cases = [
    ['0.30000000000000004441', 0.30000000000000004],
    ['9007199254740993', 9007199254740992],  // a tie, to even
    ['2.4703282292062328e-324', 5e-324],  // just above half the least
    ['2.4703282292062327e-324', 0],  // just below it
    ['1' + '0'.repeat(400), Infinity],
    ['123456789012345678901234567890e-40', 1.2345678901234568e-11],
  ];
  for (const [text, expected] of cases) {
    const view = JSON.parse(`{"n": ${text}}`);
    assert.equal(view.n, expected, `JavaScript's reading of ${text}`);
    if (Number.isFinite(expected)) assert.equal(printed(view.n), String(expected), text);
  }
});

test('numeric strings compare as JavaScript reads them, hexadecimal included', () => {
  // $gt/$lt coerce a string attribute with Number(), as GrowthBook does
  // (its $eq compares with ===, so "exactly v" is written $gte v and $lte v).
  const exactly = (v) => ({ $gte: v, $lte: v });
  const cases = [
    ['0x1F', { $gt: 30 }, true],
    ['0x1F', { $gt: 31 }, false],
    ['0x20000000000001', exactly(9007199254740992), true],  // a tie, to even
    ['0xfffffffffffffffff', exactly(2 ** 68), true],
    ['1e400', { $gt: 1e308 }, true],
    // Either side of the midpoint between 0.1 and the next double up.
    ['0.10000000000000001249000902703301', exactly(0.1), true],
    ['0.10000000000000001249000902703302', exactly(0.1), false],
  ];
  for (const [text, condition, expected] of cases) {
    const n = Number(text);
    const jsAnswer = condition.$gte !== undefined ? n >= condition.$gte && n <= condition.$lte
      : condition.$gt !== undefined ? n > condition.$gt : undefined;
    assert.equal(jsAnswer, expected, `JavaScript on ${text}`);
    assert.equal(core.evalCondition({ n: text }, { n: condition }), expected, text);
  }
});

test('long binary, octal and hexadecimal strings read as JavaScript reads them', () => {
  let x = 5;
  const next = () => (x = (x * 1103515245 + 12345) >>> 0) >>> 16;
  for (const [prefix, radix] of [['0b', 2], ['0o', 8], ['0x', 16]]) {
    for (let n = 0; n < 300; n++) {
      let digits = (1 + (next() % (radix - 1))).toString(radix);
      const length = 10 + (next() % 90);
      while (digits.length < length) digits += (next() % radix).toString(radix);
      const text = prefix + digits;
      const value = Number(text);
      const exactly = { $gte: value, $lte: value };
      assert.equal(core.evalCondition({ n: text }, { n: exactly }), true, text);
    }
  }
});
