// GEMV / GEMM over ggml block formats (byte layouts in src/ops/ggml.ts) with activations quantized
// to q8_0 blocks once per call, as ggml's q8 path. Four weight rows at a time share each load of
// the activations and one vector conversion of their f16 scales. Per 32-element sub-block the
// weight codes are decoded in registers to u (or signed codes for q8_0 / iq4_nl) with
// w = scale * (u - OFF) + bias; the exact integer sums sum(u * xq) become f32 only once per
// sub-block, and the row sums accumulate in f64. With several tokens (gemm) the four rows are
// decoded once into a panel of codes and f32 scales that stays in L1 while every token passes,
// through the same operations, so each token gets the one-token result bit for bit.
import { fma4 } from '../simd/fma';
import { fp4Table } from './onnx';
import { gemm_f32 } from './gemv';

const Q8_0 = 0, Q4_0 = 1, Q4_1 = 2, Q5_0 = 3, Q5_1 = 4, IQ4_NL = 5, TQ2_0 = 6, TQ1_0 = 7, Q4_K = 8, Q6_K = 9, MXFP4 = 10;
// Pseudo-formats of codes already decoded into a panel (below), by how their sums become f32:
// signed codes, offset codes, offset codes with a bias, and with a scale per half (q6_k).
const P_SIGNED = 11, P_PLAIN = 12, P_BIASED = 13, P_HALVES = 14;

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
@inline function signedCodes(f: i32): bool { return f == Q8_0 || f == IQ4_NL || f == P_SIGNED; }
// @ts-ignore: decorator
@inline function hasBias(f: i32): bool { return f == Q4_1 || f == Q5_1 || f == Q4_K || f == P_BIASED; }
/** A scale per 16 elements. */
// @ts-ignore: decorator
@inline function twoScales(f: i32): bool { return f == Q6_K || f == P_HALVES; }

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
  if (f >= P_SIGNED) return v128.load(wb + (<usize>h << 4));
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
/** Half h of sub-block s for four rows, minus off * sum(xq), as f32x4 (lanes = rows). */
// @ts-ignore: decorator
@inline function half4(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, s: i32, x0: v128, x1: v128, h: i32, off: i32, xs: i32): v128 {
  let d = sum4(rowDot(f, w0, s, x0, x1, h), rowDot(f, w1, s, x0, x1, h), rowDot(f, w2, s, x0, x1, h), rowDot(f, w3, s, x0, x1, h));
  if (!signedCodes(f)) d = i32x4.sub(d, i32x4.splat(off * xs));
  return f32x4.convert_i32x4_s(d);
}

/** The f32 block scales of the blocks a0..a3. */
// @ts-ignore: decorator
@inline function blockScales(f: i32, a0: usize, a1: usize, a2: usize, a3: usize): v128 {
  return f == MXFP4 ? i32x4(e8m0Half(a0), e8m0Half(a1), e8m0Half(a2), e8m0Half(a3))
    : halves(i32x4(scaleBits(f, a0), scaleBits(f, a1), scaleBits(f, a2), scaleBits(f, a3)));
}

/** Sub-block s's scale (q6_k: of half h) for the blocks a0..a3 as f32x4 (lanes = rows); d: their block scales. */
// @ts-ignore: decorator
@inline function scaleA(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, d: v128, s: i32, h: i32): v128 {
  if (f == Q6_K) { // one scale per 16: d * sc[8 (s >> 2) + 2 (s & 3) + half]
    const c = <usize>(192 + ((s >> 2) << 3) + ((s & 3) << 1) + h);
    return f32x4.mul(d, f32x4.convert_i32x4_s(i32x4(load<i8>(a0 + c), load<i8>(a1 + c), load<i8>(a2 + c), load<i8>(a3 + c))));
  }
  if (f == Q4_K) return f32x4.mul(d, f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 0), k4(a1 + 4, s, 0), k4(a2 + 4, s, 0), k4(a3 + 4, s, 0))));
  return d;
}
/** Sub-block s's bias (q4_1, q5_1, q4_k) for the blocks a0..a3. */
// @ts-ignore: decorator
@inline function scaleM(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s: i32): v128 {
  const m = halves(i32x4(<i32>load<u16>(a0 + 2), <i32>load<u16>(a1 + 2), <i32>load<u16>(a2 + 2), <i32>load<u16>(a3 + 2)));
  return f == Q4_K ? f32x4.neg(f32x4.mul(m, f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 1), k4(a1 + 4, s, 1), k4(a2 + 4, s, 1), k4(a3 + 4, s, 1))))) : m;
}

