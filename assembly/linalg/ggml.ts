// GEMV / GEMM over ggml block formats (byte layouts in src/ops/ggml.ts) with activations quantized
// to q8_0 blocks once per call (assembly/linalg/q8act.ts), as ggml's q8 path. Per 32-element
// sub-block the weight codes are decoded in registers to u (or signed codes for q8_0 / iq4_nl)
// with w = scale * (u - OFF) + bias; the exact integer sums sum(u * xq) become f32 only once per
// sub-block, and the row sums accumulate in f64. One token (gemv) walks a row four sub-blocks at a
// time, one per lane: their four f16 scales convert in one vector and the four integer sums reduce
// in one transpose-add (1.3x faster than four rows per step, which transposed every sub-block).
// With several tokens (gemm) four rows are decoded once into a panel of codes and f32 scales that
// stays in L1 while every token passes, a row per lane, through the same per-term operations and
// f64 sums in the same order, so each token gets the one-token result bit for bit.
import { fma4 } from '../simd/fma';
import { table, lookup, FP4_TABLE, IQ4NL_TABLE } from '../simd/lookup';
import { gemm_f32 } from './gemv';

const Q8_0 = 0, Q4_0 = 1, Q4_1 = 2, Q5_0 = 3, Q5_1 = 4, IQ4_NL = 5, TQ2_0 = 6, TQ1_0 = 7, Q4_K = 8, Q6_K = 9, MXFP4 = 10;
// Pseudo-formats of codes already decoded into a panel (below), by how their sums become f32:
// signed codes, codes with a bias, with a scale per half (q6_k: offset 32), and offset codes by offset.
const P_SIGNED = 11, P_BIASED = 12, P_HALVES = 13, P_OFF1 = 14, P_OFF8 = 15, P_OFF12 = 16, P_OFF16 = 17;

// Constants the kernels read from memory: V8 rebuilds a vector constant at every use (three
// instructions), while a load from here is one, off the ALU ports.
const POOL = memory.data<i32>([0x0f0f0f0f, 0x0f0f0f0f, 0x0f0f0f0f, 0x0f0f0f0f, 0x7fff, 0x7fff, 0x7fff, 0x7fff, 0x7c00, 0x7c00, 0x7c00, 0x7c00,
  0x77800000, 0x77800000, 0x77800000, 0x77800000, 0x7f800000, 0x7f800000, 0x7f800000, 0x7f800000,
  0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0, 0, 0, 0, -1, 0, <i32>0xc0c0c0c0, 0, <i32>0xc0c0c0c0], 16); // then k4all's masks
// @ts-ignore: decorator
@inline function pool(k: usize): v128 { return v128.load(POOL + (k << 4)); }
// @ts-ignore: decorator
@inline const NIB: usize = 0, F7FFF: usize = 1, F7C00: usize = 2, F2P112: usize = 3, FINF: usize = 4, K4LOW: usize = 5, K4HIGH: usize = 6, K4TOP: usize = 7;

// @ts-ignore: decorator
@inline function blockBytes(f: i32): usize {
  return f == Q8_0 ? 34 : f == Q4_0 || f == IQ4_NL ? 18 : f == Q4_1 ? 20 : f == Q5_0 ? 22 : f == Q5_1 ? 24 : f == TQ2_0 ? 66 : f == TQ1_0 ? 54 : f == Q4_K ? 144 : f == MXFP4 ? 17 : 210;
}
/** 32-element sub-blocks per block. */
// @ts-ignore: decorator
@inline function subs(f: i32): i32 { return f >= TQ2_0 && f <= Q6_K ? 8 : 1; }
/** The codes are u - OFF with u in [0, 63], valid i7 operands of the relaxed dot. */
// @ts-ignore: decorator
@inline function offset(f: i32): i32 {
  return f == Q4_0 || f == P_OFF8 ? 8 : f == Q5_0 || f == P_OFF16 ? 16 : f == TQ2_0 || f == TQ1_0 || f == P_OFF1 ? 1 : f == Q6_K || f == P_HALVES ? 32 : f == MXFP4 || f == P_OFF12 ? 12 : 0;
}
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
  return v128.and(h ? i16x8.shr_u(raw, 4) : raw, pool(NIB));
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

