// Vector exp for f32x4: exp(x) = 2^n * p(r), n = round(x / ln2), r = x - n*ln2.
// n comes from the magic-bias trick (adding 1.5*2^23 rounds to an integer in the low mantissa
// bits, and +127 pre-biases it so a left shift by 23 yields the bits of 2^n). r is reduced in
// two steps (Cody-Waite) so it stays exact; p is the degree-7 Cephes-style expansion
// 1 + r + r^2 * P5(r). Results are within 2 ULP of float64 exp over [-87.33, 88.37].
// Inputs below -87.33 (where the result would be denormal) give exactly 0, so do -Inf;
// NaN gives NaN; results above the range become +Inf.
import { fma4 } from './fma';

// @ts-ignore: decorator
@inline const MAGIC: f32 = 12582912.0 + 127.0; // 1.5 * 2^23, plus the exponent bias
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln2 split in a part with few mantissa bits (exact products n*LN2_HI) and the remainder.
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// Minimax coefficients of (exp(r) - 1 - r) / r^2 on [-ln2/2, ln2/2] (Cephes expf).
// @ts-ignore: decorator
@inline const P0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline const P1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline const P2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline const P3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline const P4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline const P5: f32 = 5.0000001201e-1;
/** Below this, exp(x) is denormal in f32: flushed to 0. */
// @ts-ignore: decorator
@inline export const EXP_LO: f32 = -87.336544;
/** Above this, 2^n would overflow the exponent field: the result is +Inf. */
// @ts-ignore: decorator
@inline export const EXP_HI: f32 = 88.37626;

/** exp of each lane (see the file comment for range and accuracy). */
// @ts-ignore: decorator
@inline export function vexp(x: v128): v128 {
  // Clamp so the shifted exponent stays in range; lanes outside are fixed up at the end.
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI));
  const nb = fma4(xc, f32x4.splat(LOG2E), f32x4.splat(MAGIC));
  const scale = i32x4.shl(nb, 23);
  const n = f32x4.sub(nb, f32x4.splat(MAGIC));
  let r = fma4(n, f32x4.splat(-LN2_HI), xc);
  r = fma4(n, f32x4.splat(-LN2_LO), r);
  let p = fma4(f32x4.splat(P0), r, f32x4.splat(P1));
  p = fma4(p, r, f32x4.splat(P2));
  p = fma4(p, r, f32x4.splat(P3));
  p = fma4(p, r, f32x4.splat(P4));
  p = fma4(p, r, f32x4.splat(P5));
  p = fma4(p, f32x4.mul(r, r), f32x4.add(r, f32x4.splat(1.0)));
  let y = f32x4.mul(p, scale);
  // x < EXP_LO (including -Inf) -> 0; x > EXP_HI (including +Inf) -> +Inf; NaN stays NaN
  // because pmax/pmin pass a NaN first operand through and NaN compares false.
  y = v128.andnot(y, f32x4.lt(x, f32x4.splat(EXP_LO)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.gt(x, f32x4.splat(EXP_HI)));
  return y;
}

/** Scalar exp through the vector code, so tails round exactly like the main loop. */
// @ts-ignore: decorator
@inline export function sexp(x: f32): f32 {
  return f32x4.extract_lane(vexp(f32x4.splat(x)), 0);
}
