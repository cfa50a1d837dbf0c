// GEMV / GEMM over ggml block formats (byte layouts in src/ops/ggml.ts) with activations quantized
// to q8_0 blocks once per call, as ggml's q8 path. Four weight rows at a time share each load of
// the activations and one vector conversion of their f16 scales. Per 32-element sub-block the
// weight codes are decoded in registers to u (or signed codes for q8_0 / iq4_nl) with
// w = scale * (u - OFF) + bias; the exact integer sums sum(u * xq) become f32 only once per
// sub-block, and the row sums accumulate in f64.
import { fma4 } from '../simd/fma';
import { fp4Table } from './onnx';
import { gemm_f32 } from './gemv';

const Q8_0 = 0, Q4_0 = 1, Q4_1 = 2, Q5_0 = 3, Q5_1 = 4, IQ4_NL = 5, TQ2_0 = 6, TQ1_0 = 7, Q4_K = 8, Q6_K = 9, MXFP4 = 10;

// @ts-ignore: decorator
@inline function blockBytes(f: i32): usize {
  return f == Q8_0 ? 34 : f == Q4_0 || f == IQ4_NL ? 18 : f == Q4_1 ? 20 : f == Q5_0 ? 22 : f == Q5_1 ? 24 : f == TQ2_0 ? 66 : f == TQ1_0 ? 54 : f == Q4_K ? 144 : f == MXFP4 ? 17 : 210;
}
/** 32-element sub-blocks per block. */
// @ts-ignore: decorator
@inline function subs(f: i32): i32 { return f >= TQ2_0 && f <= Q6_K ? 8 : 1; }
/** The codes are u - OFF with u in [0, 63], valid i7 operands of the relaxed dot. */
// @ts-ignore: decorator
@inline function offset(f: i32): i32 { return f == Q4_0 ? 8 : f == Q5_0 ? 16 : f == TQ2_0 || f == TQ1_0 ? 1 : f == Q6_K ? 32 : f == MXFP4 ? 12 : 0; }
/** Full-range signed codes (no i7 form): widened products instead of the relaxed dot. */
// @ts-ignore: decorator
@inline function signedCodes(f: i32): bool { return f == Q8_0 || f == IQ4_NL; }
// @ts-ignore: decorator
@inline function hasBias(f: i32): bool { return f == Q4_1 || f == Q5_1 || f == Q4_K; }

/** Nibbles of 16 bytes: the low ones (half 0: elements 0..15) or the high ones (half 1). */
// @ts-ignore: decorator
@inline function nibbles(raw: v128, h: i32): v128 {
  return h ? i8x16.shr_u(raw, 4) : v128.and(raw, i8x16.splat(15));
}

