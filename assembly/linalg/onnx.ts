// GEMV over the ONNX formats (layout and semantics in src/ops/onnx.ts, src/ops/onnx-float.ts):
// kind 0 int8, 1 uint8 (codes read as b ^ 0x80), 2 int4 (nibbles read as n ^ 8), 3 uint4,
// 4 fp4_e2m1 (nibbles read through a table as 2 value + 12), 5 fp8_e4m3, 6 fp8_e5m2, 7 codebook
// (f32 activations only; src/ops/codebook.ts); w = scale * (code - zpe) (fp4: half of it) with
// one f32 scale and one i32 zpe per group of `group` columns (gstride groups per row; 0 = one
// scale for the tensor). zpe 0 (the float and codebook formats, which store no zero points): 12
// for fp4, else 0. 4-bit rows hold cols / 2 bytes (element 2i in the low nibble; codebook: in the
// high nibble).
import { fma4, hsum4 } from '../simd/fma';
import { table, lookup, entry, FP4_TABLE } from '../simd/lookup';

const FP4 = 4, E4M3 = 5, BOOK = 7;


/** The zero point of scale slot k (byte offset): stored, or the format's constant. */
// @ts-ignore: decorator
@inline function zero(zpe: usize, k: usize, kind: i32): i32 { return zpe ? load<i32>(zpe + k) : kind == FP4 ? 12 : 0; }

/** Nibbles (0..15) as the codes the kernel multiplies. */
// @ts-ignore: decorator
@inline function nibCodes(n: v128, kind: i32): v128 { return kind == FP4 ? lookup(table(FP4_TABLE), n) : n; } // 2 value + 12: valid i7 operands of the relaxed dot

/** One fp8 byte's value (kind 5 e4m3fn, 6 e5m2), exactly: the bits moved into an f32 and rebiased. */
// @ts-ignore: decorator
@inline function fp8(b: i32, kind: i32): f32 {
  const sign = (b & 0x80) << 24, mag = b & 0x7f;
  if (kind == E4M3) return mag == 0x7f ? NaN : reinterpret<f32>(sign | (mag << 20)) * 1.329227995784916e36; // 2^120
  if ((mag & 0x7c) == 0x7c) return reinterpret<f32>(sign | 0x7f800000 | ((mag & 3) << 21)); // Inf, NaN
  return reinterpret<f32>(sign | (mag << 21)) * 5.192296858534828e33; // 2^112
}

/** Four fp8 bytes (already in the top byte of each i32 lane) as f32x4; no NaN / Inf codes among them. */
// @ts-ignore: decorator
@inline function fp8x4(top: v128, kind: i32): v128 {
  if (kind == E4M3) return f32x4.mul(v128.and(i32x4.shr_s(top, 4), i32x4.splat(<i32>0x87f00000)), f32x4.splat(1.329227995784916e36));
  return f32x4.mul(v128.and(i32x4.shr_s(top, 3), i32x4.splat(<i32>0x8fe00000)), f32x4.splat(5.192296858534828e33));
}


/** Exact i8 x i8 products of 16 lanes summed into i32x4 (SIMD128). */
// @ts-ignore: decorator
@inline function dot16s(a: v128, b: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
}

/** The 4-bit codes (as the kernel multiplies them) of 32 elements from 16 packed bytes: even elements in lo, odd in hi. */
// @ts-ignore: decorator
@inline function codesLo(raw: v128, flip: v128, kind: i32): v128 { return nibCodes(v128.and(v128.xor(raw, flip), i8x16.splat(15)), kind); }
// @ts-ignore: decorator
@inline function codesHi(raw: v128, flip: v128, kind: i32): v128 { return nibCodes(i8x16.shr_u(v128.xor(raw, flip), 4), kind); }

/** v + the exact sum over 32 elements of code * x: lo / hi the even / odd codes, the token's x deinterleaved the same way at x. */
// @ts-ignore: decorator
@inline function dot32(v: v128, lo: v128, hi: v128, x: usize): v128 {
  const xe = v128.load(x), xo = v128.load(x, 16);
  if (ASC_FEATURE_RELAXED_SIMD) {
    // codes are valid i7 operands; four products of 127 * 24 stay within i16
    return i32x4.add(v, i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(xe, lo), i16x8.relaxed_dot_i8x16_i7x16_s(xo, hi))));
  }
  return i32x4.add(v, i32x4.add(dot16s(lo, xe), dot16s(hi, xo)));
}