/**
 * Four rows' dx * (A * sum + M * sum(xq)) (q6_k: dx * (A * sum0 + B * sum1)) for sub-block s of
 * the codes at w0..w3 and activation sub-block sb.
 */
// @ts-ignore: decorator
@inline function subDot(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, s: i32, xq: usize, xd: usize, xs: usize, sb: i32, off: i32, A: v128, B: v128, M: v128): v128 {
  const xb = xq + (<usize>sb << 5);
  const x0 = v128.load(xb), x1 = v128.load(xb, 16), dx = f32x4.splat(load<f32>(xd + (<usize>sb << 2)));
  const s0 = load<i32>(xs + (<usize>sb << 3)), s1 = load<i32>(xs + (<usize>sb << 3), 4);
  let t: v128;
  if (twoScales(f)) t = fma4(half4(f, w0, w1, w2, w3, s, x0, x1, 1, off, s1), B, f32x4.mul(half4(f, w0, w1, w2, w3, s, x0, x1, 0, off, s0), A));
  else {
    t = f32x4.mul(half4(f, w0, w1, w2, w3, s, x0, x1, 2, off, s0 + s1), A);
    if (hasBias(f)) t = fma4(M, f32x4.splat(<f32>(s0 + s1)), t);
  }
  return f32x4.mul(t, dx);
}

/** f64x2 pairs (lanes 0, 1 and 2, 3) as one f32x4. */
// @ts-ignore: decorator
@inline function narrow(lo: v128, hi: v128): v128 {
  return f32x4(<f32>f64x2.extract_lane(lo, 0), <f32>f64x2.extract_lane(lo, 1), <f32>f64x2.extract_lane(hi, 0), <f32>f64x2.extract_lane(hi, 1));
}

/** y[r..r+3] of one token straight from the blocks w0..w3. */
// @ts-ignore: decorator
@inline function rows4(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, xq: usize, xd: usize, xs: usize, nblk: i32): v128 {
  const bb = blockBytes(f);
  let lo = f64x2.splat(0), hi = lo;
  for (let blk = 0; blk < nblk; blk++) {
    const o = <usize>blk * bb, a0 = w0 + o, a1 = w1 + o, a2 = w2 + o, a3 = w3 + o, d = blockScales(f, a0, a1, a2, a3);
    for (let s = 0; s < subs(f); s++) {
      const A = scaleA(f, a0, a1, a2, a3, d, s, 0), B = twoScales(f) ? scaleA(f, a0, a1, a2, a3, d, s, 1) : A, M = hasBias(f) ? scaleM(f, a0, a1, a2, a3, s) : A;
      const t = subDot(f, a0, a1, a2, a3, s, xq, xd, xs, blk * subs(f) + s, offset(f), A, B, M);
      lo = f64x2.add(lo, f64x2.promote_low_f32x4(t));
      hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(t, t, 2, 3, 2, 3)));
    }
  }
  return narrow(lo, hi);
}

// A panel holds four weight rows decoded once for all tokens: per 32-element sub-block PANEL
// bytes, the codes of row i, half h at 32 i + 16 h, then the scale vectors A, B, M.
const PANEL: usize = 176;

/** Rows w0..w3 of nblk blocks of format f into the panel p. */
// @ts-ignore: decorator
@inline function packFormat(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, p: usize, nblk: i32): void {
  const bb = blockBytes(f);
  for (let blk = 0; blk < nblk; blk++) {
    const o = <usize>blk * bb, a0 = w0 + o, a1 = w1 + o, a2 = w2 + o, a3 = w3 + o, d = blockScales(f, a0, a1, a2, a3);
    for (let s = 0; s < subs(f); s++) {
      const q = p + <usize>(blk * subs(f) + s) * PANEL;
      for (let h = 0; h < 2; h++) {
        const at = q + (<usize>h << 4);
        v128.store(at, codes(f, a0, s, h)); v128.store(at, codes(f, a1, s, h), 32);
        v128.store(at, codes(f, a2, s, h), 64); v128.store(at, codes(f, a3, s, h), 96);
      }
      v128.store(q, scaleA(f, a0, a1, a2, a3, d, s, 0), 128);
      if (twoScales(f)) v128.store(q, scaleA(f, a0, a1, a2, a3, d, s, 1), 144);
      if (hasBias(f)) v128.store(q, scaleM(f, a0, a1, a2, a3, s), 160);
    }
  }
}

