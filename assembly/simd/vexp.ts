// Vector exp for f32x4: exp(x) = 2^n * p(r), n = round(x / ln2), r = x - n*ln2.
// n comes from the magic-bias trick (adding 1.5*2^23 rounds to an integer in the low mantissa
// bits, and +127 pre-biases it so a left shift by 23 yields the bits of 2^n). r is reduced in
// two steps (Cody-Waite) so it stays exact; p is a degree-5 minimax polynomial. Results are
// within 3 ULP of float64 exp over [-87.33, 88.37] (measured by test/softmax.test.ts).
// Inputs below -87.33 (where the result would be denormal) give exactly 0, so do -Inf;
// NaN gives NaN; results above the range become +Inf.
import { fma4 } from './fma';

// @ts-ignore: decorator
@inline export const MAGIC: f32 = 12582912.0 + 127.0; // 1.5 * 2^23, plus the exponent bias
// @ts-ignore: decorator
@inline export const LOG2E: f32 = 1.44269504088896341;
// ln2 split in a part with few mantissa bits (exact products n*LN2_HI) and the remainder.
// @ts-ignore: decorator
@inline export const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline export const LN2_LO: f32 = -2.12194440e-4;
// Minimax degree-5 coefficients of exp(r) on [-ln2/2, ln2/2] (the values XNNPACK's rr2_p5
// kernels use): relative error 9.2e-8 before rounding.
// @ts-ignore: decorator
@inline const C1: f32 = 0.99999970197677612;  // 0x1.FFFFF6p-1
// @ts-ignore: decorator
@inline const C2: f32 = 0.49999150633811951;  // 0x1.FFFDC6p-2
// @ts-ignore: decorator
@inline const C3: f32 = 0.16667652130126953;  // 0x1.555A80p-3
// @ts-ignore: decorator
@inline const C4: f32 = 0.041897822171449661; // 0x1.573A1Ap-5
// @ts-ignore: decorator
@inline const C5: f32 = 0.0082892905920743942; // 0x1.0F9F9Cp-7
/** Below this, exp(x) is denormal in f32: flushed to 0. */
// @ts-ignore: decorator
@inline export const EXP_LO: f32 = -87.336544;
/**
 * The non-positive variant (softmax terms x - max) flushes below this: e^-80 < 1.9e-35 is far
 * below any tolerance, and it keeps 2^n and r * 2^n out of the denormal range, where x86
 * pays a microcode assist per operation (measured: 2.6x slower rows).
 */
// @ts-ignore: decorator
@inline export const FLUSH_LO: f32 = -80;
/** Above this, 2^n would overflow the exponent field: the result is +Inf. */
// @ts-ignore: decorator
@inline export const EXP_HI: f32 = 88.37626;

/** r = x - n * ln2, in two steps so it stays exact for |n| < 2^15. */
// @ts-ignore: decorator
@inline export function reduce(x: v128, n: v128): v128 {
  return fma4(n, f32x4.splat(-LN2_LO), fma4(n, f32x4.splat(-LN2_HI), x));
}

/** p(r) with exp(r) ~ 1 + r * p(r) for |r| <= ln2 / 2. */
// @ts-ignore: decorator
@inline export function poly(r: v128): v128 {
  let p = fma4(f32x4.splat(C5), r, f32x4.splat(C4));
  p = fma4(p, r, f32x4.splat(C3));
  p = fma4(p, r, f32x4.splat(C2));
  return fma4(p, r, f32x4.splat(C1));
}

/**
 * exp of each lane (see the file comment for range and accuracy). `nonPositive` is a
 * compile-time promise that no lane is above 0 (softmax arguments x - max): it drops the
 * clamps and the overflow fix-up, which only lanes above EXP_HI need.
 */
// @ts-ignore: decorator
@inline export function vexp(x: v128, nonPositive: bool = false): v128 {
  // Lanes below the range are computed as exp(0) (cheap, never denormal) and zeroed at the
  // end; lanes above are clamped and set to +Inf at the end. NaN compares false: it stays.
  const low = f32x4.lt(x, f32x4.splat(nonPositive ? FLUSH_LO : EXP_LO));
  const xc = nonPositive ? v128.andnot(x, low) : f32x4.pmin(v128.andnot(x, low), f32x4.splat(EXP_HI));
  const nb = fma4(xc, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const scale = i32x4.shl(nb, 23);
  const n = f32x4.sub(nb, f32x4.splat(MAGIC));
  const r = reduce(xc, n);
  // exp(r) ~ 1 + r * p(r); the result is scale + (scale * r) * p(r)
  let y = fma4(f32x4.mul(r, scale), poly(r), scale);
  y = v128.andnot(y, low);
  if (!nonPositive) y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(EXP_HI)));
  return y;
}

/**
 * Scalar exp through the vector code, so tails round exactly like the main loop. A real
 * function (tails are cold): inlined at every tail it cost ~1 KB of wasm each.
 */
export function sexp(x: f32, nonPositive: bool = false): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x), nonPositive), 0);
}
