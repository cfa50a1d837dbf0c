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
import { expBlock, Arg, BLOCK, scratch } from '../simd/blocks';
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

/**
 * sigmoid(u), u = x * beta + b, from t = e^-|u| (never overflows): 1 / (1 + t) for u >= 0,
 * t / (1 + t) below. Where u < -80, t is flushed to 0 (the true value is below 2e-35).
 */
// @ts-ignore: decorator
@inline function sigmoidOf(x: v128, t: v128, vb: v128, bias: v128): v128 {
  const pos = f32x4.ge(f32x4.add(f32x4.mul(x, vb), bias), f32x4.splat(0));
  return f32x4.div(v128.bitselect(f32x4.splat(1), t, pos), f32x4.add(f32x4.splat(1), t));
}

export function sigmoid_norm_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, bias: f32, normalize: bool): void {
  const vb = f32x4.splat(beta), vbias = f32x4.splat(bias);
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>cols << 2), yr = y + (<usize>r * <usize>cols << 2);
    if (normalize && !(rowMax(xr, cols) * beta + bias >= -27.6)) { softmaxRow3(xr, yr, cols, beta); continue; }
    let total: f64 = 0;
    let i = 0;
    while (i + 4 <= cols) {
      // per block, the exps into scratch, then the rest: one long chain per vector left the
      // core latency-bound (see simd/blocks.ts)
      const m = min(BLOCK, (cols - i) & ~3), xb = xr + (<usize>i << 2), yb = yr + (<usize>i << 2);
      expBlock(xb, scratch, m, Arg.NegAbs, bias, beta);
      let s = f32x4.splat(0);
      for (let j = 0; j < m; j += 4) {
        const off = <usize>j << 2;
        const v = sigmoidOf(v128.load(xb + off), v128.load(scratch + off), vb, vbias);
        v128.store(yb + off, v);
        s = f32x4.add(s, v);
      }
      total += hsum4(s); // flushed to f64 per block, as in softmax
      i += m;
    }
    for (; i < cols; i++) {
      const off = <usize>i << 2;
      const x1 = f32x4.splat(load<f32>(xr + off));
      const t = vexp(v128.or(f32x4.add(f32x4.mul(x1, vb), vbias), f32x4.splat(-0.0)), true);
      const v = f32x4.extract_lane(sigmoidOf(x1, t, vb, vbias), 0);
      store<f32>(yr + off, v);
      total += <f64>v;
    }
    if (!normalize) continue;
    if (total != total) fill(yr, cols, NaN);
    else scale(yr, yr, cols, <f32>(1.0 / total));
  }
}