/**
 * The 16 codes of half h of sub-block s = s4 + i of the block at wb (s4 a multiple of 4, i < 4: a
 * literal in the GEMV, so the shifts that select a sub-block's bits are constants, which V8
 * compiles to far fewer instructions than shifts by a variable).
 */
// @ts-ignore: decorator
@inline function codes(f: i32, wb: usize, s4: i32, i: i32, h: i32): v128 {
  const s = s4 + i;
  if (f >= P_SIGNED) return v128.load(wb + (<usize>h << 4));
  if (f == Q8_0) return v128.load(wb + 2 + (<usize>h << 4));
  if (f == Q4_0) return nibbles(v128.load(wb + 2), h);
  if (f == Q4_1) return nibbles(v128.load(wb + 4), h);
  if (f == Q5_0) return v128.or(nibbles(v128.load(wb + 6), h), fifthBits(<u32>load<u16>(wb + 2 + (<usize>h << 1))));
  if (f == Q5_1) return v128.or(nibbles(v128.load(wb + 8), h), fifthBits(<u32>load<u16>(wb + 4 + (<usize>h << 1))));
  if (f == MXFP4) return lookup(table(FP4_TABLE), nibbles(v128.load(wb + 1), h)); // 2 e2m1 + 12
  if (f == IQ4_NL) return lookup(table(IQ4NL_TABLE), nibbles(v128.load(wb + 2), h));
  if (f == TQ2_0) return v128.and(i8x16.shr_u(v128.load(wb + (<usize>(s4 >> 2) << 5) + (<usize>h << 4)), <u32>(i << 1)), i8x16.splat(3));
  if (f == Q4_K) return v128.and(i8x16.shr_u(v128.load(wb + 16 + (<usize>((s4 >> 1) + (i >> 1)) << 5) + (<usize>h << 4)), <u32>((i & 1) << 2)), i8x16.splat(15));
  if (f == Q6_K) {
    const hh = s4 >> 2, k = i;
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

/**
 * q4_k's eight 6-bit scales (lanes 0..7) and mins (lanes 8..15) of the block at wb at once, as
 * k4 gives them one by one: the low bits from bytes 0..3 / 4..7 (sub-blocks 0..3) or the nibbles
 * of bytes 8..11 (4..7), the top two bits of sub-blocks 4..7 from bytes 0..7.
 */
// @ts-ignore: decorator
@inline function k4all(wb: usize): v128 {
  const q = v128.load(wb + 4); // the 12 scale bytes (and 4 code bytes, unused)
  const a = i8x16.shuffle(q, q, 0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11), b = i8x16.shuffle(q, q, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7);
  return v128.or(v128.or(v128.and(a, pool(K4LOW)), v128.and(i8x16.shr_u(a, 4), pool(K4HIGH))), i8x16.shr_u(v128.and(b, pool(K4TOP)), 2));
}

/** Lanes 4k..4k+3 of the bytes of v as f32x4. */
// @ts-ignore: decorator
@inline function bytes4(v: v128, k: i32): v128 {
  const h = k & 2 ? i16x8.extend_high_i8x16_u(v) : i16x8.extend_low_i8x16_u(v);
  return f32x4.convert_i32x4_s(k & 1 ? i32x4.extend_high_i16x8_u(h) : i32x4.extend_low_i16x8_u(h));
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
  const m = pool(F7FFF), e = pool(F7C00);
  const em = i32x4.shl(v128.and(h, m), 13);
  const scaled = f32x4.mul(em, pool(F2P112)); // 2^112: rebias the exponent
  const special = i32x4.eq(v128.and(h, e), e);
  return v128.or(v128.bitselect(v128.or(em, pool(FINF)), scaled, special), i32x4.shl(v128.andnot(h, m), 16));
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
/**
 * Exact sum(x * v) over 16 lanes for codes v in [-127, 127] with the relaxed dot, as i32x4: the
 * signs move onto x (x in [-127, 127] too), so |v| is a valid i7 operand; the pair sums stay
 * within i16 (2 * 127 * 127). Half the instructions of dot16s's widened products.
 */
// @ts-ignore: decorator
@inline function absDot(x: v128, v: v128): v128 {
  const m = i8x16.lt_s(v, i8x16.splat(0));
  return i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(i8x16.sub(v128.xor(x, m), m), i8x16.abs(v)));
}
/** sum(u * xq) over half h (h = 2: both halves) of sub-block s of the block at wb, activations x0 (first 16), x1, as i32x4. */
// @ts-ignore: decorator
@inline function subDot(f: i32, wb: usize, s4: i32, i: i32, x0: v128, x1: v128, h: i32): v128 {
  if (ASC_FEATURE_RELAXED_SIMD && f == IQ4_NL) return i32x4.add(absDot(x0, codes(f, wb, s4, i, 0)), absDot(x1, codes(f, wb, s4, i, 1))); // (q8_0 codes may be -128)
  if (signedCodes(f)) return i32x4.add(dot16s(x0, codes(f, wb, s4, i, 0)), dot16s(x1, codes(f, wb, s4, i, 1)));
  if (h == 0) return i32x4.extadd_pairwise_i16x8_s(dot16u(x0, codes(f, wb, s4, i, 0)));
  if (h == 1) return i32x4.extadd_pairwise_i16x8_s(dot16u(x1, codes(f, wb, s4, i, 1)));
  return i32x4.extadd_pairwise_i16x8_s(i16x8.add(dot16u(x0, codes(f, wb, s4, i, 0)), dot16u(x1, codes(f, wb, s4, i, 1))));
}
/** The totals of four vectors in the lanes of one (transpose-add). */
// @ts-ignore: decorator
@inline function sum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const t0 = i32x4.add(i32x4.shuffle(a, b, 0, 4, 1, 5), i32x4.shuffle(a, b, 2, 6, 3, 7));
  const t1 = i32x4.add(i32x4.shuffle(c, d, 0, 4, 1, 5), i32x4.shuffle(c, d, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

// A group is four consecutive 32-element sub-blocks of one row, one per lane: blocks a0..a3 with
// sub-block indices s0..s3 (32-element formats: four blocks, s = 0; 256-element formats: four
// sub-blocks of one block). Each lane's sums are exact integers until one conversion to f32.

/**
 * Half h (h = 2: both) of the four sub-blocks, minus OFF * the activations' sums over the same
 * elements (sums, per lane), as f32x4. In a partial last group the lanes past the row read the
 * activations beyond its end (readable: the scratch regions that follow) and are masked by group4.
 */
// @ts-ignore: decorator
@inline function half4(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s0: i32, x: usize, h: i32, sums: v128): v128 {
  const k = subs(f) > 1 ? 1 : 0; // lane i: sub-block s0 + i of one block, or sub-block 0 of block i
  const x1 = x + 32, x2 = x + 64, x3 = x + 96;
  let d = sum4(subDot(f, a0, s0, 0, v128.load(x), v128.load(x, 16), h), subDot(f, a1, s0, k, v128.load(x1), v128.load(x1, 16), h),
    subDot(f, a2, s0, 2 * k, v128.load(x2), v128.load(x2, 16), h), subDot(f, a3, s0, 3 * k, v128.load(x3), v128.load(x3, 16), h));
  if (!signedCodes(f)) {
    const o = offset(f); // powers of two shift (pmulld is slow)
    d = i32x4.sub(d, o == 1 ? sums : o == 8 ? i32x4.shl(sums, 3) : o == 16 ? i32x4.shl(sums, 4) : o == 32 ? i32x4.shl(sums, 5) : i32x4.mul(sums, i32x4.splat(o)));
  }
  return f32x4.convert_i32x4_s(d);
}

/** The f32 block scales of the blocks a0..a3. */
// @ts-ignore: decorator
@inline function blockScales(f: i32, a0: usize, a1: usize, a2: usize, a3: usize): v128 {
  return f == MXFP4 ? i32x4(e8m0Half(a0), e8m0Half(a1), e8m0Half(a2), e8m0Half(a3))
    : halves(i32x4(scaleBits(f, a0), scaleBits(f, a1), scaleBits(f, a2), scaleBits(f, a3)));
}

/** The group's scales (q6_k: of half h) as f32x4: d * the sub-block scale for q6_k, else the block scales (q4_k: in rowDot). */
// @ts-ignore: decorator
@inline function scaleA(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s0: i32, h: i32): v128 {
  if (f == Q6_K) { // one scale per 16: d * sc[8 (s >> 2) + 2 (s & 3) + half]; s0 is 0 or 4
    const c = a0 + <usize>(192 + ((s0 >> 2) << 3) + h);
    return f32x4.mul(halves(i32x4.splat(scaleBits(f, a0))), f32x4.convert_i32x4_s(i32x4(load<i8>(c), load<i8>(c, 2), load<i8>(c, 4), load<i8>(c, 6))));
  }
  return blockScales(f, a0, a1, a2, a3);
}
/** The group's biases (q4_1, q5_1). */
// @ts-ignore: decorator
@inline function scaleM(a0: usize, a1: usize, a2: usize, a3: usize): v128 {
  return halves(i32x4(<i32>load<u16>(a0 + 2), <i32>load<u16>(a1 + 2), <i32>load<u16>(a2 + 2), <i32>load<u16>(a3 + 2)));
}

/**
 * The group's dx * (A * sum + M * sum(xq)) (q6_k: dx * (A * sum0 + B * sum1)) per lane, for
 * activation sub-blocks sb..sb+3; lanes from n on are 0 (n < 4: the row's last, partial group,
 * whose missing lanes read past the row: whatever they hold, NaN included, is masked).
 */
// @ts-ignore: decorator
@inline function group4(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s0: i32, xq: usize, xd: usize, xs: usize, nsb: i32, sb: i32, A: v128, B: v128, M: v128, n: i32): v128 {
  const x = xq + (<usize>sb << 5), sum = v128.load(xs + (<usize>sb << 2));
  let t: v128;
  if (twoScales(f)) {
    const lo = v128.load(xs + (<usize>(nsb + sb) << 2)), hi = i32x4.sub(sum, lo);
    t = fma4(half4(f, a0, a1, a2, a3, s0, x, 1, hi), B, f32x4.mul(half4(f, a0, a1, a2, a3, s0, x, 0, lo), A));
  } else {
    t = f32x4.mul(half4(f, a0, a1, a2, a3, s0, x, 2, sum), A);
    if (hasBias(f)) t = fma4(M, f32x4.convert_i32x4_s(sum), t);
  }
  t = f32x4.mul(t, v128.load(xd + (<usize>sb << 2)));
  if (n < 4) t = v128.and(t, i32x4.gt_s(i32x4.splat(n), i32x4(0, 1, 2, 3)));
  return t;
}

/** acc (two f64x2) + the four lanes of t. */
// @ts-ignore: decorator
@inline function accLo(lo: v128, t: v128): v128 { return f64x2.add(lo, f64x2.promote_low_f32x4(t)); }
// @ts-ignore: decorator
@inline function accHi(hi: v128, t: v128): v128 { return f64x2.add(hi, f64x2.promote_low_f32x4(i32x4.shuffle(t, t, 2, 3, 2, 3))); }
// @ts-ignore: decorator
@inline function total(lo: v128, hi: v128): f32 { const s = f64x2.add(lo, hi); return <f32>(f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1)); } // (0 + 2) + (1 + 3)

/**
 * The block of sub-block sb + i of the row at wr (256-element formats: the block of sb, which
 * holds all four). Past the row's end (a partial last group) that is the next row's, or the three
 * blocks of slack QTensor allocates after the last row; those lanes are masked.
 */
// @ts-ignore: decorator
@inline function blockOf(f: i32, wr: usize, sb: i32, i: i32): usize {
  if (subs(f) > 1) return wr + <usize>(sb >> 3) * blockBytes(f);
  return wr + <usize>sb * blockBytes(f) + <usize>i * blockBytes(f);
}

/** Sub-block sb's index within its block (0 for the 32-element formats). */
// @ts-ignore: decorator
@inline function subOf(f: i32, sb: i32): i32 { return subs(f) > 1 ? sb & 7 : 0; }

/** y[r] of one token straight from the blocks of the row at wr (nsb sub-blocks), four sub-blocks a step. */
// @ts-ignore: decorator
@inline function rowDot(f: i32, wr: usize, xq: usize, xd: usize, xs: usize, nsb: i32): f32 {
  let lo = f64x2.splat(0), hi = lo;
  for (let sb = 0; sb < nsb; sb += 4) {
    const a0 = blockOf(f, wr, sb, 0), a1 = blockOf(f, wr, sb, 1), a2 = blockOf(f, wr, sb, 2), a3 = blockOf(f, wr, sb, 3), s0 = subOf(f, sb);
    let A: v128, M: v128;
    if (f == Q4_K) { // d and dmin in one conversion, the scales and mins of the block in one vector
      const dm = halves(i32x4.extend_low_i16x8_u(v128.load32_zero(a0))), sm = k4all(a0);
      A = f32x4.mul(i32x4.shuffle(dm, dm, 0, 0, 0, 0), s0 ? bytes4(sm, 1) : bytes4(sm, 0));
      M = f32x4.neg(f32x4.mul(i32x4.shuffle(dm, dm, 1, 1, 1, 1), s0 ? bytes4(sm, 3) : bytes4(sm, 2)));
    } else { A = scaleA(f, a0, a1, a2, a3, s0, 0); M = hasBias(f) ? scaleM(a0, a1, a2, a3) : A; }
    const B = twoScales(f) ? scaleA(f, a0, a1, a2, a3, s0, 1) : A;
    const t = group4(f, a0, a1, a2, a3, s0, xq, xd, xs, nsb, sb, A, B, M, subs(f) > 1 ? 4 : min(nsb - sb, 4));
    lo = accLo(lo, t); hi = accHi(hi, t);
  }
  return total(lo, hi);
}

// A panel holds four weight rows decoded once for all tokens, row i in lane i: per 32-element
// sub-block PANEL bytes, the codes of row i, half h at 32 i + 16 h, then the scale vectors A, B, M.
// Each lane gets the one-token terms of its row (the same f32 operations), summed in f64 by
// sub-block mod 4 as the one-token path's lanes are, so a token's result is the same bit for bit.
const PANEL: usize = 176;

/** Sub-block s's scale (q6_k: of half h) of the blocks a0..a3 of four rows (lanes = rows). */
// @ts-ignore: decorator
@inline function rowsScale(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s: i32, h: i32): v128 {
  if (f == Q6_K) {
    const c = <usize>(192 + ((s >> 2) << 3) + ((s & 3) << 1) + h);
    return f32x4.mul(blockScales(f, a0, a1, a2, a3), f32x4.convert_i32x4_s(i32x4(load<i8>(a0 + c), load<i8>(a1 + c), load<i8>(a2 + c), load<i8>(a3 + c))));
  }
  if (f == Q4_K) return f32x4.mul(blockScales(f, a0, a1, a2, a3), f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 0), k4(a1 + 4, s, 0), k4(a2 + 4, s, 0), k4(a3 + 4, s, 0))));
  return blockScales(f, a0, a1, a2, a3);
}
/** Sub-block s's bias of the blocks a0..a3 of four rows. */
// @ts-ignore: decorator
@inline function rowsBias(f: i32, a0: usize, a1: usize, a2: usize, a3: usize, s: i32): v128 {
  const m = halves(i32x4(<i32>load<u16>(a0 + 2), <i32>load<u16>(a1 + 2), <i32>load<u16>(a2 + 2), <i32>load<u16>(a3 + 2)));
  return f == Q4_K ? f32x4.neg(f32x4.mul(m, f32x4.convert_i32x4_s(i32x4(k4(a0 + 4, s, 1), k4(a1 + 4, s, 1), k4(a2 + 4, s, 1), k4(a3 + 4, s, 1))))) : m;
}

