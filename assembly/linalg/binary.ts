// GEMV over binary (1-bit sign) weights (layout and semantics in src/ops/binary.ts): element c of
// a row in bit c & 7 of byte c >> 3 (1 = +scale, 0 = -scale), rows of cols / 8 bytes back to back,
// one f32 scale per group of `group` columns (gstride groups per row; 0 = one scale for the
// tensor). cols and group are multiples of 8.
import { hsum4 } from '../simd/fma';

const SIGN = i32x4.splat(<i32>0x80000000);

/**
 * x with the sign flipped in the lanes whose weight bit is 0. nb = the inverted bits, splatted;
 * the multiply by 2^(31 - i) moves bit i of nb to the sign of lane i (bits above fall off).
 */
// @ts-ignore: decorator
@inline function flip(nb: v128, m: v128, x: v128): v128 { return v128.xor(x, v128.and(i32x4.mul(nb, m), SIGN)); }

/**
 * y[r] = sum_g scale[r, g] * sum_{c in g} (bit ? x[c] : -x[c]) with f32 activations. Order of the
 * sums (the js tier repeats it): per group, 16 f32 lanes, lane j taking the columns c0 + j, c0 + j + 16, ...
 * in order; lanes j and j + 4, j + 8 and j + 12 added, then those two; the four lanes summed in
 * f64 as (l0 + l2) + (l1 + l3), rounded to f32; times the scale in f32, added to an f32 row sum.
 */
export function gemv_binary_f32(w: usize, scale: usize, gstride: i32, x: usize, y: usize, rows: i32, cols: i32, group: i32): void {
  const m0 = i32x4(<i32>0x80000000, 0x40000000, 0x20000000, 0x10000000), m1 = i32x4(0x8000000, 0x4000000, 0x2000000, 0x1000000);
  const m2 = i32x4(0x800000, 0x400000, 0x200000, 0x100000), m3 = i32x4(0x80000, 0x40000, 0x20000, 0x10000);
  const rowBytes = <usize>(cols >> 3), groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f32 = 0;
    for (let g = 0; g < groups; g++) {
      const c1 = (g + 1) * group, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, c = g * group;
      for (; c + 16 <= c1; c += 16) {
        const nb = i32x4.splat(~<i32>load<u16>(wr + <usize>(c >> 3))), o = x + (<usize>c << 2);
        a0 = f32x4.add(a0, flip(nb, m0, v128.load(o)));
        a1 = f32x4.add(a1, flip(nb, m1, v128.load(o, 16)));
        a2 = f32x4.add(a2, flip(nb, m2, v128.load(o, 32)));
        a3 = f32x4.add(a3, flip(nb, m3, v128.load(o, 48)));
      }
      if (c < c1) { // the last 8 columns of a group of 16 k + 8
        const nb = i32x4.splat(~<i32>load<u8>(wr + <usize>(c >> 3))), o = x + (<usize>c << 2);
        a0 = f32x4.add(a0, flip(nb, m0, v128.load(o)));
        a1 = f32x4.add(a1, flip(nb, m1, v128.load(o, 16)));
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
 * rounded once to f32.
 */
export function gemv_binary_bin(w: usize, scale: usize, gstride: i32, xb: usize, sx: f32, y: usize, rows: i32, cols: i32, group: i32): void {
  const rowBytes = <usize>(cols >> 3), gb = group >> 3, groups = cols / group;
  for (let r = 0; r < rows; r++) {
    const wr = w + <usize>r * rowBytes;
    let acc: f64 = 0;
    for (let g = 0; g < groups; g++) {
      const b1 = (g + 1) * gb, k = <usize>(gstride ? r * gstride + g : 0) << 2;
      let v = i32x4.splat(0), b = g * gb, diff = 0;
      for (; b + 16 <= b1; b += 16) {
        const d = i8x16.popcnt(v128.xor(v128.load(wr + <usize>b), v128.load(xb + <usize>b)));
        v = i32x4.add(v, i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(d)));
      }
      for (; b < b1; b++) diff += popcnt<i32>(<i32>load<u8>(wr + <usize>b) ^ <i32>load<u8>(xb + <usize>b));
      diff += i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
      acc += <f64>(group - 2 * diff) * <f64>load<f32>(scale + k);
    }
    store<f32>(y + (<usize>r << 2), <f32>(acc * <f64>sx));
  }
}
