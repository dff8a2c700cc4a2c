// Small timing helpers: calibrated batches, interleaved rounds, medians.
// The machine is shared and noisy, so every contender runs in the same
// process, round after round in turn, and the report quotes medians.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Nanoseconds per call of `fn` over `n` calls: `wall` (elapsed) and `cpu`
 * (this process's user + system time, which other jobs on a shared machine
 * do not inflate; microsecond resolution, so batches should be milliseconds).
 */
export function timeBatch(fn, n) {
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const wall = Number(process.hrtime.bigint() - start) / n;
  const used = process.cpuUsage(cpu0);
  return { wall, cpu: ((used.user + used.system) * 1000) / n };
}

/** How many calls of `fn` take about `targetMs`. */
export function calibrate(fn, targetMs) {
  let n = 1;
  for (;;) {
    const perCall = timeBatch(fn, n).wall;
    if (perCall * n >= targetMs * 1e6 / 4 || n >= 1 << 24) {
      return Math.max(1, Math.round((targetMs * 1e6) / perCall));
    }
    n *= 2;
  }
}

/**
 * Runs every case in turn for `rounds` rounds (after a warm-up round) and
 * returns {name: {wall, cpu}}, each {median, min, samples} in ns per call.
 * Interleaving keeps the cases of one round under the same machine load.
 */
export function interleaved(cases, { rounds = 30, batchMs = 15, warmupMs = 300 } = {}) {
  const sizes = Object.fromEntries(Object.entries(cases).map(([name, fn]) => {
    // Long enough for V8 to reach its optimizing tier on the JS side.
    const until = performance.now() + warmupMs;
    while (performance.now() < until) fn();
    return [name, calibrate(fn, batchMs)];
  }));
  const samples = Object.fromEntries(Object.keys(cases).map((name) => [name, { wall: [], cpu: [] }]));
  for (let round = -1; round < rounds; round++) {
    for (const [name, fn] of Object.entries(cases)) {
      const t = timeBatch(fn, sizes[name]);
      if (round >= 0) {
        samples[name].wall.push(t.wall);
        samples[name].cpu.push(t.cpu);
      }
    }
  }
  const summary = (values) => ({ median: median(values), min: Math.min(...values), samples: values });
  return Object.fromEntries(Object.entries(samples).map(([name, s]) => [name, {
    wall: summary(s.wall), cpu: summary(s.cpu), batch: sizes[name],
  }]));
}

export function formatNs(ns) {
  return ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : ns >= 1e3 ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
}
