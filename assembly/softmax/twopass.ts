// Softmax by the two-pass algorithm (Dukhan & Ablavatski, "The Two-Pass Softmax Algorithm"):
// each exp is kept as (p, n) with p = exp(r) in [0.7, 1.42] and e^z = p * 2^n, and sums are
// accumulated in the same extended form (mantissa sum, largest exponent), so no max pass is
// needed: pass 1 sums, pass 2 writes p * 2^(n - N) / S. Two reads of x and one write.
// Inputs are clamped at -16384 (an entry that low adds less than 2^-149 relative to any row
// this path accepts, i.e. exactly 0 in f32). Rows whose max is outside [-16280, 16384] or whose
// sum is not a positive number (NaN, all -Inf) take the three-pass path.
import { LOG2E, reduce, poly } from '../simd/vexp';
import { fma4, hmax4 } from '../simd/fma';
import { softmaxRow3 } from './softmax';

// @ts-ignore: decorator
@inline const BIAS: f32 = 12582912.0; // 1.5 * 2^23: adding it rounds to an integer
// @ts-ignore: decorator
@inline const LO: f32 = -16384;
// @ts-ignore: decorator
@inline const BLOCK: i32 = 1024;

/** z * log2(e) + BIAS: n = round(z / ln2) sits in its low mantissa bits. */
// @ts-ignore: decorator
@inline function biased(z: v128): v128 {
  return fma4(z, f32x4.splat(LOG2E), f32x4.splat(BIAS));
}

/** The integer n of biased(z), as i32 lanes (the bit patterns differ by exactly n). */
// @ts-ignore: decorator
@inline function exponent(nb: v128): v128 {
  return i32x4.sub(nb, f32x4.splat(BIAS));
}

/** p = exp(z - n ln2), in [0.7, 1.42]. */
// @ts-ignore: decorator
@inline function mantissa(z: v128, nb: v128): v128 {
  const r = reduce(z, f32x4.sub(nb, f32x4.splat(BIAS)));
  return fma4(r, poly(r), f32x4.splat(1));
}

/**
 * The exact rounding error of z = x * beta (Dekker's product with Veltkamp splits: x is split
 * here, beta once per row into bh + bl). x * beta = z + err exactly; err is what keeps the
 * reduced argument accurate when |z| is large. Huge x overflows the split: err is then NaN
 * and the row takes the three-pass path.
 */
// @ts-ignore: decorator
@inline function productError(x: v128, z: v128, bh: v128, bl: v128): v128 {
  const c = f32x4.mul(x, f32x4.splat(4097));
  const xh = f32x4.sub(c, f32x4.sub(c, x)), xl = f32x4.sub(x, xh);
  const e = f32x4.add(f32x4.sub(f32x4.mul(xh, bh), z), f32x4.add(f32x4.mul(xh, bl), f32x4.mul(xl, bh)));
  return f32x4.add(e, f32x4.mul(xl, bl));
}

/** e^(z + err) as (mantissa, biased exponent); `exact` adds the product error to r. */
// @ts-ignore: decorator
@inline function mantissaOf(x: v128, z: v128, zc: v128, nb: v128, bh: v128, bl: v128, exact: bool): v128 {
  if (!exact) return mantissa(zc, nb);
  // where z was clamped, the correction is irrelevant (the entry counts as 0): skip it there
  const err = v128.bitselect(productError(x, z, bh, bl), f32x4.splat(0), f32x4.eq(z, zc));
  const r = f32x4.add(reduce(zc, f32x4.sub(nb, f32x4.splat(BIAS))), err);
  return fma4(r, poly(r), f32x4.splat(1));
}

/** 2^k for integer lanes k <= 0 (0 below 2^-126). */
// @ts-ignore: decorator
@inline function pow2(k: v128): v128 {
  return i32x4.shl(i32x4.add(i32x4.max_s(k, i32x4.splat(-127)), i32x4.splat(127)), 23);
}

/** 2^k in f64 for integer k <= 0 (0 below 2^-1022). */
// @ts-ignore: decorator
@inline function scalb(k: i32): f64 {
  return k < -1022 ? 0 : reinterpret<f64>(<i64>(k + 1023) << 52);
}

