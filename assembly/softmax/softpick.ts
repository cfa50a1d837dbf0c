// Softpick (rectified softmax): y_i = ReLU(e^z_i - 1) / (sum_j |e^z_j - 1| + eps), z = x / T.
// Computed without overflow by factoring out e^m with m = M / T, M = max(max x, 0): each term is
// v = e^-m (e^z - 1). Where m <= 80 it is e^-m expm1(z) (z <= m: no overflow; no cancellation
// near z = 0); beyond, e^-m is below e^-80 and v = e^(z - m) for x > 0, 0 for x <= 0 (the
// argument is <= 0, and x / T itself may overflow).
// Edges: all -Inf -> 0 (each term is |0 - 1|, no numerator); NaN -> NaN row; +Inf entries
// share the mass equally (the limit), finite entries get 0.
import { sexp } from '../simd/vexp';
import { expBlock, Arg, BLOCK, tailBlock } from '../simd/blocks';
import { hsum4 } from '../simd/fma';
import { rowMax, fill, edgeRow } from './softmax';

/** Pass 1 over one block: v into y, returns the lane sums of |v|. */
// @ts-ignore: decorator
@inline function passOne(x: usize, y: usize, n: i32, near: bool, M: f32, beta: f32, c: f32): v128 {
  return near ? expBlock(x, y, n, Arg.Shifted, 0, beta, false, true, c, true) : expBlock(x, y, n, Arg.ShiftedPositive, M, beta, false, false, 1, true);
}

function softpickRow(xr: usize, yr: usize, n: i32, beta: f32, eps: f32): void {
  const xmax = rowMax(xr, n);
  if (xmax == Infinity && edgeRow(xr, yr, n, xmax)) return; // (all -Inf needs no special case)
  const M: f32 = xmax > 0 ? xmax : 0, m = M * beta;
  // e^-m, and 0 where it is below e^-80 (m may be +Inf): v is then e^(z - m) where x > 0 and
  // 0 elsewhere (the true |v| there is below e^-80, 1e-34 of the sum)
  const near = m <= 80, c: f32 = near ? sexp(-m, true) : 0;
  // pass 1: v = e^-m (e^z - 1) into y, computed as e^-m expm1(z) (no cancellation near z = 0)
  // where m <= 80, and sum |v|
  let total: f64 = 0;
  let i = 0;
  while (i < n) {
    // whole blocks, then the last n % 4 through the same code, padded with 0 (v = 0)
    const off = <usize>i << 2, whole = min(BLOCK, (n - i) & ~3), rem: usize = whole ? 0 : <usize>(n - i) << 2;
    const src = rem ? tailBlock(xr + off, rem, 0) : xr + off, dst = rem ? src : yr + off;
    total += hsum4(passOne(src, dst, whole ? whole : 4, near, M, beta, c));
    if (rem) { memory.copy(yr + off, dst, rem); break; }
    i += whole;
  }
  // pass 2: y = ReLU(v) / (sum + eps e^-m)
  const denom = total + <f64>eps * <f64>c;
  if (denom != denom) { fill(yr, n, NaN); return; } // a NaN in the row
  if (!(denom > 0)) { fill(yr, n, 0); return; }
  const inv = f32x4.splat(<f32>(1.0 / denom)), zero = f32x4.splat(0);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(yr + off, f32x4.mul(f32x4.pmax(zero, v128.load(yr + off)), inv)); // +0, never -0
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(yr + off);
    store<f32>(yr + off, (v > 0 ? v : 0) * f32x4.extract_lane(inv, 0));
  }
}

export function softpick_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, eps: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) softpickRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta, eps);
}
