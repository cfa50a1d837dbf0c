// 1.5-entmax in plain TypeScript (the js tier), by the sorting algorithm of Peters, Niculae &
// Martins (2019): with u = z / 2 sorted descending, for each k the root
// tau_k = mean_k - sqrt((1 - k var_k) / k) of sum_{j<=k} (u_(j) - tau)^2 = 1; the support is
// the largest k with tau_k < u_(k); y = [u - tau]_+^2. Float64 on u = (x - max) / (2T).
// Edges: all -Inf -> zeros, NaN -> NaN row, +Inf entries share the mass (edgeRow).
import { edgeRow } from './normalized.js';

export function entmax15(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols), out = y.subarray(r * cols, (r + 1) * cols);
    const m = edgeRow(row, out);
    if (m === true) continue;
    const u = Array.from(row, (v) => ((v - m) * beta) / 2);
    const sorted = [...u].sort((a, b) => b - a);
    let sum = 0, sumSq = 0, tau = -1;
    for (let k = 1; k <= cols; k++) {
      sum += sorted[k - 1]; sumSq += sorted[k - 1] ** 2;
      const mean = sum / k, variance = sumSq / k - mean * mean;
      const t = mean - Math.sqrt(Math.max((1 - k * variance) / k, 0));
      if (t < sorted[k - 1]) tau = t; else break;
    }
    for (let i = 0; i < cols; i++) out[i] = Math.max(u[i] - tau, 0) ** 2;
  }
}
