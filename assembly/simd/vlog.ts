// Vector natural log for f32x4: x = 2^e * m with m in [sqrt(1/2), sqrt(2)) (integer bit tricks;
// denormals are scaled by 2^23 first), f = m - 1, and e ln2 added in two parts.
// `vlog` / `vlogPos`: log1p(f) = f - f^2 / 2 + f^3 P(f), P a degree-6 fit on f's range (3.6e-8
// relative before rounding) evaluated in Estrin's scheme: no division and three dependent steps
// instead of six, 1.7x the throughput of the series below and within 1.6 ULP of float64
// (measured by test/softmax.test.ts). 0 -> -Inf, negative or NaN -> NaN, +Inf -> +Inf.
// `vlogStrict`: log m = 2 atanh(s) = 2s + 2s^3/3 + ... + 2s^9/9 with s = f / (f + 2),
// |s| <= 0.1716, and only correctly rounded operations (no FMA, even in the relaxed build), so
// the JS tier can reproduce it bit for bit (src/js/gumbel.ts). Within 2 ULP.
// `vlogPos` / `vlogStrict(x, false)` are for callers whose lanes are all positive normal finite
// floats (or whose other lanes are discarded): they skip the denormal scaling and the edge
// fix-ups, and give the same bits on that domain.
import { fma4 } from './fma';

// @ts-ignore: decorator
@inline const SQRT_HALF_BITS: i32 = 0x3f3504f3; // bits of sqrt(1/2) in f32
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;

/** a * b + c: fused where the build has it when `fused`, else two rounded operations. */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128, fused: bool): v128 {
  return fused ? fma4(a, b, c) : f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline export function vlog(x: v128): v128 { return vlogWith(x, true, true); }

/** vlog for positive normal finite lanes only (see the file comment). */
// @ts-ignore: decorator
@inline export function vlogPos(x: v128): v128 { return vlogWith(x, true, false); }

/** vlog with every operation rounded separately: identical bits in every tier. */
// @ts-ignore: decorator
@inline export function vlogStrict(x: v128, edges: bool = true): v128 { return vlogWith(x, false, edges); }

/** log1p(f) for f in [sqrt(1/2) - 1, sqrt(2) - 1): the polynomial of vlog. */
// @ts-ignore: decorator
@inline function log1pPoly(f: v128): v128 {
  const f2 = f32x4.mul(f, f), f4 = f32x4.mul(f2, f2);
  const p01 = fma4(f, f32x4.splat(-0.25001542646591657), f32x4.splat(0.33333950129983153));
  const p23 = fma4(f, f32x4.splat(-0.16570495731769158), f32x4.splat(0.19961631954686637));
  const p45 = fma4(f, f32x4.splat(-0.14325521604618865), f32x4.splat(0.14922426274635828));
  const p = fma4(f4, fma4(f2, f32x4.splat(0.08753048074966104), p45), fma4(f2, p23, p01));
  return fma4(f32x4.mul(f2, f), p, fma4(f2, f32x4.splat(-0.5), f));
}

/** log1p(f) through s = f / (f + 2), correctly rounded steps: the series of vlogStrict. */
// @ts-ignore: decorator
@inline function log1pSeries(f: v128): v128 {
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2)));
  const s2 = f32x4.mul(s, s);
  let p = madd(s2, f32x4.splat(2.0 / 9), f32x4.splat(2.0 / 7), false);
  p = madd(p, s2, f32x4.splat(2.0 / 5), false);
  p = madd(p, s2, f32x4.splat(2.0 / 3), false);
  return madd(f32x4.mul(s, s2), p, f32x4.add(s, s), false);
}

/** e of x = 2^e m, m in [sqrt(1/2), sqrt(2)), as f32 (x a positive normal float). */
// @ts-ignore: decorator
@inline export function logE(x: v128): v128 {
  // subtracting the bits of sqrt(1/2) puts the exponent of x / sqrt(1/2) in the top bits
  return f32x4.convert_i32x4_s(i32x4.shr_s(i32x4.sub(x, i32x4.splat(SQRT_HALF_BITS)), 23));
}

/** f = m - 1 of x = 2^e m, m in [sqrt(1/2), sqrt(2)) (x a positive normal float, or scaled denormal). */
// @ts-ignore: decorator
@inline export function logF(x: v128): v128 {
  const t = i32x4.sub(x, i32x4.splat(SQRT_HALF_BITS));
  return f32x4.sub(i32x4.add(v128.and(t, i32x4.splat(0x7fffff)), i32x4.splat(SQRT_HALF_BITS)), f32x4.splat(1));
}

/** e ln2 + log1p(f): the log from logE and logF (the series with `fused` false, as vlogStrict). */
// @ts-ignore: decorator
@inline export function logFrom(e: v128, f: v128, fused: bool = true): v128 {
  const logm = fused ? log1pPoly(f) : log1pSeries(f);
  return madd(e, f32x4.splat(LN2_HI), madd(e, f32x4.splat(LN2_LO), logm, fused), fused);
}

// @ts-ignore: decorator
@inline function vlogWith(x: v128, fused: bool, edges: bool): v128 {
  const den = f32x4.lt(x, f32x4.splat(1.17549435e-38)); // denormal (or <= 0: fixed up below)
  const xs = edges ? v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, den) : x;
  let e = logE(xs);
  if (edges) e = f32x4.sub(e, v128.and(den, f32x4.splat(23)));
  let y = logFrom(e, logF(xs), fused);
  if (!edges) return y;
  y = v128.bitselect(f32x4.splat(-Infinity), y, f32x4.eq(x, f32x4.splat(0)));
  y = v128.bitselect(f32x4.splat(Infinity), y, f32x4.eq(x, f32x4.splat(Infinity)));
  return v128.bitselect(f32x4.splat(NaN), y, v128.not(f32x4.ge(x, f32x4.splat(0))));
}