/** 0x10 in lane i where bit i of the 16 bits is set (q5's fifth bits). */
// @ts-ignore: decorator
@inline function fifthBits(bits: u32): v128 {
  const spread = i8x16.swizzle(i16x8.splat(<i16>bits), i8x16(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
  const lane = i8x16(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
  return v128.and(i8x16.eq(v128.and(spread, lane), lane), i8x16.splat(16));
}

/** tq1_0 trits: ((u8)(b * p) * 3) >> 8 per byte, p per lane as two i16x8 halves. */
// @ts-ignore: decorator
@inline function trits(b: v128, plo: v128, phi: v128): v128 {
  const m = i16x8.splat(0xff), three = i16x8.splat(3);
  const lo = i16x8.shr_u(i16x8.mul(v128.and(i16x8.mul(i16x8.extend_low_i8x16_u(b), plo), m), three), 8);
  const hi = i16x8.shr_u(i16x8.mul(v128.and(i16x8.mul(i16x8.extend_high_i8x16_u(b), phi), m), three), 8);
  return i8x16.narrow_i16x8_u(lo, hi);
}

/** The 16 codes of half h of sub-block s of the block at wb. */
// @ts-ignore: decorator
@inline function codes(f: i32, wb: usize, s: i32, h: i32): v128 {
  if (f == Q8_0) return v128.load(wb + 2 + (<usize>h << 4));
  if (f == Q4_0) return nibbles(v128.load(wb + 2), h);
  if (f == Q4_1) return nibbles(v128.load(wb + 4), h);
  if (f == Q5_0) return v128.or(nibbles(v128.load(wb + 6), h), fifthBits(<u32>load<u16>(wb + 2 + (<usize>h << 1))));
  if (f == Q5_1) return v128.or(nibbles(v128.load(wb + 8), h), fifthBits(<u32>load<u16>(wb + 4 + (<usize>h << 1))));
  if (f == MXFP4) return i8x16.swizzle(fp4Table(), nibbles(v128.load(wb + 1), h)); // 2 e2m1 + 12
  if (f == IQ4_NL) return i8x16.swizzle(i8x16(-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113), nibbles(v128.load(wb + 2), h));
  if (f == TQ2_0) return v128.and(i8x16.shr_u(v128.load(wb + (<usize>(s >> 2) << 5) + (<usize>h << 4)), <u32>((s & 3) << 1)), i8x16.splat(3));
  if (f == Q4_K) return v128.and(i8x16.shr_u(v128.load(wb + 16 + (<usize>(s >> 1) << 5) + (<usize>h << 4)), <u32>((s & 1) << 2)), i8x16.splat(15));
  if (f == Q6_K) {
    const hh = s >> 2, k = s & 3;
    const lo = v128.and(i8x16.shr_u(v128.load(wb + (<usize>hh << 6) + (<usize>(k & 1) << 5) + (<usize>h << 4)), <u32>((k >> 1) << 2)), i8x16.splat(15));
    const hi = v128.and(i8x16.shr_u(v128.load(wb + 128 + (<usize>hh << 5) + (<usize>h << 4)), <u32>(k << 1)), i8x16.splat(3));
    return v128.or(lo, i8x16.shl(hi, 4));
  }
  // tq1_0: elements 32n + m: trit n of byte m (n < 5); 160 + 16n + m: trit n of byte 32 + m;
  // 240 + 4n + j: trit n of qh[j]
  if (s == 7 && h == 1) {
    const qh = i8x16.swizzle(i32x4.splat(load<i32>(wb + 48)), i8x16(0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3));
    return trits(qh, i16x8(1, 1, 1, 1, 3, 3, 3, 3), i16x8(9, 9, 9, 9, 27, 27, 27, 27));
  }
  const n = s < 5 ? s : s == 5 ? h : s == 6 ? 2 + h : 4;
  const p = i16x8.splat(<i16>(n == 0 ? 1 : n == 1 ? 3 : n == 2 ? 9 : n == 3 ? 27 : 81));
  return trits(v128.load(s < 5 ? wb + (<usize>h << 4) : wb + 32), p, p);
}

/** The f16 bits of the block scale d. */
// @ts-ignore: decorator
@inline function scaleBits(f: i32, wb: usize): i32 {
  return <i32>load<u16>(f == TQ2_0 ? wb + 64 : f == TQ1_0 ? wb + 52 : f == Q6_K ? wb + 208 : wb);
}

/** q4_k's 6-bit scale (min: m = 1) of sub-block j from the 12 bytes at p (ggml's get_scale_min_k4). */
// @ts-ignore: decorator
@inline function k4(p: usize, j: i32, m: i32): i32 {
  const a = <usize>j;
  if (j < 4) return <i32>load<u8>(p + a + (<usize>m << 2)) & 63;
  return m ? (<i32>load<u8>(p + a + 4) >> 4) | ((<i32>load<u8>(p + a) >> 6) << 4)
    : (<i32>load<u8>(p + a + 4) & 0xf) | ((<i32>load<u8>(p + a - 4) >> 6) << 4);
}

/** An e8m0 byte as the f32 bits of 2^(e - 128): half the block scale, as the codes are doubled (255: NaN). */
// @ts-ignore: decorator
@inline function e8m0Half(wb: usize): i32 {
  const e = <i32>load<u8>(wb);
  return e == 255 ? 0x7fc00000 : e >= 2 ? (e - 1) << 23 : 0x200000 << e;
}

/** Four f16 values (i32 lanes of bits) -> f32x4, exactly (subnormals, Inf and NaN included). */
// @ts-ignore: decorator
@inline function halves(h: v128): v128 {
  const em = i32x4.shl(v128.and(h, i32x4.splat(0x7fff)), 13);
  const scaled = f32x4.mul(em, f32x4.splat(5.192296858534828e33)); // 2^112: rebias the exponent
  const special = i32x4.eq(v128.and(h, i32x4.splat(0x7c00)), i32x4.splat(0x7c00));
  return v128.or(v128.bitselect(v128.or(em, i32x4.splat(0x7f800000)), scaled, special), i32x4.shl(v128.and(h, i32x4.splat(0x8000)), 16));
}

/** Exact sum(x * u) over 16 lanes as i16 pair sums (|u| <= 63 keeps four products within i16). */
// @ts-ignore: decorator
@inline function dot16u(x: v128, u: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i16x8.relaxed_dot_i8x16_i7x16_s(x, u);
  return i16x8.add(i16x8.extmul_low_i8x16_s(x, u), i16x8.extmul_high_i8x16_s(x, u));
}
/** Exact sum(x * q) over 16 lanes of any i8 codes, as i32x4. */
// @ts-ignore: decorator
@inline function dot16s(x: v128, q: v128): v128 {
  return i32x4.add(i32x4.extadd_pairwise_i16x8_s(i16x8.extmul_low_i8x16_s(x, q)), i32x4.extadd_pairwise_i16x8_s(i16x8.extmul_high_i8x16_s(x, q)));
}
/** sum over half h (h = 2: both halves) of sub-block s of one row, as i32x4. */
// @ts-ignore: decorator
@inline function rowDot(f: i32, wb: usize, s: i32, x0: v128, x1: v128, h: i32): v128 {
  if (signedCodes(f)) return i32x4.add(dot16s(x0, codes(f, wb, s, 0)), dot16s(x1, codes(f, wb, s, 1)));
  if (h == 0) return i32x4.extadd_pairwise_i16x8_s(dot16u(x0, codes(f, wb, s, 0)));
  if (h == 1) return i32x4.extadd_pairwise_i16x8_s(dot16u(x1, codes(f, wb, s, 1)));
  return i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot16u(x0, codes(f, wb, s, 0)), dot16u(x1, codes(f, wb, s, 1))));
}
/** The four rows' totals in the lanes of one vector (transpose-add). */
// @ts-ignore: decorator
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const t0 = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const t1 = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}
/** Half h of sub-block s for four rows, minus OFF * sum(xq), as f32x4 (lanes = rows). */
// @ts-ignore: decorator
@inline function half4(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, s: i32, x0: v128, x1: v128, h: i32, xs: i32): v128 {
  let d = sum4(rowDot(f, w0, s, x0, x1, h), rowDot(f, w1, s, x0, x1, h), rowDot(f, w2, s, x0, x1, h), rowDot(f, w3, s, x0, x1, h));
  if (offset(f)) d = i32x4.sub(d, i32x4.splat(offset(f) * xs));
  return f32x4.convert_i32x4_s(d);
}