/** Rows w0..w3 of format f (nsb sub-blocks) into the panel p. */
// @ts-ignore: decorator
@inline function packFormat(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, p: usize, nsb: i32): void {
  const bb = blockBytes(f);
  for (let blk = 0; blk < nsb / subs(f); blk++) {
    const o = <usize>blk * bb, a0 = w0 + o, a1 = w1 + o, a2 = w2 + o, a3 = w3 + o;
    for (let s = 0; s < subs(f); s++) {
      const q = p + <usize>(blk * subs(f) + s) * PANEL;
      for (let h = 0; h < 2; h++) {
        const at = q + (<usize>h << 4);
        const s4 = s & ~3, i = s & 3;
        v128.store(at, codes(f, a0, s4, i, h)); v128.store(at, codes(f, a1, s4, i, h), 32);
        v128.store(at, codes(f, a2, s4, i, h), 64); v128.store(at, codes(f, a3, s4, i, h), 96);
      }
      v128.store(q, rowsScale(f, a0, a1, a2, a3, s, 0), 128);
      if (twoScales(f)) v128.store(q, rowsScale(f, a0, a1, a2, a3, s, 1), 144);
      if (hasBias(f)) v128.store(q, rowsBias(f, a0, a1, a2, a3, s), 160);
    }
  }
}

