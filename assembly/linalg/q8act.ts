// Activations as ggml's q8_0 blocks for the ggml GEMV / GEMM (assembly/linalg/ggml.ts), as
// quantize_row_q8_0_ref computes them: per 32 values d = amax / 127, codes roundf(x * (1 / d)),
// d stored as f16. Done here rather than in JS: for one token of 4096 it took the JS loop a fifth
// of a q4_0 GEMV.

/** f32 (>= 0) to the nearest f16, ties to even, back as f32 (Inf past the f16 range). */
// @ts-ignore: decorator
@inline function viaF16(d: f32): f32 {
  const b = reinterpret<u32>(d), e = <i32>(b >> 23) - 112, m = b & 0x7fffff;
  let h: u32;
  if (e >= 31) h = 0x7c00;
  else if (e <= 0) { // a subnormal f16 (or zero)
    if (e < -10) return 0;
    const full = m | 0x800000, shift = <u32>(14 - e), half = <u32>1 << (shift - 1), rest = full & ((half << 1) - 1);
    h = full >> shift;
    if (rest > half || (rest == half && (h & 1))) h++;
  } else {
    h = (<u32>e << 10) | (m >> 13);
    const rest = m & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++; // may carry into the exponent: correct
  }
  return h >= 0x7c00 ? Infinity : reinterpret<f32>(h << 13) * 5.192296858534828e33; // 2^112 rebiases
}

/** C roundf of four lanes (half away from zero) as i32x4: trunc, then +-1 where the rest is >= 0.5. */
// @ts-ignore: decorator
@inline function roundAway(v: v128): v128 {
  const t = f32x4.trunc(v), up = f32x4.ge(f32x4.abs(f32x4.sub(v, t)), f32x4.splat(0.5));
  const one = v128.or(v128.and(v, f32x4.splat(-0.0)), f32x4.splat(1));
  return i32x4.trunc_sat_f32x4_s(f32x4.add(t, v128.and(one, up)));
}

/**
 * x: [tokens, cols] f32 (finite, cols % 32 == 0) into xq (i8 codes), xd (per 32: the f16 scale as
 * f32) and xs (per token: the code sums per 32, then the sums of each block's first 16).
 * Returns 0 if x held a NaN or an infinity (the codes are then meaningless), else 1.
 */
export function quantize_q8_0(x: usize, xq: usize, xd: usize, xs: usize, tokens: i32, cols: i32): i32 {
  const nb = cols >> 5;
  let finite = true;
  for (let t = 0; t < tokens; t++) {
    const st = xs + (<usize>t * <usize>nb << 3);
    for (let b = 0; b < nb; b++) {
      const k = <usize>(t * nb + b), p = x + (k << 7);
      const v0 = v128.load(p), v1 = v128.load(p, 16), v2 = v128.load(p, 32), v3 = v128.load(p, 48);
      const v4 = v128.load(p, 64), v5 = v128.load(p, 80), v6 = v128.load(p, 96), v7 = v128.load(p, 112);
      let m = f32x4.max(f32x4.max(f32x4.max(f32x4.abs(v0), f32x4.abs(v1)), f32x4.max(f32x4.abs(v2), f32x4.abs(v3))),
        f32x4.max(f32x4.max(f32x4.abs(v4), f32x4.abs(v5)), f32x4.max(f32x4.abs(v6), f32x4.abs(v7))));
      m = f32x4.max(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
      const amax = max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), d = amax / 127;
      finite = finite && isFinite(amax);
      const inv: f32 = d != 0 ? 1 / d : 0, s = f32x4.splat(isFinite(inv) ? inv : 0); // d below 2^-128: codes 0, as the js tier
      const a = i16x8.narrow_i32x4_s(roundAway(f32x4.mul(v0, s)), roundAway(f32x4.mul(v1, s)));
      const b8 = i16x8.narrow_i32x4_s(roundAway(f32x4.mul(v2, s)), roundAway(f32x4.mul(v3, s)));
      const c = i16x8.narrow_i32x4_s(roundAway(f32x4.mul(v4, s)), roundAway(f32x4.mul(v5, s)));
      const e = i16x8.narrow_i32x4_s(roundAway(f32x4.mul(v6, s)), roundAway(f32x4.mul(v7, s)));
      v128.store(xq + (k << 5), i8x16.narrow_i16x8_s(a, b8));
      v128.store(xq + (k << 5), i8x16.narrow_i16x8_s(c, e), 16);
      store<f32>(xd + (k << 2), viaF16(d));
      const lo = i32x4.extadd_pairwise_i16x8_s(i16x8.add(a, b8)), hi = i32x4.extadd_pairwise_i16x8_s(i16x8.add(c, e));
      const l = i32x4.add(lo, i32x4.shuffle(lo, lo, 2, 3, 0, 1)), h = i32x4.add(hi, i32x4.shuffle(hi, hi, 2, 3, 0, 1));
      const s16 = i32x4.extract_lane(l, 0) + i32x4.extract_lane(l, 1);
      store<i32>(st + (<usize>b << 2), s16 + i32x4.extract_lane(h, 0) + i32x4.extract_lane(h, 1));
      store<i32>(st + (<usize>(nb + b) << 2), s16);
    }
  }
  return finite ? 1 : 0;
}