/** One 4-bit code (as the kernel reads it) of element e of the row at wr. */
// @ts-ignore: decorator
@inline function nib(wr: usize, e: i32, flip: i32, kind: i32): i32 {
  const n = ((<i32>load<u8>(wr + <usize>(e >> 1)) >> ((e & 1) << 2)) & 15) ^ flip;
  return kind == FP4 ? entry(FP4_TABLE, n) : n;
}

/** One code of the 8-bit kinds (int8, uint8 read as b ^ 0x80) times x[c], for the scalar tails. */
// @ts-ignore: decorator
@inline function byteProduct(wr: usize, x: usize, c: i32, kind: i32): i32 {
  return <i32><i8>(<i32>load<u8>(wr + <usize>c) ^ (kind == 1 ? 0x80 : 0)) * <i32>load<i8>(x + <usize>c);
}

/** v + the exact sum over 32 elements of code * x: b / d the codes of the first / second 16, x the token's activations. */
// @ts-ignore: decorator
@inline function bytes32(v: v128, b: v128, d: v128, x: usize): v128 { return i32x4.add(v, i32x4.add(dot16s(b, v128.load(x)), dot16s(d, v128.load(x, 16)))); }

/** The factor of a token's sums: its activation scale at p (fp4: half of it, the codes being twice the values). */
// @ts-ignore: decorator
@inline function factor(p: usize, kind: i32): f64 { return <f64>(kind == FP4 ? load<f32>(p) * 0.5 : load<f32>(p)); }

// @ts-ignore: decorator
@inline function lanes(v: v128): i32 { return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3); }

/**
 * Rows [r0, r1) for the NT (1 or 4, a literal) tokens from t: each 16-byte load of weights is
 * decoded once and serves all NT tokens, and every token gets exactly the one-token operations
 * (exact integer sums with the same lanes, then the same float steps), so the result does not
 * depend on how tokens are blocked.
 */