/** Exact sum over half h (2: both) of four rows' panel codes at q times the activations at x, minus off * sum(xq), as f32x4 (lanes = rows). */
// @ts-ignore: decorator
@inline function rowsHalf(f: i32, q: usize, x: usize, h: i32, sum: i32): v128 {
  const x0 = v128.load(x), x1 = v128.load(x, 16); // once for the four rows
  let d = sum4(subDot(f, q, 0, 0, x0, x1, h), subDot(f, q + 32, 0, 0, x0, x1, h), subDot(f, q + 64, 0, 0, x0, x1, h), subDot(f, q + 96, 0, 0, x0, x1, h));
  if (!signedCodes(f)) d = i32x4.sub(d, i32x4.splat(offset(f) * sum));
  return f32x4.convert_i32x4_s(d);
}

/** Four rows' terms of sub-block sb from the panel at q (as group4 computes each lane). */
// @ts-ignore: decorator
@inline function rowsTerm(f: i32, q: usize, xq: usize, xd: usize, xs: usize, nsb: i32, sb: i32): v128 {
  const x = xq + (<usize>sb << 5), sum = load<i32>(xs + (<usize>sb << 2)), A = v128.load(q, 128);
  let t: v128;
  if (twoScales(f)) {
    const lo = load<i32>(xs + (<usize>(nsb + sb) << 2));
    t = fma4(rowsHalf(f, q, x, 1, sum - lo), v128.load(q, 144), f32x4.mul(rowsHalf(f, q, x, 0, lo), A));
  } else {
    t = f32x4.mul(rowsHalf(f, q, x, 2, sum), A);
    if (hasBias(f)) t = fma4(v128.load(q, 160), f32x4.splat(<f32>sum), t);
  }
  return f32x4.mul(t, f32x4.splat(load<f32>(xd + (<usize>sb << 2))));
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

/**
 * y[r..r+3] of one token from the panel p: f64 sums per row and sub-block mod 4, added as rowDot's
 * lanes are. The four sums (two f64x2 each: rows 0-1, 2-3) rotate, so the one for sb is always
 * first; the pairs two apart are those of sub-blocks k and k + 2 in either order, and f64 addition
 * commutes, so (b0 + b2) + (b1 + b3) is rowDot's (s0 + s2) + (s1 + s3) bit for bit.
 */
// @ts-ignore: decorator
@inline function panelDot(f: i32, p: usize, xq: usize, xd: usize, xs: usize, nsb: i32): v128 {
  let l0 = f64x2.splat(0), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
  for (let sb = 0; sb < nsb; sb++) {
    const t = rowsTerm(f, p + <usize>sb * PANEL, xq, xd, xs, nsb, sb), l = accLo(l0, t), h = accHi(h0, t);
    l0 = l1; h0 = h1; l1 = l2; h1 = h2; l2 = l3; h2 = h3; l3 = l; h3 = h;
  }
  const lo = f64x2.add(f64x2.add(l0, l2), f64x2.add(l1, l3)), hi = f64x2.add(f64x2.add(h0, h2), f64x2.add(h1, h3));
  return f32x4(<f32>f64x2.extract_lane(lo, 0), <f32>f64x2.extract_lane(lo, 1), <f32>f64x2.extract_lane(hi, 0), <f32>f64x2.extract_lane(hi, 1));
}

/** One token, row by row, decoded in registers. */
// @ts-ignore: decorator
@inline function gemvFormat(f: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32): void {
  const nsb = cols >> 5, rb = <usize>(nsb / subs(f)) * blockBytes(f);
  for (let r = 0; r < rows; r++) store<f32>(y + (<usize>r << 2), rowDot(f, w + <usize>r * rb, xq, xd, xs, nsb));
}

function pack(f: i32, w0: usize, w1: usize, w2: usize, w3: usize, p: usize, nsb: i32): void {
  switch (f) {
    case Q8_0: packFormat(Q8_0, w0, w1, w2, w3, p, nsb); break;
    case Q4_0: packFormat(Q4_0, w0, w1, w2, w3, p, nsb); break;
    case Q4_1: packFormat(Q4_1, w0, w1, w2, w3, p, nsb); break;
    case Q5_0: packFormat(Q5_0, w0, w1, w2, w3, p, nsb); break;
    case Q5_1: packFormat(Q5_1, w0, w1, w2, w3, p, nsb); break;
    case IQ4_NL: packFormat(IQ4_NL, w0, w1, w2, w3, p, nsb); break;
    case TQ2_0: packFormat(TQ2_0, w0, w1, w2, w3, p, nsb); break;
    case TQ1_0: packFormat(TQ1_0, w0, w1, w2, w3, p, nsb); break;
    case Q4_K: packFormat(Q4_K, w0, w1, w2, w3, p, nsb); break;
    case MXFP4: packFormat(MXFP4, w0, w1, w2, w3, p, nsb); break;
    default: packFormat(Q6_K, w0, w1, w2, w3, p, nsb);
  }
}

/** Every token over the panel p of rows r..r+3, into y ([tokens, rows]). */
// @ts-ignore: decorator
@inline function panelTokens(f: i32, p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void {
  for (let t = 0; t < tokens; t++) {
    const tt = <usize>t; // xs: 2 nsb i32 per token
    const v = panelDot(f, p, xq + tt * (<usize>nsb << 5), xd + tt * (<usize>nsb << 2), xs + tt * (<usize>nsb << 3), nsb);
    store4(y + ((tt * <usize>rows + <usize>r) << 2), v, r, rows);
  }
}

/**
 * Y[t] = W X[t] for `tokens` activation rows. w: rows x (cols / qk) blocks of `format` (0 q8_0,
 * 1 q4_0, 2 q4_1, 3 q5_0, 4 q5_1, 5 iq4_nl, 6 tq2_0, 7 tq1_0, 8 q4_k, 9 q6_k, 10 mxfp4). Per token the
 * activations as q8_0 values: xq (cols i8), xd (cols / 32 f32 scales, already rounded through
 * f16 as ggml stores them), xs (per token: cols / 32 i32 sums of xq per 32 elements, then the
 * sums of each sub-block's first 16). Readable slack past the end for the last group's loads
 * (those lanes are masked): 3 blocks after w, 96 bytes after xq, 3 sub-blocks after xd and xs.
 * y: [tokens, rows].
 * One token is decoded in registers; several share each group of four weight rows decoded once
 * into the panel p (cols / 32 * 176 bytes) and run the same operations in the same
 * order, so each token's result is the one-token result bit for bit.
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
function signedTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_SIGNED, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function off1Tokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_OFF1, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function off8Tokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_OFF8, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function off12Tokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_OFF12, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function off16Tokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_OFF16, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function biasedTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_BIASED, p, xq, xd, xs, y, r, rows, nsb, tokens); }
function halvesTokens(p: usize, xq: usize, xd: usize, xs: usize, y: usize, r: i32, rows: i32, nsb: i32, tokens: i32): void { panelTokens(P_HALVES, p, xq, xd, xs, y, r, rows, nsb, tokens); }

function gemmPanels(format: i32, w: usize, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32, tokens: i32, p: usize): void {
  const nsb = cols >> 5, rb = <usize>(nsb / subs(format)) * blockBytes(format), last = rows - 1;
  for (let r = 0; r < rows; r += 4) { // (past the last row, repeats of it)
    pack(format, w + <usize>r * rb, w + <usize>min(r + 1, last) * rb, w + <usize>min(r + 2, last) * rb, w + <usize>min(r + 3, last) * rb, p, nsb);
    if (signedCodes(format)) signedTokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
    else if (hasBias(format)) biasedTokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
    else if (twoScales(format)) halvesTokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
    else { // the code offset is part of the panel kind: a constant in the kernel
      const o = offset(format);
      if (o == 1) off1Tokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
      else if (o == 8) off8Tokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
      else if (o == 12) off12Tokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
      else off16Tokens(p, xq, xd, xs, y, r, rows, nsb, tokens);
    }
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
  let c = codes(f, wb, s & ~3, s & 3, h);
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
