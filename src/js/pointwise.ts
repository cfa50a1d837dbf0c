// reluNorm and sigmoidNorm in plain TypeScript (the js tier); semantics as in
// assembly/softmax/pointwise.ts.
import { softmaxRows } from './softmax.js';
export function reluNorm(x: Float32Array, y: Float32Array, beta: number, inv: number): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * beta;
    y[i] = (v < 0 ? 0 : v) * inv; // NaN stays NaN
  }
}

export function sigmoidNorm(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, bias: number, normalize: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    if (normalize) {
      // largest u below -27.6: every term is e^u (1 + O(1e-12)), the row is softmax(u)
      let m = -Infinity;
      for (let i = 0; i < cols; i++) if (x[o + i] > m) m = x[o + i];
      if (!(m * beta + bias >= -27.6)) { softmaxRows(x.subarray(o, o + cols), y.subarray(o, o + cols), 1, cols, beta, 'softmax'); continue; }
    }
    let sum = 0;
    for (let i = 0; i < cols; i++) {
      const v = 1 / (1 + Math.exp(-(x[o + i] * beta + bias)));
      y[o + i] = v;
      sum += v;
    }
    if (normalize) for (let i = 0; i < cols; i++) y[o + i] = sum !== sum ? NaN : y[o + i] / sum;
  }
}
