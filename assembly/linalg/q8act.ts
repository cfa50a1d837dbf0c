// Activations quantized to int8 for the integer GEMV / GEMM paths: as ggml's q8_0 blocks for the
// ggml formats (assembly/linalg/ggml.ts), as quantize_row_q8_0_ref computes them (per 32 values
// d = amax / 127, codes roundf(x * (1 / d)), d stored as f16); per token for the ONNX formats
// (assembly/linalg/onnx.ts, src/ops/onnx.ts quantizeRow). Done here rather than in JS: for one
// token of 4096 the JS loops took a fifth of a q4_0 GEMV and a twentieth of an int8 one.

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

/** Four codes rne(v / d) (d as f64x2: the f64 quotient cannot round onto a tie as the f32 one can, so this is the js tier's rule exactly). */
// @ts-ignore: decorator
@inline function rneDiv(v: v128, d: v128): v128 {
  const lo = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.div(f64x2.promote_low_f32x4(v), d)));
  const hi = i32x4.trunc_sat_f64x2_s_zero(f64x2.nearest(f64x2.div(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), d)));
  return i32x4.shuffle(lo, hi, 0, 1, 4, 5);
}

/** Sixteen codes of the f32 at p, in [-127, 127] (a subnormal scale can leave quotients above 127). */
// @ts-ignore: decorator
@inline function codes16(p: usize, d: v128): v128 {
  const a = i16x8.narrow_i32x4_s(rneDiv(v128.load(p), d), rneDiv(v128.load(p, 16), d));
  const b = i16x8.narrow_i32x4_s(rneDiv(v128.load(p, 32), d), rneDiv(v128.load(p, 48), d));
  return i8x16.max_s(i8x16.narrow_i16x8_s(a, b), i8x16.splat(-127));
}

/** One code of the f32 at p, as codes16. */
// @ts-ignore: decorator
@inline function code1(p: usize, d: f64): i32 { return max(-127, min(127, <i32>nearest(<f64>load<f32>(p) / d))); }

/**
 * x: [tokens, cols] f32 into int8 per token as src/ops/onnx.ts quantizeRow: sx[t] = f32(amax / 127),
 * codes rne(x / sx[t]) (0 where sx[t] is 0) into xq; with `four` (4-bit weights) each whole 32-run
 * of a group of `group` columns is stored deinterleaved (its 16 even elements, then the 16 odd),
 * as assembly/linalg/onnx.ts reads them. xs: per token, the code sum of each group. Returns 0 if
 * x held a NaN or an infinity (the codes are then meaningless), else 1.
 */
export function quantize_i8(x: usize, xq: usize, xs: usize, sx: usize, tokens: i32, cols: i32, group: i32, four: i32): i32 {
  const groups = cols / group;
  let finite = true;
  for (let t = 0; t < tokens; t++) {
    const xt = x + (<usize>t * <usize>cols << 2), qt = xq + <usize>t * <usize>cols;
    let m = f32x4.splat(0), c = 0;
    for (; c + 4 <= cols; c += 4) m = f32x4.max(m, f32x4.abs(v128.load(xt + (<usize>c << 2))));
    m = f32x4.max(m, i32x4.shuffle(m, m, 2, 3, 0, 1));
    let amax = max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1));
    for (; c < cols; c++) amax = max(amax, abs(load<f32>(xt + (<usize>c << 2))));
    finite = finite && isFinite(amax);
    const s: f32 = amax / 127, d: f64 = s != 0 ? <f64>s : Infinity; // x / Infinity: codes 0
    store<f32>(sx + (<usize>t << 2), s);
    const dv = f64x2.splat(d);
    for (let g = 0; g < groups; g++) {
      const c1 = (g + 1) * group;
      let v = i32x4.splat(0), e = 0;
      c = g * group;
      for (; c + 32 <= c1; c += 32) {
        const p = xt + (<usize>c << 2), a = codes16(p, dv), b = codes16(p + 64, dv);
        const lo = four ? i8x16.shuffle(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30) : a;
        const hi = four ? i8x16.shuffle(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31) : b;
        v128.store(qt + <usize>c, lo);
        v128.store(qt + <usize>c, hi, 16);
        v = i32x4.add(v, i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.extadd_pairwise_i8x16_s(a), i16x8.extadd_pairwise_i8x16_s(b))));
      }
      for (; c < c1; c++) { const q = code1(xt + (<usize>c << 2), d); store<i8>(qt + <usize>c, <i8>q); e += q; }
      store<i32>(xs + (<usize>(t * groups + g) << 2), e + i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
    }
  }
  return finite ? 1 : 0;
}