/** y[t, r..r+3] for one group of four rows (w0..w3; repeats of the last row past the end). */
// @ts-ignore: decorator
@inline function rows4(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, xq: usize, xd: usize, xs: usize, nblk: i32): v128 {
  const bb = blockBytes(f);
  let lo = f64x2.splat(0), hi = lo;
  for (let blk = 0; blk < nblk; blk++) {
    const o = <usize>blk * bb, a0 = w0 + o, a1 = w1 + o, a2 = w2 + o, a3 = w3 + o;
    const d = f == MXFP4 ? i32x4(e8m0Half(a0), e8m0Half(a1), e8m0Half(a2), e8m0Half(a3))
      : halves(i32x4(scaleBits(f, a0), scaleBits(f, a1), scaleBits(f, a2), scaleBits(f, a3)));
    for (let s = 0; s < subs(f); s++) {
      const sb = blk * subs(f) + s, xb = xq + (<usize>sb << 5);
      const x0 = v128.load(xb), x1 = v128.load(xb, 16), dx = f32x4.splat(load<f32>(xd + (<usize>sb << 2)));
      const s0 = load<i32>(xs + (<usize>sb << 3)), s1 = load<i32>(xs + (<usize>sb << 3), 4);
      let t: v128;
      if (f == Q6_K) { // one scale per 16: d * sc[8 (s >> 2) + 2 (s & 3) + half]
        const p = <usize>(192 + ((s >> 2) << 3) + ((s & 3) << 1));
        const c0 = f32x4.convert_i32x4_s(i32x4(load<i8>(a0 + p), load<i8>(a1 + p), load<i8>(a2 + p), load<i8>(a3 + p)));
        const c1 = f32x4.convert_i32x4_s(i32x4(load<i8>(a0 + p + 1), load<i8>(a1 + p + 1), load<i8>(a2 + p + 1), load<i8>(a3 + p + 1)));
        t = fma4(half4(f, a0, a1, a2, a3, s, x0, x1, 1, s1), f32x4.mul(d, c1), f32x4.mul(half4(f, a0, a1, a2, a3, s, x0, x1, 0, s0), f32x4.mul(d, c0)));
      } else {
        let scale = d;
        if (f == Q4_K) scale = f32x4.mul(d, f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 0), k4(a1 + 4, s, 0), k4(a2 + 4, s, 0), k4(a3 + 4, s, 0))));
        t = f32x4.mul(half4(f, a0, a1, a2, a3, s, x0, x1, 2, s0 + s1), scale);
        if (hasBias(f)) {
          let m: v128;
          if (f == Q4_K) m = f32x4.neg(f32x4.mul(halves(i32x4(<i32>load<u16>(a0 + 2), <i32>load<u16>(a1 + 2), <i32>load<u16>(a2 + 2), <i32>load<u16>(a3 + 2))),
            f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 1), k4(a1 + 4, s, 1), k4(a2 + 4, s, 1), k4(a3 + 4, s, 1)))));
          else m = halves(i32x4(<i32>load<u16>(a0 + 2), <i32>load<u16>(a1 + 2), <i32>load<u16>(a2 + 2), <i32>load<u16>(a3 + 2)));
          t = fma4(m, f32x4.splat(<f32>(s0 + s1)), t);
        }
      }
      t = f32x4.mul(t, dx);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(t));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(t, t, 2, 3, 2, 3)));
    }
  }
  return f32x4(<f32>f64x2.extract_lane(lo, 0), <f32>f64x2.extract_lane(lo, 1), <f32>f64x2.extract_lane(hi, 0), <f32>f64x2.extract_lane(hi, 1));
}

