// Matrix-vector products y = W x over row-major W [rows, cols]: f32 weights, and int8 weights with
// one f32 scale per row, either with int8 activations (x quantized once per call, integer dot
// products, exact sums) or with f32 activations (weights widened in registers).
import { fma4, hsum4 } from '../simd/fma';

/** y = W x, f32; four rows at a time so each load of x serves four rows. */
export function gemv_f32(w: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  const stride = <usize>cols << 2;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = w + <usize>r * stride, w1 = w0 + stride, w2 = w1 + stride, w3 = w2 + stride;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let c = 0;
    for (; c + 16 <= cols; c += 16) { // two independent chains per row hide the FMA latency
      const o = <usize>c << 2, x0 = v128.load(x + o), x1 = v128.load(x + o, 16), x2 = v128.load(x + o, 32), x3 = v128.load(x + o, 48);
      a0 = fma4(v128.load(w0 + o), x0, a0); b0 = fma4(v128.load(w0 + o, 16), x1, b0);
      a1 = fma4(v128.load(w1 + o), x0, a1); b1 = fma4(v128.load(w1 + o, 16), x1, b1);
      a2 = fma4(v128.load(w2 + o), x0, a2); b2 = fma4(v128.load(w2 + o, 16), x1, b2);
      a3 = fma4(v128.load(w3 + o), x0, a3); b3 = fma4(v128.load(w3 + o, 16), x1, b3);
      a0 = fma4(v128.load(w0 + o, 32), x2, a0); b0 = fma4(v128.load(w0 + o, 48), x3, b0);
      a1 = fma4(v128.load(w1 + o, 32), x2, a1); b1 = fma4(v128.load(w1 + o, 48), x3, b1);
      a2 = fma4(v128.load(w2 + o, 32), x2, a2); b2 = fma4(v128.load(w2 + o, 48), x3, b2);
      a3 = fma4(v128.load(w3 + o, 32), x2, a3); b3 = fma4(v128.load(w3 + o, 48), x3, b3);
    }
    a0 = f32x4.add(a0, b0); a1 = f32x4.add(a1, b1); a2 = f32x4.add(a2, b2); a3 = f32x4.add(a3, b3);
    for (; c + 4 <= cols; c += 4) {
      const o = <usize>c << 2, xv = v128.load(x + o);
      a0 = fma4(v128.load(w0 + o), xv, a0);
      a1 = fma4(v128.load(w1 + o), xv, a1);
      a2 = fma4(v128.load(w2 + o), xv, a2);
      a3 = fma4(v128.load(w3 + o), xv, a3);
    }
    // the four row sums in one vector (transpose-add)
    const t0 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
    const t1 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
    let s = f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
    for (; c < cols; c++) {
      const o = <usize>c << 2, xc = f32x4.splat(load<f32>(x + o));
      s = fma4(xc, f32x4(load<f32>(w0 + o), load<f32>(w1 + o), load<f32>(w2 + o), load<f32>(w3 + o)), s);
    }
    v128.store(y + (<usize>r << 2), s);
  }
  for (; r < rows; r++) {
    const wr = w + <usize>r * stride;
    let a = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= cols; c += 4) a = fma4(v128.load(wr + (<usize>c << 2)), v128.load(x + (<usize>c << 2)), a);
    let s = <f32>hsum4(a);
    for (; c < cols; c++) s += load<f32>(wr + (<usize>c << 2)) * load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>r << 2), s);
  }
}

/** Exact sum of 16 i8 x i8 products as i32x4 lanes (SIMD128: widen to i16, i32x4.dot_i16x8_s). */
// @ts-ignore: decorator
@inline function dot16(a: v128, b: v128): v128 {
  return i32x4.add(i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(a), i16x8.extend_low_i8x16_s(b)),
    i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(a), i16x8.extend_high_i8x16_s(b)));
}

/** Integer row dot of w8 (row r) and xq, over cols (exact i32). */
// @ts-ignore: decorator
@inline function rowDot8(wr: usize, xq: usize, cols: i32): i32 {
  let acc = i32x4.splat(0), acc1 = acc;
  let c = 0;
  for (; c + 32 <= cols; c += 32) {
    acc = i32x4.add(acc, dot16(v128.load(wr + <usize>c), v128.load(xq + <usize>c)));
    acc1 = i32x4.add(acc1, dot16(v128.load(wr + <usize>c, 16), v128.load(xq + <usize>c, 16)));
  }
  for (; c + 16 <= cols; c += 16) acc = i32x4.add(acc, dot16(v128.load(wr + <usize>c), v128.load(xq + <usize>c)));
  acc = i32x4.add(acc, acc1);
  let s = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2) + i32x4.extract_lane(acc, 3);
  for (; c < cols; c++) s += <i32>load<i8>(wr + <usize>c) * <i32>load<i8>(xq + <usize>c);
  return s;
}

/** y[r] = scale[r] * sx * (w8[r] . xq): int8 weights and activations, exact integer sums. */
export function gemv_i8_i8(w: usize, scale: usize, xq: usize, sx: f32, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const d = rowDot8(w + <usize>r * <usize>cols, xq, cols);
    store<f32>(y + (<usize>r << 2), <f32>(<f64>d * <f64>load<f32>(scale + (<usize>r << 2)) * <f64>sx));
  }
}

/** y[r] = scale[r] * (w8[r] . x): int8 weights widened to f32 in registers, f32 activations. */
export function gemv_i8_f32(w: usize, scale: usize, x: usize, y: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * <usize>cols;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let c = 0;
    for (; c + 16 <= cols; c += 16) {
      const raw = v128.load(wr + <usize>c), lo = i16x8.extend_low_i8x16_s(raw), hi = i16x8.extend_high_i8x16_s(raw);
      const o = x + (<usize>c << 2);
      a0 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(lo)), v128.load(o), a0);
      a1 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(lo)), v128.load(o, 16), a1);
      a2 = fma4(f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(hi)), v128.load(o, 32), a2);
      a3 = fma4(f32x4.convert_i32x4_s(i32x4.extend_high_i16x8_s(hi)), v128.load(o, 48), a3);
    }
    let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    for (; c < cols; c++) s += <f32>load<i8>(wr + <usize>c) * load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>r << 2), s * load<f32>(scale + (<usize>r << 2)));
  }
}
