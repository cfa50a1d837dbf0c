// Sparsemax in plain TypeScript (the js tier), by the sorting algorithm of Martins & Astudillo
// (2016): sort z descending, the support size is the largest k with 1 + k z_(k) > sum_{j<=k} z_(j),
// tau = (sum of the top k - 1) / k, y = max(z - tau, 0). Float64 on d = (x - max) / T.
// Edges: all -Inf -> zeros, NaN -> NaN row, +Inf entries share the mass (edgeRow).
import { edgeRow } from './normalized.js';

export function sparsemax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number): void {
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols), out = y.subarray(r * cols, (r + 1) * cols);
    const m = edgeRow(row, out);
    if (m === true) continue;
    const d = Array.from(row, (v) => (v - m) * beta);
    const sorted = [...d].sort((a, b) => b - a);
    let sum = 0, k = 0, top = 0;
    for (let j = 0; j < cols; j++) {
      sum += sorted[j];
      if (1 + (j + 1) * sorted[j] > sum) { k = j + 1; top = sum; }
    }
    const tau = (top - 1) / k;
    for (let i = 0; i < cols; i++) out[i] = Math.max(d[i] - tau, 0);
  }
}
