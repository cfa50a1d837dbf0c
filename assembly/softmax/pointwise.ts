// Pointwise replacements for softmax: each output depends on its own input only (plus an
// optional sum normalization).
// reluNorm (Wortsman et al., "Replacing softmax with ReLU in Vision Transformers"):
//   y = ReLU(z) / n. -Inf -> 0, +Inf -> +Inf, NaN -> NaN (per element).
// sigmoidNorm (sigmoid attention, b = -ln n by default): y = sigmoid(z + b), optionally / sum.
//   -Inf -> 0, +Inf -> 1, NaN -> NaN (per element; the whole row when normalized).
//   In a normalized row whose largest u is below -27.6, every term is below 1e-12 and
//   sigmoid(u) = e^u (1 + O(1e-12)), so the row is exactly softmax(u) (the bias cancels): it
//   takes the softmax kernel, which does not underflow where the sigmoids do. (Decided before
//   anything is written: y may be x.)
import { vexp } from '../simd/vexp';
import { hsum4 } from '../simd/fma';
import { fill, scale, softmaxRow3, rowMax } from './softmax';

export function relu_norm_f32(x: usize, y: usize, n: i32, beta: f32, inv: f32): void {
  const vb = f32x4.splat(beta), vi = f32x4.splat(inv), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    // pmax(v, 0) passes a NaN first operand through
    v128.store(y + off, f32x4.mul(f32x4.pmax(f32x4.mul(v128.load(x + off), vb), zero), vi));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(x + off) * beta;
    store<f32>(y + off, (v < 0 ? 0 : v) * inv);
  }
}

/** 1 / (1 + e^-(z + b)), z = x * beta: exp overflow gives the right limits 0 and 1. */
// @ts-ignore: decorator
@inline function sigmoid(x: v128, vb: v128, bias: v128): v128 {
  const u = f32x4.add(f32x4.mul(x, vb), bias);
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(u))));
}

export function sigmoid_norm_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, bias: f32, normalize: bool): void {
  const vb = f32x4.splat(beta), vbias = f32x4.splat(bias);
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>cols << 2), yr = y + (<usize>r * <usize>cols << 2);
    if (normalize && !(rowMax(xr, cols) * beta + bias >= -27.6)) { softmaxRow3(xr, yr, cols, beta); continue; }
    let total: f64 = 0;
    let i = 0;
    while (i + 4 <= cols) {
      let s = f32x4.splat(0);
      const end = min(cols, i + 1024); // flushed to f64 per block, as in softmax
      for (; i + 4 <= end; i += 4) {
        const off = <usize>i << 2;
        const v = sigmoid(v128.load(xr + off), vb, vbias);
        v128.store(yr + off, v);
        s = f32x4.add(s, v);
      }
      total += hsum4(s);
    }
    for (; i < cols; i++) {
      const off = <usize>i << 2;
      const v = f32x4.extract_lane(sigmoid(f32x4.splat(load<f32>(xr + off)), vb, vbias), 0);
      store<f32>(yr + off, v);
      total += <f64>v;
    }
    if (!normalize) continue;
    if (total != total) fill(yr, cols, NaN);
    else scale(yr, yr, cols, <f32>(1.0 / total));
  }
}
