// Gumbel-softmax (Jang, Gu & Poole, "Categorical Reparameterization with Gumbel-Softmax", 2017):
// y = softmax((x + g) / tau) with g = -log(-log u), u uniform in (0, 1); `hard` gives the one-hot
// of argmax(x + g) (the forward value of the straight-through estimator).
// The noise of flat element i is a pure function of (seed, i): a counter-based hash (no state),
// 23 hash bits -> u = (b + 0.5) / 2^23 (exact in f32, never 0 or 1), and a log made of correctly
// rounded operations only (vlogStrict), so every tier and runtime produces the same bits
// (src/js/gumbel.ts reproduces it with Math.fround).
import { vlogStrict } from '../simd/vlog';
import { rowMax, hasNaN, fill, softmaxRow3 } from './softmax';

export const enum GumbelMode { Soft = 0, Hard = 1, Noise = 2 }

// @ts-ignore: decorator
@inline const GOLDEN: i32 = 0x9e3779b9;

/** A 32-bit integer finalizer with full avalanche (the "lowbias32" constants), lane-wise. */
// @ts-ignore: decorator
@inline function mix(h: v128): v128 {
  h = v128.xor(h, i32x4.shr_u(h, 16));
  h = i32x4.mul(h, i32x4.splat(0x7feb352d));
  h = v128.xor(h, i32x4.shr_u(h, 15));
  h = i32x4.mul(h, i32x4.splat(0x846ca68b));
  return v128.xor(h, i32x4.shr_u(h, 16));
}

/** Gumbel noise for the four counters c under the seed halves lo, hi. */
// @ts-ignore: decorator
@inline function noise(c: v128, lo: v128, hi: v128): v128 {
  const h = mix(i32x4.add(mix(v128.xor(c, lo)), hi));
  const b = f32x4.convert_i32x4_s(i32x4.shr_u(h, 9));
  const u = f32x4.mul(f32x4.add(b, f32x4.splat(0.5)), f32x4.splat(1.1920928955078125e-7)); // 2^-23
  // u is in [2^-24, 1 - 2^-24] and -log u in [6e-8, 16.7]: positive normal floats, no edge fix-ups
  return f32x4.neg(vlogStrict(f32x4.neg(vlogStrict(u, false)), false));
}

/** y[i] = x[i] + g(start + i) for i < n (counters wrap at 2^32). */
function perturb(x: usize, y: usize, n: i32, start: i32, seedLo: i32, seedHi: i32): void {
  const lo = i32x4.splat(seedLo), hi = i32x4.splat(seedHi + GOLDEN);
  let c = i32x4.add(i32x4.splat(start), i32x4(0, 1, 2, 3));
  let i = 0;
  for (; i + 8 <= n; i += 8) { // two independent chains per iteration
    const off = <usize>i << 2;
    const g0 = noise(c, lo, hi), g1 = noise(i32x4.add(c, i32x4.splat(4)), lo, hi);
    v128.store(y + off, f32x4.add(v128.load(x + off), g0));
    v128.store(y + off, f32x4.add(v128.load(x + off, 16), g1), 16);
    c = i32x4.add(c, i32x4.splat(8));
  }
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.add(v128.load(x + off), noise(c, lo, hi)));
    c = i32x4.add(c, i32x4.splat(4));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const g = f32x4.extract_lane(noise(i32x4.splat(start + i), lo, hi), 0);
    store<f32>(y + off, load<f32>(x + off) + g);
  }
}

/** One-hot of the row's first maximum; NaN row if it holds a NaN, zeros if all -Inf. */
function hardRow(y: usize, n: i32): void {
  if (hasNaN(y, n)) { fill(y, n, NaN); return; }
  const m = rowMax(y, n);
  let k = 0;
  while (load<f32>(y + (<usize>k << 2)) != m) k++;
  fill(y, n, 0);
  if (m != -Infinity) store<f32>(y + (<usize>k << 2), 1);
}

/**
 * Per row of [rows, cols]: mode Soft -> softmax((x + g) * beta), Hard -> one-hot of argmax(x + g),
 * Noise -> x + g. Element (r, c) uses counter r * cols + c. y may be x.
 */
export function gumbel_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, seedLo: i32, seedHi: i32, mode: i32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride, yr = y + <usize>r * stride;
    perturb(xr, yr, cols, r * cols, seedLo, seedHi);
    if (mode == GumbelMode.Soft) softmaxRow3(yr, yr, cols, beta);
    else if (mode == GumbelMode.Hard) hardRow(yr, cols);
  }
}
