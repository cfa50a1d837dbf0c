// Self-Adjust Softmax in plain TypeScript (semantics: assembly/softmax/selfadjust.ts):
// y = z * softmax(z), or the normalized factor (z - min(z_min, 0)) / (max(0, z_max) - min(z_min, 0)).
import { softmaxRows } from './softmax.js';

export function selfAdjustSoftmax(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, normalized: boolean): void {
  for (let r = 0; r < rows; r++) {
    const xr = x.subarray(r * cols, (r + 1) * cols), yr = y.subarray(r * cols, (r + 1) * cols);
    let lo = 0, hi = 0;
    for (const v of xr) { if (v > -Infinity && v < lo) lo = v; if (v > hi) hi = v; }
    const z = Float64Array.from(xr); // kept: y may be x
    softmaxRows(xr, yr, 1, cols, beta, 'softmax');
    for (let i = 0; i < cols; i++) {
      const p = yr[i], v = z[i];
      if (p !== p || p === 0) continue; // NaN rows stay NaN; zeros stay (includes -Infinity entries)
      if (hi === Infinity) yr[i] = normalized ? p : Infinity; // a +Infinity entry: factor -> 1, or z * p = +Infinity
      else if (normalized) yr[i] = hi - lo > 0 ? ((v - lo) / (hi - lo)) * p : 0;
      else yr[i] = v * beta * p;
    }
  }
}