/** The row's sum in extended form (gSum * 2^gExp), in f64. */
let gExp: i32 = 0;
let gSum: f64 = 0;

function fold(m: f32, e: i32): void {
  if (m == 0) return;
  if (e > gExp) { gSum = gSum * scalb(gExp - e) + <f64>m; gExp = e; }
  else gSum += <f64>m * scalb(e - gExp);
}

// @ts-ignore: decorator
@inline function foldLanes(sm: v128, se: v128): void {
  fold(f32x4.extract_lane(sm, 0), i32x4.extract_lane(se, 0));
  fold(f32x4.extract_lane(sm, 1), i32x4.extract_lane(se, 1));
  fold(f32x4.extract_lane(sm, 2), i32x4.extract_lane(se, 2));
  fold(f32x4.extract_lane(sm, 3), i32x4.extract_lane(se, 3));
}

// @ts-ignore: decorator
@inline function twoPassRowWith(xr: usize, yr: usize, n: i32, beta: f32, exact: bool): void {
  const vb = f32x4.splat(beta), lo = f32x4.splat(LO);
  // beta = bh + bl, each with at most 12 significant bits (Veltkamp)
  const bc = beta * 4097, bhs = bc - (bc - beta);
  const bh = f32x4.splat(bhs), bl = f32x4.splat(beta - bhs);
  gExp = -(1 << 30); gSum = 0;
  let vmax = f32x4.splat(-Infinity);
  let i = 0;
  // pass 1: per lane, sm * 2^se accumulates p * 2^n, rescaled when a larger n arrives
  while (i + 4 <= n) {
    let sm = f32x4.splat(0), se = i32x4.splat(-(1 << 30));
    const end = min(n, i + BLOCK);
    for (; i + 4 <= end; i += 4) {
      const x = v128.load(xr + (<usize>i << 2)), z = f32x4.mul(x, vb);
      vmax = f32x4.pmax(vmax, z);
      const zc = f32x4.pmax(z, lo), nb = biased(zc), e = exponent(nb);
      const ne = i32x4.max_s(se, e);
      sm = fma4(sm, pow2(i32x4.sub(se, ne)), f32x4.mul(mantissaOf(x, z, zc, nb, bh, bl, exact), pow2(i32x4.sub(e, ne))));
      se = ne;
    }
    foldLanes(sm, se);
  }
  for (; i < n; i++) {
    const x = f32x4.splat(load<f32>(xr + (<usize>i << 2))), z = f32x4.mul(x, vb);
    vmax = f32x4.pmax(vmax, z);
    const zc = f32x4.pmax(z, lo), nb = biased(zc);
    fold(f32x4.extract_lane(mantissaOf(x, z, zc, nb, bh, bl, exact), 0), i32x4.extract_lane(exponent(nb), 0));
  }
  const zmax = hmax4(vmax);
  if (!(gSum > 0 && gSum < Infinity) || !(zmax >= -16280 && zmax <= 16384)) { softmaxRow3(xr, yr, n, beta); return; }
  // pass 2: y = p * 2^(n - N) / S
  const inv = f32x4.splat(<f32>(1.0 / gSum)), vN = i32x4.splat(gExp);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const x = v128.load(xr + off), z = f32x4.mul(x, vb), zc = f32x4.pmax(z, lo), nb = biased(zc);
    v128.store(yr + off, f32x4.mul(f32x4.mul(mantissaOf(x, z, zc, nb, bh, bl, exact), pow2(i32x4.sub(exponent(nb), vN))), inv));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const x = f32x4.splat(load<f32>(xr + off)), z = f32x4.mul(x, vb), zc = f32x4.pmax(z, lo), nb = biased(zc);
    store<f32>(yr + off, f32x4.extract_lane(f32x4.mul(f32x4.mul(mantissaOf(x, z, zc, nb, bh, bl, exact), pow2(i32x4.sub(exponent(nb), vN))), inv), 0));
  }
}

/** Temperature 1 needs no product correction (z = x exactly): a copy without it (45% faster). */
function twoPassRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  if (beta == 1) twoPassRowWith(xr, yr, n, 1, false);
  else twoPassRowWith(xr, yr, n, beta, true);
}

export function softmax_two_pass_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) twoPassRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
