// Softpick (rectified softmax): y_i = ReLU(e^z_i - 1) / (sum_j |e^z_j - 1| + eps), z = x / T.
// Computed without overflow by factoring out e^m with m = M / T, M = max(max x, 0): every exp
// argument, (x - M) / T or -M / T, is then <= 0 and no finite input overflows (x / T itself
// may). Near z = 0, e^z - 1 cancels, so |z| < 1/2 uses an expm1 polynomial instead.
// Edges: all -Inf -> 0 (each term is |0 - 1|, no numerator); NaN -> NaN row; +Inf entries
// share the mass equally (the limit), finite entries get 0.
import { vexp } from '../simd/vexp';
import { expBlock, Arg, BLOCK, scratch } from '../simd/blocks';
import { fma4, hsum4 } from '../simd/fma';
import { rowMax, fill, edgeRow } from './softmax';

/** expm1(z) for |z| <= 1/2: Taylor to degree 7 (error below 1.2e-7 relative). */
// @ts-ignore: decorator
@inline function expm1Small(z: v128): v128 {
  let p = fma4(z, f32x4.splat(1.0 / 5040), f32x4.splat(1.0 / 720));
  p = fma4(p, z, f32x4.splat(1.0 / 120));
  p = fma4(p, z, f32x4.splat(1.0 / 24));
  p = fma4(p, z, f32x4.splat(1.0 / 6));
  p = fma4(p, z, f32x4.splat(0.5));
  return fma4(f32x4.mul(p, z), z, z);
}

/** e^-m (e^z - 1) from e = e^((x - M) / T) and c = e^-m, accurately also where z = x / T is near 0. */
// @ts-ignore: decorator
@inline function shifted(x: v128, e: v128, vb: v128, c: v128): v128 {
  const z = f32x4.mul(x, vb);
  const far = f32x4.sub(e, c);
  const isNear = f32x4.lt(f32x4.abs(z), f32x4.splat(0.5));
  if (!v128.any_true(isNear)) return far; // most vectors of a spread row: skip the polynomial
  return v128.bitselect(f32x4.mul(c, expm1Small(z)), far, isNear);
}

function softpickRow(xr: usize, yr: usize, n: i32, beta: f32, eps: f32): void {
  const xmax = rowMax(xr, n);
  if (xmax == Infinity && edgeRow(xr, yr, n, xmax)) return; // (all -Inf needs no special case)
  const M: f32 = xmax > 0 ? xmax : 0;
  const vM = f32x4.splat(M), vb = f32x4.splat(beta);
  const c: f32 = f32x4.extract_lane(vexp(f32x4.splat(-M * beta), true), 0); // e^-m (0 if M/T overflows)
  const vc = f32x4.splat(c);
  // pass 1: store e^-m (e^z - 1), sum its absolute value
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    // per block, the exps into scratch, then the rest: one long chain per vector left the core
    // latency-bound (see simd/blocks.ts)
    const m = min(BLOCK, (n - i) & ~3), xb = xr + (<usize>i << 2), yb = yr + (<usize>i << 2);
    expBlock(xb, scratch, m, Arg.Shifted, M, beta);
    let s = f32x4.splat(0);
    for (let j = 0; j < m; j += 4) {
      const off = <usize>j << 2;
      const v = shifted(v128.load(xb + off), v128.load(scratch + off), vb, vc);
      v128.store(yb + off, v);
      s = f32x4.add(s, f32x4.abs(v));
    }
    total += hsum4(s);
    i += m;
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x1 = f32x4.splat(load<f32>(xr + off));
    const v = f32x4.extract_lane(shifted(x1, vexp(f32x4.mul(f32x4.sub(x1, vM), vb), true), vb, vc), 0);
    store<f32>(yr + off, v);
    total += <f64>Mathf.abs(v);
  }
  // pass 2: y = ReLU(v) / (sum + eps e^-m)
  const denom = total + <f64>eps * <f64>c;
  if (denom != denom) { fill(yr, n, NaN); return; } // a NaN in the row
  if (!(denom > 0)) { fill(yr, n, 0); return; }
  const inv = f32x4.splat(<f32>(1.0 / denom)), zero = f32x4.splat(0);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(yr + off, f32x4.mul(f32x4.pmax(zero, v128.load(yr + off)), inv)); // +0, never -0
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(yr + off);
    store<f32>(yr + off, (v > 0 ? v : 0) * f32x4.extract_lane(inv, 0));
  }
}

export function softpick_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, eps: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) softpickRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta, eps);
}
