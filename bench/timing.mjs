// Timing shared by the benchmarks: warm up, then samples of at least `sampleMs`, median per call.
export function measure(fn, { warmMs = 150, sampleMs = 25, samples = 9 } = {}) {
  let t0 = performance.now(), reps = 0;
  while (performance.now() - t0 < warmMs) { fn(); reps++; }
  const per = Math.max(1, Math.ceil((reps * sampleMs) / warmMs));
  const times = [];
  for (let s = 0; s < samples; s++) {
    t0 = performance.now();
    for (let i = 0; i < per; i++) fn();
    times.push((performance.now() - t0) / per);
  }
  times.sort((a, b) => a - b);
  return { median: times[samples >> 1], p25: times[samples >> 2], p75: times[(3 * samples) >> 2] };
}

/** A markdown table from a header and rows of cells. */
export function table(head, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}