// @ts-ignore: decorator
@inline function gemmFormat(f: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32, tokens: i32): void {
  const nblk = cols / (subs(f) << 5), rb = <usize>nblk * blockBytes(f), nsb = <usize>(cols >> 5);
  for (let r = 0; r < rows; r += 4) {
    const last = rows - 1, w0 = w + <usize>r * rb;
    const w1 = w + <usize>min(r + 1, last) * rb, w2 = w + <usize>min(r + 2, last) * rb, w3 = w + <usize>min(r + 3, last) * rb;
    for (let t = 0; t < tokens; t++) { // the four rows' blocks stay in cache across the tokens
      const tt = <usize>t;
      const v = rows4(f, w0, w1, w2, w3, xq + tt * (nsb << 5), xd + tt * (nsb << 2), xs + tt * (nsb << 3), nblk);
      const yt = y + ((tt * <usize>rows + <usize>r) << 2);
      if (r + 4 <= rows) v128.store(yt, v);
      else { // the last rows - r (1..3) lanes
        store<f32>(yt, f32x4.extract_lane(v, 0));
        if (rows - r > 1) store<f32>(yt, f32x4.extract_lane(v, 1), 4);
        if (rows - r > 2) store<f32>(yt, f32x4.extract_lane(v, 2), 8);
      }
    }
  }
}

/**
 * Y[t] = W X[t] for `tokens` activation rows. w: rows x (cols / qk) blocks of `format` (0 q8_0,
 * 1 q4_0, 2 q4_1, 3 q5_0, 4 q5_1, 5 iq4_nl, 6 tq2_0, 7 tq1_0, 8 q4_k, 9 q6_k, 10 mxfp4). Per token the
 * activations as q8_0 values: xq (cols i8), xd (cols / 32 f32 scales, already rounded through
 * f16 as ggml stores them), xs (i32 sums of xq per 16 elements). y: [tokens, rows].
 */
export function gemm_ggml(w: usize, format: i32, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32, tokens: i32): void {
  switch (format) {
    case Q8_0: gemmFormat(Q8_0, w, xq, xd, xs, y, rows, cols, tokens); break;
    case Q4_0: gemmFormat(Q4_0, w, xq, xd, xs, y, rows, cols, tokens); break;
    case Q4_1: gemmFormat(Q4_1, w, xq, xd, xs, y, rows, cols, tokens); break;
    case Q5_0: gemmFormat(Q5_0, w, xq, xd, xs, y, rows, cols, tokens); break;
    case Q5_1: gemmFormat(Q5_1, w, xq, xd, xs, y, rows, cols, tokens); break;
    case IQ4_NL: gemmFormat(IQ4_NL, w, xq, xd, xs, y, rows, cols, tokens); break;
    case TQ2_0: gemmFormat(TQ2_0, w, xq, xd, xs, y, rows, cols, tokens); break;
    case TQ1_0: gemmFormat(TQ1_0, w, xq, xd, xs, y, rows, cols, tokens); break;
    case Q4_K: gemmFormat(Q4_K, w, xq, xd, xs, y, rows, cols, tokens); break;
    case MXFP4: gemmFormat(MXFP4, w, xq, xd, xs, y, rows, cols, tokens); break;
    default: gemmFormat(Q6_K, w, xq, xd, xs, y, rows, cols, tokens);
  }
}

/** An f16 (bits) as f32, exactly. */
// @ts-ignore: decorator
@inline function f16(bits: i32): f32 { return f32x4.extract_lane(halves(i32x4.splat(bits)), 0); }