/** y[r..r+3] of one token from the panel p (nsb sub-blocks). */
// @ts-ignore: decorator
@inline function panelDot(f: i32, p: usize, xq: usize, xd: usize, xs: usize, nsb: i32, off: i32): v128 {
  let lo = f64x2.splat(0), hi = lo;
  for (let sb = 0; sb < nsb; sb++) {
    const q = p + <usize>sb * PANEL;
    const A = v128.load(q, 128);
    let B = A, M = A;
    if (twoScales(f)) B = v128.load(q, 144);
    if (hasBias(f)) M = v128.load(q, 160);
    const t = subDot(f, q, q + 32, q + 64, q + 96, 0, xq, xd, xs, sb, off, A, B, M);
    lo = f64x2.add(lo, f64x2.promote_low_f32x4(t));
    hi = f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(t, t, 2, 3, 2, 3)));
  }
  return narrow(lo, hi);
}

/** Lanes of v into y[r..min(r + 4, rows)). */
// @ts-ignore: decorator
@inline function store4(y: usize, v: v128, r: i32, rows: i32): void {
  if (r + 4 <= rows) v128.store(y, v);
  else { // the last rows - r (1..3) lanes
    store<f32>(y, f32x4.extract_lane(v, 0));
    if (rows - r > 1) store<f32>(y, f32x4.extract_lane(v, 1), 4);
    if (rows - r > 2) store<f32>(y, f32x4.extract_lane(v, 2), 8);
  }
}

/** One token, each group of four rows (repeats of the last row past the end) decoded in registers. */
// @ts-ignore: decorator
@inline function gemvFormat(f: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32): void {
  const nblk = cols / (subs(f) << 5), rb = <usize>nblk * blockBytes(f), last = rows - 1;
  for (let r = 0; r < rows; r += 4) {
    const w0 = w + <usize>r * rb, w1 = w + <usize>min(r + 1, last) * rb, w2 = w + <usize>min(r + 2, last) * rb, w3 = w + <usize>min(r + 3, last) * rb;
    store4(y + (<usize>r << 2), rows4(f, w0, w1, w2, w3, xq, xd, xs, nblk), r, rows);
  }
}

function pack(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, p: usize, nblk: i32): void {
  switch (f) {
    case Q8_0: packFormat(Q8_0, w0, w1, w2, w3, p, nblk); break;
    case Q4_0: packFormat(Q4_0, w0, w1, w2, w3, p, nblk); break;
    case Q4_1: packFormat(Q4_1, w0, w1, w2, w3, p, nblk); break;
    case Q5_0: packFormat(Q5_0, w0, w1, w2, w3, p, nblk); break;
    case Q5_1: packFormat(Q5_1, w0, w1, w2, w3, p, nblk); break;
    case IQ4_NL: packFormat(IQ4_NL, w0, w1, w2, w3, p, nblk); break;
    case TQ2_0: packFormat(TQ2_0, w0, w1, w2, w3, p, nblk); break;
    case TQ1_0: packFormat(TQ1_0, w0, w1, w2, w3, p, nblk); break;
    case Q4_K: packFormat(Q4_K, w0, w1, w2, w3, p, nblk); break;
    case MXFP4: packFormat(MXFP4, w0, w1, w2, w3, p, nblk); break;
    default: packFormat(Q6_K, w0, w1, w2, w3, p, nblk);
  }
}

/** Every token over the panel p of rows r..r+3, into y ([tokens, rows]). */
// @ts-ignore: decorator
@inline function panelTokens(f: i32, p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32, off: i32): void {
  for (let t = 0; t < tokens; t++) {
    const tt = <usize>t;
    const v = panelDot(f, p, xq + tt * (<usize>nsb << 5), xd + tt * (<usize>nsb << 2), xs + tt * (<usize>nsb << 3), nsb, off);
    store4(y + ((tt * <usize>rows + <usize>r) << 2), v, r, rows);
  }
}

