// GEMV over the ONNX formats (layout and semantics in src/ops/onnx.ts, src/ops/onnx-float.ts):
// kind 0 int8, 1 uint8 (codes read as b ^ 0x80), 2 int4 (nibbles read as n ^ 8), 3 uint4,
// 4 fp4_e2m1 (nibbles read through a table as 2 value + 12), 5 fp8_e4m3, 6 fp8_e5m2, 7 codebook
// (f32 activations only; src/ops/codebook.ts); w = scale * (code - zpe) (fp4: half of it) with
// one f32 scale and one i32 zpe per group of `group` columns (gstride groups per row; 0 = one
// scale for the tensor). 4-bit rows hold cols / 2 bytes (element 2i in the low nibble; codebook:
// in the high nibble).
import { fma4, hsum4 } from '../simd/fma';

const FP4 = 4, E4M3 = 5, BOOK = 7;

/** fp4_e2m1 codes 0..15 as 2 value + 12: all in [0, 24], valid i7 operands of the relaxed dot. */
// @ts-ignore: decorator
@inline export function fp4Table(): v128 { return i8x16(12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0); }

/** Nibbles (0..15) as the codes the kernel multiplies. */
// @ts-ignore: decorator
@inline function nibCodes(n: v128, kind: i32): v128 { return kind == FP4 ? i8x16.swizzle(fp4Table(), n) : n; }

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

/** Lanes of a with indices 0..15 (the relaxed form is exact for them). */
// @ts-ignore: decorator
@inline function lookup(a: v128, i: v128): v128 { return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(a, i) : i8x16.swizzle(a, i); }

/** Exact i8 x i8 products of 16 lanes summed into i32x4 (SIMD128). */
// @ts-ignore: decorator
@inline function dot16s(a: v128, b: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
}

/** Exact sum over 32 elements of x * u, u the unsigned nibbles (0..15) of 16 packed bytes; x0 / x1 the even / odd elements. */
// @ts-ignore: decorator
@inline function dot32u(raw: v128, flip: v128, xe: v128, xo: v128, kind: i32): v128 {
  const b = v128.xor(raw, flip), lo = nibCodes(v128.and(b, i8x16.splat(15)), kind), hi = nibCodes(i8x16.shr_u(b, 4), kind);
  if (ASC_FEATURE_RELAXED_SIMD) {
    // codes are valid i7 operands; four products of 127 * 24 stay within i16
    return i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(xe, lo), i16x8.relaxed_dot_i8x16_i7x16_s(xo, hi)));
  }
  return i32x4.add(dot16s(lo, xe), dot16s(hi, xo));
}

/** One 4-bit code (as the kernel reads it) of element e of the row at wr. */
// @ts-ignore: decorator
@inline function nib(wr: usize, e: i32, flip: i32, kind: i32): i32 {
  const n = ((<i32>load<u8>(wr + <usize>(e >> 1)) >> ((e & 1) << 2)) & 15) ^ flip;
  return kind == FP4 ? i8x16.extract_lane_u(i8x16.swizzle(fp4Table(), i8x16.splat(<i8>n)), 0) : n;
}

/**
 * y[r] = sx * sum_g scale[r, g] * (sum_{c in g} code[r, c] * xq[c] - zpe[r, g] * xs[g]): int8
 * activations xq (scale sx) with per-group sums xs (i32), exact integer sums per group.
 * xq for 4-bit kinds is deinterleaved per 32 columns: the 16 even elements, then the 16 odd ones.
 */
