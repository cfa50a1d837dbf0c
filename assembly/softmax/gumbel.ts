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

// @ts-ignore: decorator
@inline const BLOCK: i32 = 256;
const scratch = memory.data(BLOCK << 2, 16);

/** u of the four counters c under the seed halves lo, hi: in [2^-24, 1 - 2^-24]. */
// @ts-ignore: decorator
@inline function uniform(c: v128, lo: v128, hi: v128): v128 {
  const h = mix(i32x4.add(mix(v128.xor(c, lo)), hi));
  const b = f32x4.convert_i32x4_s(i32x4.shr_u(h, 9));
  return f32x4.mul(f32x4.add(b, f32x4.splat(0.5)), f32x4.splat(1.1920928955078125e-7)); // 2^-23
}

/**
 * y[i] = x[i] + g(start + i) for i < n (counters wrap at 2^32), in blocks: hash, first log and
 * second log are separate short loops over a scratch block, so the out-of-order core overlaps
 * many iterations (one fused chain of ~150 cycles latency per vector left it latency-bound).
 */
function perturb(x: usize, y: usize, n: i32, start: i32, seedLo: i32, seedHi: i32): void {
  const lo = i32x4.splat(seedLo), hi = i32x4.splat(seedHi + GOLDEN);
  for (let b = 0; b < n; b += BLOCK) {
    const m = min(BLOCK, n - b), mv = (m + 3) & ~3; // whole vectors in the scratch block
    let c = i32x4.add(i32x4.splat(start + b), i32x4(0, 1, 2, 3));
    for (let i = 0; i < mv; i += 4) {
      v128.store(scratch + (<usize>i << 2), uniform(c, lo, hi));
      c = i32x4.add(c, i32x4.splat(4));
    }
    for (let i = 0; i < mv; i += 4) {
      const p = scratch + (<usize>i << 2);
      v128.store(p, f32x4.neg(vlogStrict(v128.load(p), false))); // -log u in [6e-8, 16.7]: normal, no edge fix-ups
    }
    const xb = x + (<usize>b << 2), yb = y + (<usize>b << 2);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const off = <usize>i << 2;
      v128.store(yb + off, f32x4.sub(v128.load(xb + off), vlogStrict(v128.load(scratch + off), false)));
    }
    for (; i < m; i++) {
      const off = <usize>i << 2;
      store<f32>(yb + off, load<f32>(xb + off) - f32x4.extract_lane(vlogStrict(f32x4.splat(load<f32>(scratch + off)), false), 0));
    }
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