// @ts-ignore: decorator
@inline function block(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, xq: usize, xs: usize, sx: usize, y: usize, rows: i32, cols: i32, group: i32, r0: i32, r1: i32, t: i32, NT: i32): void {
  const four = kind >= 2, flip8 = i8x16.splat(kind == 1 ? -128 : 0), flip4 = kind == 2 ? 8 : 0, flipv = i8x16.splat(<i8>(kind == 2 ? 0x88 : 0));
  const rowBytes: usize = four ? <usize>(cols >> 1) : <usize>cols, groups = cols / group, xt = <usize>cols, st = <usize>groups << 2;
  const x0 = xq + <usize>t * xt, x1 = x0 + xt, x2 = x1 + xt, x3 = x2 + xt, s0 = xs + <usize>t * st, sp = sx + (<usize>t << 2), yt = <usize>rows << 2;
  for (let r = r0; r < r1; r++) {
    const wr = w + <usize>r * rowBytes, yr = y + ((<usize>t * <usize>rows + <usize>r) << 2);
    if (four && (group & 31) == 0) { // groups of whole 32-runs: group sums scaled in f32 lanes, one horizontal sum per row
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      for (let g = 0; g < groups; g++) {
        const c1 = (g + 1) * group, k = <usize>(gstride ? r * gstride + g : 0) << 2, z = -zero(zpe, k, kind), sg = s0 + (<usize>g << 2);
        let v0 = i32x4(z * load<i32>(sg), 0, 0, 0), v1 = v0, v2 = v0, v3 = v0;
        if (NT > 1) { v1 = i32x4(z * load<i32>(sg + st), 0, 0, 0); v2 = i32x4(z * load<i32>(sg + 2 * st), 0, 0, 0); v3 = i32x4(z * load<i32>(sg + 3 * st), 0, 0, 0); }
        for (let c = g * group; c < c1; c += 32) {
          const raw = v128.load(wr + <usize>(c >> 1)), lo = codesLo(raw, flipv, kind), hi = codesHi(raw, flipv, kind), o = <usize>c;
          v0 = dot32(v0, lo, hi, x0 + o);
          if (NT > 1) { v1 = dot32(v1, lo, hi, x1 + o); v2 = dot32(v2, lo, hi, x2 + o); v3 = dot32(v3, lo, hi, x3 + o); }
        }
        const sc = f32x4.splat(load<f32>(scale + k));
        a0 = fma4(f32x4.convert_i32x4_s(v0), sc, a0);
        if (NT > 1) { a1 = fma4(f32x4.convert_i32x4_s(v1), sc, a1); a2 = fma4(f32x4.convert_i32x4_s(v2), sc, a2); a3 = fma4(f32x4.convert_i32x4_s(v3), sc, a3); }
      }
      store<f32>(yr, <f32>(hsum4(a0) * factor(sp, kind)));
      if (NT > 1) { store<f32>(yr + yt, <f32>(hsum4(a1) * factor(sp + 4, kind))); store<f32>(yr + 2 * yt, <f32>(hsum4(a2) * factor(sp + 8, kind))); store<f32>(yr + 3 * yt, <f32>(hsum4(a3) * factor(sp + 12, kind))); }
      continue;
    }
    let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0;
    for (let g = 0; g < groups; g++) {
      const c0 = g * group, c1 = c0 + group;
      let v0 = i32x4.splat(0), v1 = v0, v2 = v0, v3 = v0, c = c0, e0 = 0, e1 = 0, e2 = 0, e3 = 0;
      if (four) {
        for (; c + 32 <= c1; c += 32) {
          const raw = v128.load(wr + <usize>(c >> 1)), lo = codesLo(raw, flipv, kind), hi = codesHi(raw, flipv, kind), o = <usize>c;
          v0 = dot32(v0, lo, hi, x0 + o);
          if (NT > 1) { v1 = dot32(v1, lo, hi, x1 + o); v2 = dot32(v2, lo, hi, x2 + o); v3 = dot32(v3, lo, hi, x3 + o); }
        }
        for (; c < c1; c++) {
          const n = nib(wr, c, flip4, kind), o = <usize>c;
          e0 += n * <i32>load<i8>(x0 + o);
          if (NT > 1) { e1 += n * <i32>load<i8>(x1 + o); e2 += n * <i32>load<i8>(x2 + o); e3 += n * <i32>load<i8>(x3 + o); }
        }
      } else {
        for (; c + 32 <= c1; c += 32) { // two loads a step: the one-token case streams closer to memory speed
          const b = v128.xor(v128.load(wr + <usize>c), flip8), d = v128.xor(v128.load(wr + <usize>c, 16), flip8), o = <usize>c;
          v0 = bytes32(v0, b, d, x0 + o);
          if (NT > 1) { v1 = bytes32(v1, b, d, x1 + o); v2 = bytes32(v2, b, d, x2 + o); v3 = bytes32(v3, b, d, x3 + o); }
        }
        for (; c + 16 <= c1; c += 16) {
          const b = v128.xor(v128.load(wr + <usize>c), flip8), o = <usize>c;
          v0 = i32x4.add(v0, dot16s(b, v128.load(x0 + o)));
          if (NT > 1) { v1 = i32x4.add(v1, dot16s(b, v128.load(x1 + o))); v2 = i32x4.add(v2, dot16s(b, v128.load(x2 + o))); v3 = i32x4.add(v3, dot16s(b, v128.load(x3 + o))); }
        }
        for (; c < c1; c++) {
          e0 += byteProduct(wr, x0, c, kind);
          if (NT > 1) { e1 += byteProduct(wr, x1, c, kind); e2 += byteProduct(wr, x2, c, kind); e3 += byteProduct(wr, x3, c, kind); }
        }
      }
      const k = <usize>(gstride ? r * gstride + g : 0) << 2, z = zero(zpe, k, kind), sc = <f64>load<f32>(scale + k), sg = s0 + (<usize>g << 2);
      a0 += <f64>(e0 + lanes(v0) - z * load<i32>(sg)) * sc;
      if (NT > 1) {
        a1 += <f64>(e1 + lanes(v1) - z * load<i32>(sg + st)) * sc;
        a2 += <f64>(e2 + lanes(v2) - z * load<i32>(sg + 2 * st)) * sc;
        a3 += <f64>(e3 + lanes(v3) - z * load<i32>(sg + 3 * st)) * sc;
      }
    }
    store<f32>(yr, <f32>(a0 * factor(sp, kind)));
    if (NT > 1) { store<f32>(yr + yt, <f32>(a1 * factor(sp + 4, kind))); store<f32>(yr + 2 * yt, <f32>(a2 * factor(sp + 8, kind))); store<f32>(yr + 3 * yt, <f32>(a3 * factor(sp + 12, kind))); }
  }
}

