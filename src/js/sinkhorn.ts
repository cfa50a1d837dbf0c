// Sinkhorn normalization in plain TypeScript, float64 potentials (semantics:
// assembly/softmax/sinkhorn.ts): P = exp(z - u[r] - v[c]), steps alternating rows (sum 1) and
// columns (sum rows / cols), z = (x - rowmax) / T.
export function sinkhorn(x: Float32Array, y: Float32Array, batch: number, rows: number, cols: number, beta: number, iters: number): void {
  const size = rows * cols, logTarget = Math.log(rows / cols);
  for (let b = 0; b < batch; b++) {
    const z = new Float64Array(size);
    let bad = false;
    for (let r = 0; r < rows; r++) {
      let m = -Infinity;
      for (let c = 0; c < cols; c++) { const v = x[b * size + r * cols + c]; if (v !== v || v === Infinity) bad = true; if (v > m) m = v; }
      for (let c = 0; c < cols; c++) z[r * cols + c] = m === -Infinity ? -Infinity : Math.fround((x[b * size + r * cols + c] - m) * beta);
    }
    const out = y.subarray(b * size, (b + 1) * size);
    if (bad) { out.fill(NaN); continue; }
    const u = new Float64Array(rows), v = new Float64Array(cols);
    // log sum_i exp(t(i)) over n terms, +Infinity when every term is -Infinity (an empty line)
    const lse = (n: number, t: (i: number) => number) => {
      let m = -Infinity;
      for (let i = 0; i < n; i++) m = Math.max(m, t(i));
      if (m === -Infinity) return Infinity;
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.exp(t(i) - m);
      return m + Math.log(s);
    };
    for (let s = 0; s < iters; s++) {
      if (s & 1) for (let c = 0; c < cols; c++) v[c] = lse(rows, (r) => z[r * cols + c] - u[r]) - logTarget;
      else for (let r = 0; r < rows; r++) u[r] = lse(cols, (c) => z[r * cols + c] - v[c]);
    }
    for (let i = 0; i < size; i++) out[i] = Math.exp(z[i] - u[Math.floor(i / cols)] - v[i % cols]);
  }
}
