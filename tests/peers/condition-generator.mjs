// What the random condition searches share: a seeded generator (mulberry32,
// so a seed gives the same cases every time) and the shapes of conditions
// built from a search's own vocabulary of paths, operators and leaves.

export function seededRandom(seed) {
  let state = seed;
  const rnd = (n) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  return { rnd, pick: (items) => items[rnd(items.length)] };
}

/**
 * conditionValue(depth): a leaf or an object of operators; condition(depth):
 * an object of paths, $and/$or/$nor lists, $not and $savedGroup, or (one
 * time in `notAnObjectOneIn`) not an object at all.
 */
export function conditionGenerator({ rnd, pick, leaf, operand, operators, keys, paths,
                                     groupReferences, notAnObjectOneIn }) {
  function conditionValue(depth) {
    if (rnd(4) === 0 || depth <= 0) return leaf(1);
    const value = {};
    for (let k = 1 + rnd(2); k > 0; k--) {
      const op = pick(operators);
      value[op] = operand(op, depth);
    }
    if (rnd(10) === 0) value[pick(keys)] = leaf(0);  // mixed keys
    return value;
  }

  function condition(depth) {
    if (rnd(notAnObjectOneIn) === 0) return leaf(1);
    const result = {};
    for (let k = 1 + rnd(3); k > 0; k--) {
      const r = rnd(depth > 0 ? 10 : 6);
      if (r < 6) {
        result[pick(paths)] = conditionValue(depth);
      } else if (r < 8) {
        const list = [];
        for (let j = rnd(3); j > 0; j--) list.push(condition(depth - 1));
        result[pick(["$and", "$or", "$nor"])] = rnd(10) ? list : leaf(1);
      } else if (r === 8) {
        result.$not = condition(depth - 1);
      } else {
        result.$savedGroup = pick(groupReferences);
      }
    }
    return result;
  }

  return { conditionValue, condition };
}
