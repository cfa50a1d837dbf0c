// GEMV over binary (1-bit sign) weights (layout and semantics in src/ops/binary.ts): element c of
// a row in bit c & 7 of byte c >> 3 (1 = +scale, 0 = -scale), rows of cols / 8 bytes back to back,
// one f32 scale per group of `group` columns (gstride groups per row; 0 = one scale for the
// tensor). cols and group are multiples of 8.
import { hsum4 } from '../simd/fma';

/**
 * y[r] = sum_g scale[r, g] * sum_{c in g} (bit ? x[c] : -x[c]) with f32 activations. tab: 8 KB of
 * scratch the kernel fills with the sign masks of every byte (8 i32 per byte value: 0x80000000
 * where its bit is 0), so a byte of weights flips the signs of 8 x with two loads and two xors.
 * Order of the sums (the js tier repeats it): per group, 16 f32 lanes, lane j taking the columns
 * c0 + j, c0 + j + 16, ... in order; lanes j and j + 4, j + 8 and j + 12 added, then those two;
 * the four lanes summed in f64 as (l0 + l2) + (l1 + l3), rounded to f32; times the scale in f32,
 * added to an f32 row sum.
 */
export function gemv_binary_f32(w: usize, scale: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group: i32, tab: usize): void {
  for (let b = 0; b < 2048; b++) store<i32>(tab + (<usize>b << 2), ((b >> 3) >> (b & 7)) & 1 ? 0 : <i32>0x80000000);
  const rowBytes = <usize>(cols >> 3), groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f32 = 0;
    for (let g = 0; g < groups; g++) {
      const c1 = (g + 1) * group, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = g * group;
      for (; c + 16 <= c1; c += 16) {
        const p = wr + <usize>(c >> 3), t0 = tab + (<usize>load<u8>(p) << 5), t1 = tab + (<usize>load<u8>(p, 1) << 5), o = x + (<usize>c << 2);
        a0 = f32x4.add(a0, v128.xor(v128.load(o), v128.load(t0)));
        a1 = f32x4.add(a1, v128.xor(v128.load(o, 16), v128.load(t0, 16)));
        a2 = f32x4.add(a2, v128.xor(v128.load(o, 32), v128.load(t1)));
        a3 = f32x4.add(a3, v128.xor(v128.load(o, 48), v128.load(t1, 16)));
      }
      if (c < c1) { // the last 8 columns of a group of 16 k + 8
        const t0 = tab + (<usize>load<u8>(wr + <usize>(c >> 3)) << 5), o = x + (<usize>c << 2);
        a0 = f32x4.add(a0, v128.xor(v128.load(o), v128.load(t0)));
        a1 = f32x4.add(a1, v128.xor(v128.load(o, 16), v128.load(t0, 16)));
      }
      acc += <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3))) * load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), acc);
  }
}

/**
 * y[r] = sx * sum_g scale[r, g] * (group - 2 * popcount(w ^ xb over the group's bits)) with
 * binarized activations xb (the sign bits of x, one scale sx): the XNOR-popcount dot, exact in
 * integers per group; the products with the scales summed in f64 in group order, times sx in f64,
 * rounded once to f32. The popcounts are i64.popcnt over 8 bytes at a time (one instruction on
 * x64): measured faster here than i8x16.popcnt with widening adds and a horizontal sum per group
 * (4096x4096: 0.22 vs 0.24 ms per row scales, 0.50 vs 0.76 ms with groups of 128).
 */
export function gemv_binary_bin(w: usize, scale: usize, gstride: i32, xb: usize, sx: f32, y: usize, rows: i32, cols: i32, group: i32): void {
  const rowBytes = <usize>(cols >> 3), gb = group >> 3, groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f64 = 0;
    for (let g = 0; g < groups; g++) {
      const b1 = (g + 1) * gb, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      let b = g * gb, diff = 0;
      for (; b + 8 <= b1; b += 8) diff += <i32>popcnt<i64>(load<i64>(wr + <usize>b) ^ load<i64>(xb + <usize>b));
      for (; b < b1; b++) diff += popcnt<i32>(<i32>load<u8>(wr + <usize>b) ^ <i32>load<u8>(xb + <usize>b));
      acc += <f64>(group - 2 * diff) * <f64>load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), <f32>(acc * <f64>sx));
  }
}