/**
 * Y[t] = W X[t] for `tokens` activation rows. w: rows x (cols / qk) blocks of `format` (0 q8_0,
 * 1 q4_0, 2 q4_1, 3 q5_0, 4 q5_1, 5 iq4_nl, 6 tq2_0, 7 tq1_0, 8 q4_k, 9 q6_k, 10 mxfp4). Per token the
 * activations as q8_0 values: xq (cols i8), xd (cols / 32 f32 scales, already rounded through
 * f16 as ggml stores them), xs (i32 sums of xq per 16 elements). y: [tokens, rows]. One token is
 * decoded in registers; several share each group of four weight rows decoded once into the panel
 * p (cols / 32 * 176 bytes) and run the same operations in the same order, so each token's
 * result is the one-token result bit for bit.
 */
export function gemm_ggml(w: usize, format: i32, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32, tokens: i32, p: usize): void {
  if (tokens == 1) gemv(format, w, xq, xd, xs, y, rows, cols);
  else gemmPanels(format, w, xq, xd, xs, y, rows, cols, tokens, p);
}

// (separate functions: one holding every instantiation would be too large for the engines to optimize well)
function gemv(format: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32): void {
  switch (format) {
    case Q8_0: gemvFormat(Q8_0, w, xq, xd, xs, y, rows, cols); break;
    case Q4_0: gemvFormat(Q4_0, w, xq, xd, xs, y, rows, cols); break;
    case Q4_1: gemvFormat(Q4_1, w, xq, xd, xs, y, rows, cols); break;
    case Q5_0: gemvFormat(Q5_0, w, xq, xd, xs, y, rows, cols); break;
    case Q5_1: gemvFormat(Q5_1, w, xq, xd, xs, y, rows, cols); break;
    case IQ4_NL: gemvFormat(IQ4_NL, w, xq, xd, xs, y, rows, cols); break;
    case TQ2_0: gemvFormat(TQ2_0, w, xq, xd, xs, y, rows, cols); break;
    case TQ1_0: gemvFormat(TQ1_0, w, xq, xd, xs, y, rows, cols); break;
    case Q4_K: gemvFormat(Q4_K, w, xq, xd, xs, y, rows, cols); break;
    case MXFP4: gemvFormat(MXFP4, w, xq, xd, xs, y, rows, cols); break;
    default: gemvFormat(Q6_K, w, xq, xd, xs, y, rows, cols);
  }
}

// One function per panel kind: inlined side by side into one function, the four copies were
// folded back into one loop that tests the kind at run time (1.6x slower).
function signedTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32, off: i32): void { panelTokens(P_SIGNED, p, xq, xd, xs, y, r, rows, nsb, tokens, off); }
function plainTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32, off: i32): void { panelTokens(P_PLAIN, p, xq, xd, xs, y, r, rows, nsb, tokens, off); }
function biasedTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32, off: i32): void { panelTokens(P_BIASED, p, xq, xd, xs, y, r, rows, nsb, tokens, off); }
function halvesTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32, off: i32): void { panelTokens(P_HALVES, p, xq, xd, xs, y, r, rows, nsb, tokens, off); }

function gemmPanels(format: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32, tokens: i32, p: usize): void {
  const nblk = cols / (subs(format) << 5), rb = <usize>nblk * blockBytes(format), nsb = cols >> 5, off = offset(format), last = rows - 1;
  for (let r = 0; r < rows; r += 4) {
    pack(format, w + <usize>r * rb, w + <usize>min(r + 1, last) * rb, w + <usize>min(r + 2, last) * rb, w + <usize>min(r + 3, last) * rb, p, nblk);
    if (signedCodes(format)) signedTokens(p, xq, xd, xs, y, r, rows, nsb, tokens, off);
    else if (hasBias(format)) biasedTokens(p, xq, xd, xs, y, r, rows, nsb, tokens, off);
    else if (twoScales(format)) halvesTokens(p, xq, xd, xs, y, r, rows, nsb, tokens, off);
    else plainTokens(p, xq, xd, xs, y, r, rows, nsb, tokens, off);
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