export function gemv_onnx_i8(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, xq: usize, xs: usize, sx: f32, y: usize, rows: i32, cols: i32, group: i32): void {
  const four = kind >= 2, flip8 = i8x16.splat(kind == 1 ? -128 : 0), flip4 = kind == 2 ? 8 : 0, flipv = i8x16.splat(<i8>(kind == 2 ? 0x88 : 0));
  const rowBytes: usize = four ? <usize>(cols >> 1) : <usize>cols, groups = cols / group;
  if (four && (group & 31) == 0) { // groups of whole 32-runs: group sums scaled in f32 lanes, one horizontal sum per row
    for (let r = 0; r < rows; r++) {
      const wr = w + <usize>r * rowBytes;
      let acc = f32x4.splat(0);
      for (let g = 0; g < groups; g++) {
        const c1 = (g + 1) * group, k = <usize>(gstride ? r * gstride + g : 0) << 2;
        let v = i32x4(-load<i32>(zpe + k) * load<i32>(xs + (<usize>g << 2)), 0, 0, 0);
        for (let c = g * group; c < c1; c += 32) v = i32x4.add(v, dot32u(v128.load(wr + <usize>(c >> 1)), flipv, v128.load(xq + <usize>c), v128.load(xq + <usize>c, 16), kind));
        acc = fma4(f32x4.convert_i32x4_s(v), f32x4.splat(load<f32>(scale + k)), acc);
      }
      store<f32>(y + (<usize>r << 2), <f32>(hsum4(acc) * <f64>(kind == FP4 ? sx * 0.5 : sx)));
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f64 = 0;
    for (let g = 0; g < groups; g++) {
      const c0 = g * group, c1 = c0 + group;
      let v = i32x4.splat(0), c = c0, s = 0;
      if (four) {
        for (; c + 32 <= c1; c += 32) v = i32x4.add(v, dot32u(v128.load(wr + <usize>(c >> 1)), flipv, v128.load(xq + <usize>c), v128.load(xq + <usize>c, 16), kind));
        for (; c < c1; c++) s += nib(wr, c, flip4, kind) * <i32>load<i8>(xq + <usize>c);
      } else {
        for (; c + 16 <= c1; c += 16) v = i32x4.add(v, dot16s(v128.xor(v128.load(wr + <usize>c), flip8), v128.load(xq + <usize>c)));
        const f = kind == 1 ? 0x80 : 0;
        for (; c < c1; c++) s += <i32><i8>(<i32>load<u8>(wr + <usize>c) ^ f) * <i32>load<i8>(xq + <usize>c);
      }
      s += i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
      const k = <usize>(gstride ? r * gstride + g : 0) << 2;
      s -= load<i32>(zpe + k) * load<i32>(xs + (<usize>g << 2));
      acc += <f64>s * <f64>load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), <f32>(acc * <f64>(kind == FP4 ? sx * 0.5 : sx)));
  }
}

/**
 * y[r] = sum_g scale[r, g] * sum_{c in g} (code[r, c] - zpe[r, g]) * x[c]: f32 activations, weights
 * widened in registers. Codebook (kind 7): table holds the byte planes of the 16 f32 values
 * (16 B each), then the values; a code's value is its four plane bytes, looked up by swizzle.
 */
