// Softmax by the online normalizer (Milakov & Gimelshein, "Online normalizer calculation for
// softmax"): one pass keeps, per lane, a running max m and a sum s rescaled whenever m grows
// (s = s * exp(m_old - m_new) + exp(x - m_new)); a second pass writes exp(x - M) / S.
// Two passes over x instead of three, at the price of about three exps per element instead
// of one. The lane state is folded into an f64 (max, sum) pair every BLOCK elements so long
// rows keep their accuracy. The running max starts at -FLT_MAX so it never becomes -Inf
// (-Inf - -Inf would be NaN); rows whose max is +-Inf or whose sum is not a positive number
// take the three-pass path, which owns the edge rules.
import { vexp, sexp } from '../simd/vexp';
import { fma4 } from '../simd/fma';
import { softmaxRow3 } from './softmax';

// @ts-ignore: decorator
@inline const FLOOR: f32 = -3.4028234663852886e38;
// @ts-ignore: decorator
@inline const BLOCK: i32 = 1024;

/** Running (max, sum) of one row, in f64: the fold target of the lane states. */
let gMax: f64 = 0;
let gSum: f64 = 0;

/** Fold one lane state (m, s) into (gMax, gSum). The factors are exps of values <= 0. */
function fold(m: f32, s: f32, beta: f32): void {
  const mm = <f64>m;
  if (mm > gMax) { gSum *= <f64>sexp(<f32>((gMax - mm) * <f64>beta), true); gMax = mm; }
  gSum += <f64>s * <f64>sexp(<f32>((mm - gMax) * <f64>beta), true);
}

// @ts-ignore: decorator
@inline function foldLanes(m: v128, s: v128, beta: f32): void {
  fold(f32x4.extract_lane(m, 0), f32x4.extract_lane(s, 0), beta);
  fold(f32x4.extract_lane(m, 1), f32x4.extract_lane(s, 1), beta);
  fold(f32x4.extract_lane(m, 2), f32x4.extract_lane(s, 2), beta);
  fold(f32x4.extract_lane(m, 3), f32x4.extract_lane(s, 3), beta);
}

/** One online step: the new sum for lane state (m, s) after seeing v (the new max is pmax(m, v)). */
// @ts-ignore: decorator
@inline function step(m: v128, s: v128, v: v128, vb: v128): v128 {
  const nm = f32x4.pmax(m, v); // a NaN lane in v leaves m alone; its exp below makes s NaN
  return fma4(s, vexp(f32x4.mul(f32x4.sub(m, nm), vb), true), vexp(f32x4.mul(f32x4.sub(v, nm), vb), true));
}

function onlineRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const vb = f32x4.splat(beta);
  gMax = FLOOR; gSum = 0;
  let i = 0;
  while (i + 8 <= n) {
    let m0 = f32x4.splat(FLOOR), m1 = m0, s0 = f32x4.splat(0), s1 = s0;
    const end = min(n, i + BLOCK);
    for (; i + 8 <= end; i += 8) {
      const p = xr + (<usize>i << 2);
      const v0 = v128.load(p), v1 = v128.load(p, 16);
      s0 = step(m0, s0, v0, vb); m0 = f32x4.pmax(m0, v0);
      s1 = step(m1, s1, v1, vb); m1 = f32x4.pmax(m1, v1);
    }
    foldLanes(m0, s0, beta);
    foldLanes(m1, s1, beta);
  }
  for (; i < n; i++) {
    const v = load<f32>(xr + (<usize>i << 2));
    if (v != -Infinity) fold(v, 1, beta); // a single element is the state (max v, sum 1)
  }
  const M = <f32>gMax, S = gSum;
  if (!(S > 0 && S < Infinity) || M == Infinity) { softmaxRow3(xr, yr, n, beta); return; }
  // second pass: y = exp((x - M) * beta) / S
  const inv = <f32>(1.0 / S), vm = f32x4.splat(M), vinv = f32x4.splat(inv);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(yr + off, f32x4.mul(vexp(f32x4.mul(f32x4.sub(v128.load(xr + off), vm), vb), true), vinv));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(yr + off, sexp((load<f32>(xr + off) - M) * beta, true) * inv);
  }
}

export function softmax_online_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) onlineRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
