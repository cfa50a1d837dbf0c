// Timing shared by the benchmarks: warm up (JIT tiers, caches, heap growth), size a batch so one
// sample lasts at least sampleMs (timer resolution and per-call jitter then don't matter), take
// `samples` samples, report the median per call. The batch is sized from timed batches after the
// warm-up, not from the warm-up's call count, which includes the slow first calls.
export function measure(fn, { warmMs = 150, sampleMs = 25, samples = 9 } = {}) {
  const t0 = performance.now();
  while (performance.now() - t0 < warmMs) fn();
  let per = 1, dt;
  while ((dt = batch(fn, per)) < sampleMs) per = Math.ceil(per * Math.min(100, (1.1 * sampleMs) / Math.max(dt, 0.01)));
  const times = [];
  for (let s = 0; s < samples; s++) times.push(batch(fn, per) / per);
  times.sort((a, b) => a - b);
  return { median: times[samples >> 1], p25: times[samples >> 2], p75: times[(3 * samples) >> 2], per };
}

/** ms for n calls of fn. */
function batch(fn, n) {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return performance.now() - t0;
}

/** A markdown table from a header and rows of cells. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * Median ms per call of a and of b, timed alternately in batches of `per` calls (a, b, a, b, ...)
 * after `warm` warm-up rounds, so a machine whose speed drifts during the run slows both alike;
 * `ratio` is the median of the per-round ratios b / a. For ratios within one run.
 */
export function interleaved(a, b, { rounds = 7, per = 1, warm = 1 } = {}) {
  for (let w = 0; w < warm; w++) { a(); b(); }
  const ta = [], tb = [], r = [];
  for (let i = 0; i < rounds; i++) {
    const x = batch(a, per) / per, y = batch(b, per) / per;
    ta.push(x); tb.push(y); r.push(y / x);
  }
  const med = (t) => t.sort((p, q) => p - q)[t.length >> 1];
  return { a: med(ta), b: med(tb), ratio: med(r) };
}
