// Dot products. Used by the self-test at init() and by the public dot().

/** f32 dot product, four accumulators (the loop is load-bound; more do not help). */
export function dot_f32(a: usize, b: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
    s1 = f32x4.add(s1, f32x4.mul(v128.load(a + o, 16), v128.load(b + o, 16)));
    s2 = f32x4.add(s2, f32x4.mul(v128.load(a + o, 32), v128.load(b + o, 32)));
    s3 = f32x4.add(s3, f32x4.mul(v128.load(a + o, 48), v128.load(b + o, 48)));
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    s0 = f32x4.add(s0, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  const s = f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3));
  let r = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
  for (; i < n; i++) r += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return r;
}

/**
 * Exact i8 x i8 dot product. The SIMD128 build widens to i16 and uses i32x4.dot_i16x8_s.
 * The relaxed build uses i16x8.relaxed_dot_i8x16_i7x16_s, whose second operand must lie in
 * [0, 127] (x64 engines treat it as unsigned). b is any i8, so it is split as
 * b = (b & 127) - 128 * [b < 0]: the first part goes through the relaxed dot, the second is
 * 128 times the sum of the a lanes where b is negative. (The fused i32x4 relaxed dot with
 * accumulator is never used: V8 11.3 computes it wrong.)
 */
export function dot_i8(a: usize, b: usize, n: i32): i32 {
  let acc = i32x4.splat(0);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const va = v128.load(a + <usize>i), vb = v128.load(b + <usize>i);
    if (ASC_FEATURE_RELAXED_SIMD) {
      const lo = v128.and(vb, i8x16.splat(127));
      const neg = v128.and(va, i8x16.shr_s(vb, 7)); // a where b < 0, else 0
      const dlo = i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(va, lo));
      const dneg = i32x4.extadd_pairwise_i16x8_s(i16x8.extadd_pairwise_i8x16_s(neg));
      acc = i32x4.add(acc, i32x4.sub(dlo, i32x4.shl(dneg, 7)));
    } else {
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(va), i16x8.extend_low_i8x16_s(vb)));
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(va), i16x8.extend_high_i8x16_s(vb)));
    }
  }
  let r = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; i < n; i++) r += <i32>load<i8>(a + <usize>i) * <i32>load<i8>(b + <usize>i);
  return r;
}

/**
 * Exact u8 x i8 dot product (ONNX MatMulInteger: uint8 activations, int8 weights): u8 widened with
 * extend_*_u, i8 with extend_*_s, then i32x4.dot_i16x8_s (no relaxed variant: the relaxed dot's
 * second operand must lie in [0, 127]). |product| <= 255 * 128 = 32640 and 16 elements add 4
 * products to each i32 lane, so blocks of 2^14 steps (2^18 elements) stay exact in the lanes
 * (2^16 * 32640 = 2139095040 < 2^31); blocks are summed in i64. Returned as f64: exact for any n,
 * since |a.b| <= 32640 n < 2^53.
 */
export function dot_u8i8(a: usize, b: usize, n: i32): f64 {
  let total: i64 = 0, i = 0;
  while (n - i >= 16) {
    const stop = i + min(1 << 18, (n - i) & ~15);
    let acc = i32x4.splat(0);
    for (; i < stop; i += 16) {
      const va = v128.load(a + <usize>i), vb = v128.load(b + <usize>i);
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(va), i16x8.extend_low_i8x16_s(vb)));
      acc = i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(va), i16x8.extend_high_i8x16_s(vb)));
    }
    total += <i64>i32x4.extract_lane(acc, 0) + <i64>i32x4.extract_lane(acc, 1) + <i64>i32x4.extract_lane(acc, 2) + <i64>i32x4.extract_lane(acc, 3);
  }
  for (; i < n; i++) total += <i64>(<i32>load<u8>(a + <usize>i) * <i32>load<i8>(b + <usize>i));
  return <f64>total;
}
