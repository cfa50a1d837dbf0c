// Sparsemax (Martins & Astudillo, "From Softmax to Sparsemax", 2016): the Euclidean projection
// of z = x / T onto the probability simplex, y = max(z - tau, 0) with sum y = 1, exact zeros
// outside the support. Computed on d = (x - max) / T in float64, so small outputs keep full
// relative precision. tau by Michelot's fixed point tau <- (sum_{d > tau} d - 1) / |{d > tau}|
// from the lower bound tau = -1 (every support element has d > -1): the candidate set only
// shrinks and the iteration stops, exactly, when it no longer changes (a few passes usually).
// Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries share the mass.
import { rowMax, fill, edgeRow } from './softmax';

/** The four f32 lanes of v as two f64x2 halves of d = (v - m) * b. */
// @ts-ignore: decorator
@inline function lowD(v: v128, vm: v128, vb: v128): v128 {
  return f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vb);
}
// @ts-ignore: decorator
@inline function highD(v: v128, vm: v128, vb: v128): v128 {
  return f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1)), vm), vb);
}

/**
 * An f32 bound below which x has (x - m) b <= tau (b > 0): m + tau / b less a margin far above
 * the rounding of the float64 terms. Vectors entirely at or below it skip the float64 work (most
 * of a row once the support is small). Shared with entmax15.
 */
// @ts-ignore: decorator
@inline export function below(m: f64, b: f64, tau: f64): v128 {
  const t = m + tau / b;
  return f32x4.splat(<f32>(t - Math.abs(t) * 1e-6 - 1e-30));
}

let supportSum: f64 = 0;
let sawNaN = false;

/** Number of d > tau over the row; their sum goes to supportSum, and sawNaN says if x had a NaN. */
function support(xr: usize, n: i32, m: f64, b: f64, tau: f64): i32 {
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau), bound = below(m, b, tau);
  let s0 = f64x2.splat(0), s1 = s0, c = i64x2.splat(0), nan = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(xr + (<usize>i << 2));
    nan = v128.or(nan, f32x4.ne(v, v)); // NaN fails d > tau silently: look for it explicitly
    if (!v128.any_true(f32x4.gt(v, bound))) continue;
    const lo = lowD(v, vm, vb), hi = highD(v, vm, vb);
    const ml = f64x2.gt(lo, vt), mh = f64x2.gt(hi, vt);
    s0 = f64x2.add(s0, v128.and(lo, ml));
    s1 = f64x2.add(s1, v128.and(hi, mh));
    c = i64x2.sub(i64x2.sub(c, ml), mh); // a true lane is -1
  }
  const s = f64x2.add(s0, s1);
  let sum = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  let count = <i32>(i64x2.extract_lane(c, 0) + i64x2.extract_lane(c, 1));
  let tailNaN = false;
  for (; i < n; i++) {
    const d = (<f64>load<f32>(xr + (<usize>i << 2)) - m) * b;
    if (d > tau) { sum += d; count++; }
    if (d != d) tailNaN = true;
  }
  supportSum = sum;
  sawNaN = tailNaN || v128.any_true(nan);
  return count;
}

function sparsemaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const m = <f64>xmax, b = <f64>beta;
  let tau: f64 = -1, count = -1;
  for (;;) {
    const c = support(xr, n, m, b, tau);
    if (sawNaN) { fill(yr, n, NaN); return; }
    if (c == count) break;
    count = c;
    tau = (supportSum - 1) / <f64>c; // c >= 1: the max (d = 0) is always above tau < 0
  }
  // y = max(d - tau, 0), rounded once from float64
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau), zero = f64x2.splat(0), bound = below(m, b, tau);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(xr + off);
    if (!v128.any_true(f32x4.gt(v, bound))) { v128.store(yr + off, zero); continue; }
    const lo = f32x4.demote_f64x2_zero(f64x2.pmax(f64x2.sub(lowD(v, vm, vb), vt), zero));
    const hi = f32x4.demote_f64x2_zero(f64x2.pmax(f64x2.sub(highD(v, vm, vb), vt), zero));
    v128.store(yr + off, i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const y = (<f64>load<f32>(xr + off) - m) * b - tau;
    store<f32>(yr + off, y > 0 ? <f32>y : 0);
  }
}

export function sparsemax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) sparsemaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