export function gemv_onnx_f32(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group: i32, table: usize): void {
  const four = (kind >= 2 && kind <= FP4) || kind == BOOK, flip8 = i8x16.splat(kind == 1 ? -128 : 0), flip4 = kind == 2 ? 8 : 0, flipv = i8x16.splat(<i8>(kind == 2 ? 0x88 : 0));
  const rowBytes: usize = four ? <usize>(cols >> 1) : <usize>cols, groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f32 = 0;
    for (let g = 0; g < groups; g++) {
      const c0 = g * group, c1 = c0 + group, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      const z = load<i32>(zpe + k), zv = i16x8.splat(<i16>z);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = c0;
      if (kind == BOOK) {
        const p0 = v128.load(table), p1 = v128.load(table, 16), p2 = v128.load(table, 32), p3 = v128.load(table, 48);
        for (; c + 16 <= c1; c += 16) { // 8 bytes -> 16 codes in element order -> their f32 bytes
          const b = v128.load64_zero(wr + <usize>(c >> 1));
          const u = i8x16.shuffle(i8x16.shr_u(b, 4), v128.and(b, i8x16.splat(15)), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
          const q0 = lookup(p0, u), q1 = lookup(p1, u), q2 = lookup(p2, u), q3 = lookup(p3, u);
          const l01 = i8x16.shuffle(q0, q1, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), l23 = i8x16.shuffle(q2, q3, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
          const h01 = i8x16.shuffle(q0, q1, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31), h23 = i8x16.shuffle(q2, q3, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
          const o = x + (<usize>c << 2);
          a0 = fma4(i16x8.shuffle(l01, l23, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(o), a0);
          a1 = fma4(i16x8.shuffle(l01, l23, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(o, 16), a1);
          a2 = fma4(i16x8.shuffle(h01, h23, 0, 8, 1, 9, 2, 10, 3, 11), v128.load(o, 32), a2);
          a3 = fma4(i16x8.shuffle(h01, h23, 4, 12, 5, 13, 6, 14, 7, 15), v128.load(o, 48), a3);
        }
      } else if (four) {
        for (; c + 16 <= c1; c += 16) { // 8 bytes -> 16 codes in element order
          const b = v128.xor(v128.load64_zero(wr + <usize>(c >> 1)), flipv);
          const u = nibCodes(i8x16.shuffle(v128.and(b, i8x16.splat(15)), i8x16.shr_u(b, 4), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23), kind);
          const lo = i16x8.sub(i16x8.extend_low_i8x16_u(u), zv), hi = i16x8.sub(i16x8.extend_high_i8x16_u(u), zv), o = x + (<usize>c << 2);
          a0 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(o), a0);
          a1 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(o, 16), a1);
          a2 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(o, 32), a2);
          a3 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(o, 48), a3);
        }
      } else if (kind > FP4) {
        const special = i8x16.splat(kind == E4M3 ? 0x7f : 0x7c), z0 = i8x16.splat(0);
        for (; c + 16 <= c1; c += 16) {
          const b = v128.load(wr + <usize>c);
          if (v128.any_true(i8x16.eq(v128.and(b, special), special))) break; // NaN / Inf codes: the scalar loop
          const o = x + (<usize>c << 2);
          a0 = fma4(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 16, 0, 0, 0, 17, 0, 0, 0, 18, 0, 0, 0, 19), kind), v128.load(o), a0);
          a1 = fma4(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 20, 0, 0, 0, 21, 0, 0, 0, 22, 0, 0, 0, 23), kind), v128.load(o, 16), a1);
          a2 = fma4(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 24, 0, 0, 0, 25, 0, 0, 0, 26, 0, 0, 0, 27), kind), v128.load(o, 32), a2);
          a3 = fma4(fp8x4(i8x16.shuffle(z0, b, 0, 0, 0, 28, 0, 0, 0, 29, 0, 0, 0, 30, 0, 0, 0, 31), kind), v128.load(o, 48), a3);
        }
      } else {
        for (; c + 16 <= c1; c += 16) {
          const raw = v128.xor(v128.load(wr + <usize>c), flip8);
          const lo = i16x8.sub(i16x8.extend_low_i8x16_s(raw), zv), hi = i16x8.sub(i16x8.extend_high_i8x16_s(raw), zv), o = x + (<usize>c << 2);
          a0 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(o), a0);
          a1 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(o, 16), a1);
          a2 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(o, 32), a2);
          a3 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(o, 48), a3);
        }
      }
      let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
      const f = kind == 1 ? 0x80 : 0;
      for (; c < c1; c++) {
        const wc = kind == BOOK ? load<f32>(table + 64 + (<usize>((<i32>load<u8>(wr + <usize>(c >> 1)) >> ((~c & 1) << 2)) & 15) << 2)) : kind > FP4 ? fp8(<i32>load<u8>(wr + <usize>c), kind) : <f32>((four ? nib(wr, c, flip4, kind) : <i32><i8>(<i32>load<u8>(wr + <usize>c) ^ f)) - z);
        s += wc * load<f32>(x + (<usize>c << 2));
      }
      acc += s * load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), kind == FP4 ? acc * 0.5 : acc);
  }
}
