// GEMV over ggml block formats (byte layout in src/ops/ggml.ts): weights q8_0 or q4_0, activations
// quantized to q8_0 blocks once per call (as ggml's q8 path): per block, an exact integer dot of
// 32 products times the two f16 scales; blocks summed in f64.

/** IEEE half bits -> f32 (exact; subnormals, Inf and NaN included). */
// @ts-ignore: decorator
@inline function half(h: u32): f32 {
  const s = (h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  if (e == 0) return reinterpret<f32>(s | reinterpret<u32>(<f32>m * 5.9604645e-8)); // m * 2^-24
  if (e == 31) return reinterpret<f32>(s | 0x7f800000 | (m << 13));
  return reinterpret<f32>(s | ((e + 112) << 23) | (m << 13));
}

/** Exact sum of 16 i8 x i8 products as i32x4 lanes. */
// @ts-ignore: decorator
@inline function dot16(a: v128, b: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
}

/**
 * y = W x. w: rows x (cols / 32) blocks of `format` (0 = q8_0, 34 bytes; 1 = q4_0, 18 bytes);
 * the activations as q8_0 values: xq (cols int8), xd (cols / 32 f32 scales, already rounded
 * through f16 as ggml stores them) and xs (each block's sum of xq, i32). Per block the exact integer sums (i32x4 lanes) are scaled by
 * dw * dx and accumulated in f32 lanes; one horizontal sum per row.
 */
export function gemv_ggml_f32(w: usize, format: i32, xq: usize, xd: usize, xs: usize, y: usize, rows: i32, cols: i32): void {
  const nb = cols >> 5, bb: usize = format == 0 ? 34 : 18;
  const low = i8x16.splat(0x0f), eight = i8x16.splat(8);
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * <usize>nb * bb;
    let acc = f32x4.splat(0);
    for (let b = 0; b < nb; b++) {
      const wb = wr + <usize>b * bb, xb = xq + (<usize>b << 5);
      const x0 = v128.load(xb), x1 = v128.load(xb, 16);
      let s: v128;
      if (format == 0) s = i32x4.add(dot16(v128.load(wb + 2), x0), dot16(v128.load(wb + 18), x1));
      else {
        const raw = v128.load(wb + 2); // elements 0..15 in the low nibbles, 16..31 in the high ones
        if (ASC_FEATURE_RELAXED_SIMD) {
          // the nibbles 0..15 are valid "i7" operands: dot(x, q) then - 8 * sum(x) (xs, per block);
          // two pair sums stay within i16 (2 * 2 * 127 * 15)
          const d = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(x0, v128.and(raw, low)), i16x8.relaxed_dot_i8x16_i7x16_s(x1, i8x16.shr_u(raw, 4)));
          s = i32x4.sub(i32x4.extadd_pairwise_i16x8_s(d), i32x4(load<i32>(xs + (<usize>b << 2)) << 3, 0, 0, 0));
        } else {
          s = i32x4.add(dot16(i8x16.sub(v128.and(raw, low), eight), x0), dot16(i8x16.sub(i8x16.shr_u(raw, 4), eight), x1));
        }
      }
      const scale = half(load<u16>(wb)) * load<f32>(xd + (<usize>b << 2));
      acc = f32x4.add(acc, f32x4.mul(f32x4.convert_i32x4_s(s), f32x4.splat(scale)));
    }
    store<f32>(y + (<usize>r << 2), f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
  }
}