/**
 * Half h (16 values) of sub-block s of the block at wb into dst, as `dequantize` gives them:
 * fround(scale * q) per element, then + bias in f32 where the format has one (no fused
 * multiply-add: the two roundings are the format's).
 */
// @ts-ignore: decorator
@inline function decodeHalf(f: i32, wb: usize, s: i32, h: i32, dst: usize): void {
  let c = codes(f, wb, s, h);
  if (offset(f)) c = i8x16.sub(c, i8x16.splat(<i8>offset(f))); // mxfp4: 2 e2m1, against half the scale
  let sc: f32, m: f32 = 0;
  if (f == MXFP4) sc = reinterpret<f32>(e8m0Half(wb));
  else if (f == Q4_K) {
    sc = f16(<i32>load<u16>(wb)) * <f32>k4(wb + 4, s, 0);
    m = -(f16(<i32>load<u16>(wb + 2)) * <f32>k4(wb + 4, s, 1));
  } else if (f == Q6_K) sc = f16(<i32>load<u16>(wb + 208)) * <f32>load<i8>(wb + 192 + (<usize>(s >> 2) << 3) + (<usize>(s & 3) << 1) + <usize>h);
  else {
    sc = f16(scaleBits(f, wb));
    if (hasBias(f)) m = f16(<i32>load<u16>(wb + 2));
  }
  const vs = f32x4.splat(sc), vm = f32x4.splat(m);
  const lo = i16x8.extend_low_i8x16_s(c), hi = i16x8.extend_high_i8x16_s(c);
  let v0 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), vs), v1 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), vs);
  let v2 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), vs), v3 = f32x4.mul(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), vs);
  if (hasBias(f)) { v0 = f32x4.add(v0, vm); v1 = f32x4.add(v1, vm); v2 = f32x4.add(v2, vm); v3 = f32x4.add(v3, vm); }
  v128.store(dst, v0); v128.store(dst, v1, 16); v128.store(dst, v2, 32); v128.store(dst, v3, 48);
}

/** One row of nblk blocks at wr dequantized into dst (f32), one format per instantiation. */
// @ts-ignore: decorator
@inline function decodeRowFormat(f: i32, wr: usize, dst: usize, nblk: i32): void {
  for (let blk = 0; blk < nblk; blk++) {
    const wb = wr + <usize>blk * blockBytes(f);
    for (let s = 0; s < subs(f); s++) {
      const o = dst + (<usize>(blk * subs(f) + s) << 7);
      decodeHalf(f, wb, s, 0, o);
      decodeHalf(f, wb, s, 1, o + 64);
    }
  }
}

function decodeRow(f: i32, wr: usize, dst: usize, nblk: i32): void {
  switch (f) {
    case Q8_0: decodeRowFormat(Q8_0, wr, dst, nblk); break;
    case Q4_0: decodeRowFormat(Q4_0, wr, dst, nblk); break;
    case Q4_1: decodeRowFormat(Q4_1, wr, dst, nblk); break;
    case Q5_0: decodeRowFormat(Q5_0, wr, dst, nblk); break;
    case Q5_1: decodeRowFormat(Q5_1, wr, dst, nblk); break;
    case IQ4_NL: decodeRowFormat(IQ4_NL, wr, dst, nblk); break;
    case TQ2_0: decodeRowFormat(TQ2_0, wr, dst, nblk); break;
    case TQ1_0: decodeRowFormat(TQ1_0, wr, dst, nblk); break;
    case Q4_K: decodeRowFormat(Q4_K, wr, dst, nblk); break;
    case MXFP4: decodeRowFormat(MXFP4, wr, dst, nblk); break;
    default: decodeRowFormat(Q6_K, wr, dst, nblk);
  }
}

/**
 * Y[t] = W X[t] with f32 activations: each group of four weight rows is dequantized once into
 * dec (4 * cols f32) and gemm_f32 runs every token over it, so the result is gemv_f32 over
 * dequantize(W), bit for bit, at any number of tokens. x: [tokens, cols], y: [tokens, rows].
 */
export function gemm_ggml_f32(w: usize, format: i32, x: usize, y: usize, rows: i32, cols: i32, tokens: i32, dec: usize): void {
  const qk = subs(format) << 5, rb = <usize>(cols / qk) * blockBytes(format), stride = <usize>cols << 2;
  for (let r = 0; r < rows; r += 4) {
    const n = min(4, rows - r);
    for (let i = 0; i < n; i++) decodeRow(format, w + <usize>(r + i) * rb, dec + <usize>i * stride, cols / qk);
    gemm_f32(dec, x, y + (<usize>r << 2), n, cols, tokens, rows);
  }
}
