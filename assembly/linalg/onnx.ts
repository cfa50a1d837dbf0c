// GEMV over the ONNX integer formats (layout and semantics in src/ops/onnx.ts): kind 0 int8,
// 1 uint8 (codes read as b ^ 0x80), 2 int4 (nibbles read as n ^ 8), 3 uint4; w = scale * (code -
// zpe) with one f32 scale and one i32 zpe per group of `group` columns (gstride groups per row;
// 0 = one scale for the tensor). 4-bit rows hold cols / 2 bytes (element 2i in the low nibble).
import { fma4, hsum4 } from '../simd/fma';

/** Exact i8 x i8 products of 16 lanes summed into i32x4 (SIMD128). */
// @ts-ignore: decorator
@inline function dot16s(a: v128, b: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
}

/** Exact sum over 32 elements of x * u, u the unsigned nibbles (0..15) of 16 packed bytes; x0 / x1 the even / odd elements. */
// @ts-ignore: decorator
@inline function dot32u(raw: v128, flip: v128, xe: v128, xo: v128): v128 {
  const b = v128.xor(raw, flip), lo = v128.and(b, i8x16.splat(15)), hi = i8x16.shr_u(b, 4);
  if (ASC_FEATURE_RELAXED_SIMD) {
    // nibbles are valid i7 operands; four products of 127 * 15 stay within i16
    return i32x4.extadd_pairwise_i16x8_s(i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(xe, lo), i16x8.relaxed_dot_i8x16_i7x16_s(xo, hi)));
  }
  return i32x4.add(dot16s(lo, xe), dot16s(hi, xo));
}

/** One 4-bit code (as the kernel reads it) of element e of the row at wr. */
// @ts-ignore: decorator
@inline function nib(wr: usize, e: i32, flip: i32): i32 {
  return ((<i32>load<u8>(wr + <usize>(e >> 1)) >> ((e & 1) << 2)) & 15) ^ flip;
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
        for (let c = g * group; c < c1; c += 32) v = i32x4.add(v, dot32u(v128.load(wr + <usize>(c >> 1)), flipv, v128.load(xq + <usize>c), v128.load(xq + <usize>c, 16)));
        acc = fma4(f32x4.convert_i32x4_s(v), f32x4.splat(load<f32>(scale + k)), acc);
      }
      store<f32>(y + (<usize>r << 2), <f32>(hsum4(acc) * <f64>sx));
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
        for (; c + 32 <= c1; c += 32) v = i32x4.add(v, dot32u(v128.load(wr + <usize>(c >> 1)), flipv, v128.load(xq + <usize>c), v128.load(xq + <usize>c, 16)));
        for (; c < c1; c++) s += nib(wr, c, flip4) * <i32>load<i8>(xq + <usize>c);
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
    store<f32>(y + (<usize>r << 2), <f32>(acc * <f64>sx));
  }
}

/** y[r] = sum_g scale[r, g] * sum_{c in g} (code[r, c] - zpe[r, g]) * x[c]: f32 activations, weights widened in registers. */
export function gemv_onnx_f32(w: usize, kind: i32, scale: usize, zpe: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group: i32): void {
  const four = kind >= 2, flip8 = i8x16.splat(kind == 1 ? -128 : 0), flip4 = kind == 2 ? 8 : 0, flipv = i8x16.splat(<i8>(kind == 2 ? 0x88 : 0));
  const rowBytes: usize = four ? <usize>(cols >> 1) : <usize>cols, groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f32 = 0;
    for (let g = 0; g < groups; g++) {
      const c0 = g * group, c1 = c0 + group, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      const z = load<i32>(zpe + k), zv = i16x8.splat(<i16>z);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = c0;
      if (four) {
        for (; c + 16 <= c1; c += 16) { // 8 bytes -> 16 codes in element order
          const b = v128.xor(v128.load64_zero(wr + <usize>(c >> 1)), flipv);
          const u = i8x16.shuffle(v128.and(b, i8x16.splat(15)), i8x16.shr_u(b, 4), 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
          const lo = i16x8.sub(i16x8.extend_low_i8x16_u(u), zv), hi = i16x8.sub(i16x8.extend_high_i8x16_u(u), zv), o = x + (<usize>c << 2);
          a0 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(o), a0);
          a1 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(o, 16), a1);
          a2 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(o, 32), a2);
          a3 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(o, 48), a3);
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
        const code = four ? nib(wr, c, flip4) : <i32><i8>(<i32>load<u8>(wr + <usize>c) ^ f);
        s += <f32>(code - z) * load<f32>(x + (<usize>c << 2));
      }
      acc += s * load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), acc);
  }
}