// each instantiation in its own function (side by side, Binaryen folds them into one loop that tests NT at run time)
function tokens4(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, xq: usize, xs: usize, sx: usize, y: usize, rows: i32, cols: i32, group: i32, r0: i32, r1: i32, t: i32): void {
  block(w, kind, scale, zpe, gstride, xq, xs, sx, y, rows, cols, group, r0, r1, t, 4);
}
function tokens1(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, xq: usize, xs: usize, sx: usize, y: usize, rows: i32, cols: i32, group: i32, r0: i32, r1: i32, t: i32): void {
  block(w, kind, scale, zpe, gstride, xq, xs, sx, y, rows, cols, group, r0, r1, t, 1);
}

/**
 * Y[t][r] = sx[t] * sum_g scale[r, g] * (sum_{c in g} code[r, c] * xq[t, c] - zpe[r, g] * xs[t, g])
 * for `tokens` rows of int8 activations xq [tokens, cols] (scale sx[t], f32) with per-group sums
 * xs [tokens, groups] (i32): exact integer sums per group. xq for 4-bit kinds is deinterleaved per
 * 32 columns: the 16 even elements, then the 16 odd ones. Eight weight rows at a time pass all
 * tokens, four per block, so the rows stay in L1; gemv is tokens = 1.
 */
export function gemm_onnx_i8(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, xq: usize, xs: usize, sx: usize, y: usize, rows: i32, cols: i32, group: i32, tokens: i32): void {
  for (let r0 = 0; r0 < rows; r0 += 8) {
    const r1 = min(r0 + 8, rows);
    let t = 0;
    for (; t + 4 <= tokens; t += 4) tokens4(w, kind, scale, zpe, gstride, xq, xs, sx, y, rows, cols, group, r0, r1, t);
    for (; t < tokens; t++) tokens1(w, kind, scale, zpe, gstride, xq, xs, sx, y, rows, cols, group, r0, r1, t);
  }
}

/** a + v * (the 16 bytes at o) for gemv; for a row decode, v stored at o instead (a unchanged). */
// @ts-ignore: decorator
@inline function emit(v: v128, o: usize, a: v128, decode: bool): v128 {
  if (decode) { v128.store(o, v); return a; }
  return fma4(v, v128.load(o), a);
}

/** Four i16 lanes of h (the low or the high half) as f32x4. */
// @ts-ignore: decorator
@inline function widen(h: v128, high: bool): v128 { return f32x4.convert_i32x4_s(high ? i32x4.extend_high_i16x8_s(h) : i32x4.extend_low_i16x8_s(h)); }

/** The f32 weight (code - z, or its value) of element c of the row at wr, as the scalar loops read it. */
// @ts-ignore: decorator
@inline function weight(kind: i32, wr: usize, c: i32, z: i32, table: usize): f32 {
  if (kind == BOOK) return load<f32>(table + 64 + (<usize>((<i32>load<u8>(wr + <usize>(c >> 1)) >> ((~c & 1) << 2)) & 15) << 2));
  if (kind > FP4) return fp8(<i32>load<u8>(wr + <usize>c), kind);
  if (kind >= 2) return <f32>(nib(wr, c, kind == 2 ? 8 : 0, kind) - z);
  return <f32>(<i32><i8>(<i32>load<u8>(wr + <usize>c) ^ (kind == 1 ? 0x80 : 0)) - z);
}

