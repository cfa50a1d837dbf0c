// Top-k and the fused top-k softmax in plain TypeScript (the js tier). Same order as the wasm
// kernels (assembly/softmax/topk.ts): descending, ties keep the lower index first, NaN ranks
// above every number.
import { softmaxRows } from './softmax.js';

/** a ranks above b, where b was seen earlier. */
function above(a: number, b: number): boolean {
  return a > b || (a !== a && b === b);
}

/** The k largest of x[o .. o+n) into vals/idx at offset p, sorted, by insertion. */
function topkRow(x: Float32Array, o: number, n: number, k: number, vals: Float32Array, idx: Int32Array, p: number): void {
  let len = 0;
  for (let i = 0; i < n; i++) {
    const v = x[o + i];
    let j = len < k ? len : k - 1;
    if (len === k && !above(v, vals[p + j])) continue;
    for (; j > 0 && above(v, vals[p + j - 1]); j--) { vals[p + j] = vals[p + j - 1]; idx[p + j] = idx[p + j - 1]; }
    vals[p + j] = v;
    idx[p + j] = i;
    if (len < k) len++;
  }
}

export function topk(x: Float32Array, vals: Float32Array, idx: Int32Array, rows: number, cols: number, k: number): void {
  for (let r = 0; r < rows; r++) topkRow(x, r * cols, cols, k, vals, idx, r * k);
}

/**
 * Top-k with probabilities: softmax over the whole row evaluated at the top k, or over the k
 * selected logits when `renorm` (mixture-of-experts gate).
 */
export function topkSoftmax(x: Float32Array, vals: Float32Array, idx: Int32Array, rows: number, cols: number, k: number, beta: number, renorm: boolean): void {
  for (let r = 0; r < rows; r++) {
    topkRow(x, r * cols, cols, k, vals, idx, r * k);
    const top = vals.subarray(r * k, r * k + k);
    if (renorm) { softmaxRows(top, top, 1, k, beta, 'softmax'); continue; }
    const m = top[0];
    if (m !== m || m === Infinity || m === -Infinity) {
      // the edge rules of softmax, applied to the whole row and read back at the top k
      const full = new Float32Array(cols);
      softmaxRows(x.subarray(r * cols, r * cols + cols), full, 1, cols, beta, 'softmax');
      for (let i = 0; i < k; i++) top[i] = full[idx[r * k + i]];
      continue;
    }
    let sum = 0; // the top-1 value is the row max
    for (let i = 0; i < cols; i++) sum += Math.exp((x[r * cols + i] - m) * beta);
    for (let i = 0; i < k; i++) top[i] = Math.exp((top[i] - m) * beta) / sum;
  }
}
