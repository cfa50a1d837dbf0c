// Fused multiply-add where the relaxed tier has it, mul+add otherwise.
// One source, two builds: ASC_FEATURE_RELAXED_SIMD is a compile-time constant.

/** a * b + c, lane-wise. */
// @ts-ignore: decorator
@inline export function fma4(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Sum of the four f32 lanes, widened to f64 so long rows keep their precision. */
// @ts-ignore: decorator
@inline export function hsum4(v: v128): f64 {
  const lo = f64x2.promote_low_f32x4(v);
  const hi = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
  const s = f64x2.add(lo, hi);
  return f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
}

/** Largest of the four f32 lanes (NaN lanes are ignored, as with pmax). */
// @ts-ignore: decorator
@inline export function hmax4(v: v128): f32 {
  const a = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  const b = f32x4.pmax(a, i32x4.shuffle(a, a, 1, 0, 3, 2));
  return f32x4.extract_lane(b, 0);
}