/**
 * Columns [c0, c1) of the row at wr (zero point z). decode false: the sum of weight * x with x at
 * p (four f32x4 lane sums over 16-runs, then the rest one by one). decode true: the weights stored
 * as f32 at p instead, and at brk the column where the 16-runs stopped (an fp8 run holding a NaN /
 * Inf code goes to the scalar loop), so gemm can repeat gemv's sums exactly.
 */
// @ts-ignore: decorator
@inline function group(kind: i32, wr: usize, c0: i32, c1: i32, z: i32, p: usize, table: usize, decode: bool, brk: usize): f32 {
  const zv = i16x8.splat(<i16>z), flip8 = i8x16.splat(kind == 1 ? -128 : 0), flipv = i8x16.splat(<i8>(kind == 2 ? 0x88 : 0));
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = c0;
  if (kind == BOOK) {
    const p0 = v128.load(table), p1 = v128.load(table, 16), p2 = v128.load(table, 32), p3 = v128.load(table, 48);
    for (; c + 16 <= c1; c += 16) { // 8 bytes -> 16 codes in element order -> their f32 bytes
      const b = v128.load64_zero(wr + <usize>(c >> 1));
      const u = i8x16.shuffle(i8x16.shr_u(b, 4), v128.and(b, i8x16.splat(15)), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const q0 = lookup(p0, u), q1 = lookup(p1, u), q2 = lookup(p2, u), q3 = lookup(p3, u);
      const l01 = i8x16.shuffle(q0, q1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), l23 = i8x16.shuffle(q2, q3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
      const h01 = i8x16.shuffle(q0, q1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), h23 = i8x16.shuffle(q2, q3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
      const o = p + (<usize>c << 2);
      a0 = emit(i16x8.shuffle(l01, l23, 0, 8, 1, 9, 2, 10, 3, 11), o, a0, decode);
      a1 = emit(i16x8.shuffle(l01, l23, 4, 12, 5, 13, 6, 14, 7, 15), o + 16, a1, decode);
      a2 = emit(i16x8.shuffle(h01, h23, 0, 8, 1, 9, 2, 10, 3, 11), o + 32, a2, decode);
      a3 = emit(i16x8.shuffle(h01, h23, 4, 12, 5, 13, 6, 14, 7, 15), o + 48, a3, decode);
    }
  } else if (kind > FP4) {
    const special = i8x16.splat(kind == E4M3 ? 0x7f : 0x7c), z0 = i8x16.splat(0);
    for (; c + 16 <= c1; c += 16) {
      const b = v128.load(wr + <usize>c);
      if (v128.any_true(i8x16.eq(v128.and(b, special), special))) break; // NaN / Inf codes: the scalar loop
      const o = p + (<usize>c << 2);
      a0 = emit(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 16, 0, 0, 0, 17, 0, 0, 0, 18, 0, 0, 0, 19), kind), o, a0, decode);
      a1 = emit(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 20, 0, 0, 0, 21, 0, 0, 0, 22, 0, 0, 0, 23), kind), o + 16, a1, decode);
      a2 = emit(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 24, 0, 0, 0, 25, 0, 0, 0, 26, 0, 0, 0, 27), kind), o + 32, a2, decode);
      a3 = emit(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 28, 0, 0, 0, 29, 0, 0, 0, 30, 0, 0, 0, 31), kind), o + 48, a3, decode);
    }
  } else if (kind >= 2) {
    for (; c + 16 <= c1; c += 16) { // 8 bytes -> 16 codes in element order
      const b = v128.xor(v128.load64_zero(wr + <usize>(c >> 1)), flipv);
      const u = nibCodes(i8x16.shuffle(v128.and(b, i8x16.splat(15)), i8x16.shr_u(b, 4), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), kind);
      const lo = i16x8.sub(i16x8.extend_low_i8x16_u(u), zv), hi = i16x8.sub(i16x8.extend_high_i8x16_u(u), zv), o = p + (<usize>c << 2);
      a0 = emit(widen(lo, false), o, a0, decode); a1 = emit(widen(lo, true), o + 16, a1, decode);
      a2 = emit(widen(hi, false), o + 32, a2, decode); a3 = emit(widen(hi, true), o + 48, a3, decode);
    }
  } else {
    for (; c + 16 <= c1; c += 16) {
      const raw = v128.xor(v128.load(wr + <usize>c), flip8);
      const lo = i16x8.sub(i16x8.extend_low_i8x16_s(raw), zv), hi = i16x8.sub(i16x8.extend_high_i8x16_s(raw), zv), o = p + (<usize>c << 2);
      a0 = emit(widen(lo, false), o, a0, decode); a1 = emit(widen(lo, true), o + 16, a1, decode);
      a2 = emit(widen(hi, false), o + 32, a2, decode); a3 = emit(widen(hi, true), o + 48, a3, decode);
    }
  }
  if (decode) {
    store<i32>(brk, c);
    for (; c < c1; c++) store<f32>(p + (<usize>c << 2), weight(kind, wr, c, z, table));
    return 0;
  }
  let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
  for (; c < c1; c++) s += weight(kind, wr, c, z, table) * load<f32>(p + (<usize>c << 2));
  return s;
}

