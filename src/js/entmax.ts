// alpha-entmax in plain TypeScript, float64 (semantics: assembly/softmax/entmax.ts):
// y = [u - tau]_+^P, u = (alpha - 1)(z - max z), P = 1 / (alpha - 1), tau in [-1, -n^(1 - alpha)]
// found by bisection (the paper's algorithm), then y divided by its sum.
import { edgeRow } from './normalized.js';

export function entmax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, alpha: number): void {
  const P = 1 / (alpha - 1);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols), out = y.subarray(r * cols, (r + 1) * cols);
    const m = edgeRow(row, out);
    if (m === true) continue;
    const u = Array.from(row, (v) => (alpha - 1) * beta * (v - m));
    const total = (tau: number) => u.reduce((a, v) => a + (v > tau ? (v - tau) ** P : 0), 0);
    let lo = -1, hi = -(cols ** (1 - alpha));
    for (let it = 0; it < 80 && hi - lo > 1e-15; it++) {
      const mid = (lo + hi) / 2;
      if (total(mid) >= 1) lo = mid; else hi = mid;
    }
    const tau = (lo + hi) / 2, s = total(tau);
    for (let i = 0; i < cols; i++) out[i] = u[i] > tau ? (u[i] - tau) ** P / s : 0;
  }
}