// @ts-ignore: decorator
@inline function rowBytesOf(kind: i32, cols: i32): usize { return (kind >= 2 && kind <= FP4) || kind == BOOK ? <usize>(cols >> 1) : <usize>cols; }

/**
 * y[r] = sum_g scale[r, g] * sum_{c in g} (code[r, c] - zpe[r, g]) * x[c]: f32 activations, weights
 * widened in registers. Codebook (kind 7): table holds the byte planes of the 16 f32 values
 * (16 B each), then the values; a code's value is its four plane bytes, looked up by swizzle.
 */
export function gemv_onnx_f32(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group_: i32, table: usize): void {
  const rowBytes = rowBytesOf(kind, cols), groups = cols / group_;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f32 = 0;
    for (let g = 0; g < groups; g++) {
      const k = <usize>(gstride ? r * gstride + g : 0) << 2;
      acc += group(kind, wr, g * group_, (g + 1) * group_, zero(zpe, k, kind), x, table, false, 0) * load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), kind == FP4 ? acc * 0.5 : acc);
  }
}

/**
 * Y[t] = W X[t] for `tokens` rows of f32 activations (X [tokens, cols], Y [tokens, rows]), equal
 * bit for bit to gemv_onnx_f32 per token: each weight row is decoded once into dec (cols f32, then
 * one i32 per group: where gemv's 16-runs stop), and every token repeats gemv's sums over it, so
 * the decoding is paid once per row instead of once per token.
 */
export function gemm_onnx_f32(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group_: i32, table: usize, tokens: i32, dec: usize): void {
  const rowBytes = rowBytesOf(kind, cols), groups = cols / group_, brk = dec + (<usize>cols << 2);
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    for (let g = 0; g < groups; g++) {
      const k = <usize>(gstride ? r * gstride + g : 0) << 2;
      group(kind, wr, g * group_, (g + 1) * group_, zero(zpe, k, kind), dec, table, true, brk + (<usize>g << 2));
    }
    for (let t = 0; t < tokens; t++) {
      const xt = x + (<usize>t * <usize>cols << 2);
      let acc: f32 = 0;
      for (let g = 0; g < groups; g++) {
        const c1 = (g + 1) * group_, e = load<i32>(brk + (<usize>g << 2)), k = <usize>(gstride ? r * gstride + g : 0) << 2;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = g * group_;
        for (; c < e; c += 16) {
          const o = <usize>c << 2;
          a0 = fma4(v128.load(dec + o), v128.load(xt + o), a0);
          a1 = fma4(v128.load(dec + o, 16), v128.load(xt + o, 16), a1);
          a2 = fma4(v128.load(dec + o, 32), v128.load(xt + o, 32), a2);
          a3 = fma4(v128.load(dec + o, 48), v128.load(xt + o, 48), a3);
        }
        let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
        for (; c < c1; c++) s += load<f32>(dec + (<usize>c << 2)) * load<f32>(xt + (<usize>c << 2));
        acc += s * load<f32>(scale + k);
      }
      store<f32>(y + ((<usize>t * <usize>rows + <usize>r) << 2), kind == FP4 ? acc * 0.5 : acc);
    }
  }
}
