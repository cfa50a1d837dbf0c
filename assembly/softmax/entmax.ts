// alpha-entmax for any alpha > 1 (Peters, Niculae & Martins 2019; Correia, Niculae & Martins,
// "Adaptively Sparse Transformers", 2019): y = [u - tau]_+^P with u = (alpha - 1)(z - max z),
// P = 1 / (alpha - 1), z = x / T, tau such that sum y = 1; exact zeros outside the support.
// tau lies in [-1, -c^(1 - alpha)] (c = entries with u > -1, the only ones that can be in the
// support: they are gathered first). On them, Newton steps on f(tau) = sum t^P - 1 (on its P-norm
// when P >= 1), t = [u - tau]_+, kept inside a bisection bracket, until |f| <= 1e-6 (the f32 noise
// floor of the sum). u and u - tau in f64 (x - max is exact there: entries
// near the support's edge stay accurate where t^P is steep), t^P = exp(P log t) in f32 SIMD, sums
// in f64; the output is divided by the final sum, so rows sum to 1.
// Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries share the mass.
import { vexp } from '../simd/vexp';
import { vlog } from '../simd/vlog';
import { rowMax, edgeRow, fill, scale } from './softmax';
import { hsum4 } from '../simd/fma';

let sumP: f64 = 0; // sum t^P
let sumP1: f64 = 0; // sum t^(P - 1)

/** t^P for t in [0, 1] (0 -> 0). */
// @ts-ignore: decorator
@inline function powP(t: v128, vp: v128): v128 {
  return v128.andnot(vexp(f32x4.mul(vp, vlog(t)), true), f32x4.eq(t, f32x4.splat(0)));
}

/** Two f64x2 halves demoted into one f32x4. */
// @ts-ignore: decorator
@inline function demote2(a: v128, b: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(a), hi = f32x4.demote_f64x2_zero(b);
  return i32x4.shuffle(lo, hi, 0, 1, 4, 5);
}

/** t = [u - tau]_+ for two f64x2 halves of u, as f32x4: exact differences, one rounding. */
// @ts-ignore: decorator
@inline function excess(ul: v128, uh: v128, vt: v128): v128 {
  const zero = f64x2.splat(0);
  return demote2(f64x2.pmax(f64x2.sub(ul, vt), zero), f64x2.pmax(f64x2.sub(uh, vt), zero));
}

/** The sums over the c candidates at u (f64, padded with -Inf to a multiple of 4). */
function sums(u: usize, c: i32, tau: f64, p: f32): void {
  const vt = f64x2.splat(tau), vp = f32x4.splat(p), zero = f32x4.splat(0);
  let s = f64x2.splat(0), s1 = s;
  for (let i = 0; i < c; i += 4) {
    const t = excess(v128.load(u + (<usize>i << 3)), v128.load(u + (<usize>i << 3), 16), vt);
    const e = powP(t, vp);
    const e1 = v128.andnot(f32x4.div(e, t), f32x4.eq(t, zero));
    s = f64x2.add(s, f64x2.add(f64x2.promote_low_f32x4(e), f64x2.promote_low_f32x4(i32x4.shuffle(e, e, 2, 3, 0, 1))));
    s1 = f64x2.add(s1, f64x2.add(f64x2.promote_low_f32x4(e1), f64x2.promote_low_f32x4(i32x4.shuffle(e1, e1, 2, 3, 0, 1))));
  }
  sumP = f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1);
  sumP1 = f64x2.extract_lane(s1, 0) + f64x2.extract_lane(s1, 1);
}

/** u = (x - m) * k in f64 (x - m is exact there) for the four floats at v. */
// @ts-ignore: decorator
@inline function uLow(v: v128, vm: v128, vk: v128): v128 { return f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vk); }
// @ts-ignore: decorator
@inline function uHigh(v: v128, vm: v128, vk: v128): v128 { return uLow(i32x4.shuffle(v, v, 2, 3, 0, 1), vm, vk); }

/**
 * Gathers u = (x - m) * k (f64) of the entries with u > -1 into cand (padded with -Inf);
 * returns the count, or -1 if the row holds a NaN. The f32 filter keeps a margin below -1.
 */
function gather(xr: usize, n: i32, m: f32, k: f64, cand: usize): i32 {
  const vm = f32x4.splat(m), vk = f32x4.splat(<f32>k), floor = f32x4.splat(-1.001);
  const m64 = <f64>m;
  let c = 0, i = 0, nan = i32x4.splat(0);
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(xr + (<usize>i << 2));
    nan = v128.or(nan, f32x4.ne(v, v));
    const bits = i32x4.bitmask(f32x4.gt(f32x4.mul(f32x4.sub(v, vm), vk), floor));
    if (!bits) continue;
    // write all four, advance by the passing ones in lane order
    for (let j = 0; j < 4; j++) {
      store<f64>(cand + (<usize>c << 3), (<f64>load<f32>(xr + (<usize>(i + j) << 2)) - m64) * k);
      c += (bits >> j) & 1;
    }
  }
  for (; i < n; i++) {
    const u = (<f64>load<f32>(xr + (<usize>i << 2)) - m64) * k;
    if (u != u) return -1;
    if (u > -1.001) { store<f64>(cand + (<usize>c << 3), u); c++; }
  }
  if (v128.any_true(nan)) return -1;
  for (let j = 0; j < 4; j++) store<f64>(cand + (<usize>(c + j) << 3), -Infinity);
  return c;
}

/**
 * For P < 1 (alpha > 2), t^P is steep at 0: an entry just inside the support needs tau beyond
 * the f32 sums' 1e-6. Newton in float64 over the candidates (few, for such alpha) finishes it.
 */
function refine(u: usize, c: i32, tau: f64, p: f64): f64 {
  for (let it = 0; it < 4; it++) {
    let s: f64 = 0, d: f64 = 0;
    for (let i = 0; i < c; i++) {
      const t = load<f64>(u + (<usize>i << 3)) - tau;
      if (t > 0) { const e = Math.exp(p * Math.log(t)); s += e; d += e / t; }
    }
    const step = (s - 1) / (p * d);
    if (!(Math.abs(step) > 1e-17)) break;
    tau += step;
  }
  return tau;
}

function entmaxRow(xr: usize, yr: usize, n: i32, beta: f32, alpha: f64, cand: usize): void {
  const m = rowMax(xr, n);
  if (edgeRow(xr, yr, n, m)) return;
  const k = (alpha - 1) * <f64>beta, p = <f32>(1 / (alpha - 1));
  const c = gather(xr, n, m, k, cand);
  if (c < 0) { fill(yr, n, NaN); return; }
  let lo: f64 = -1, hi: f64 = -Math.exp((1 - alpha) * Math.log(<f64>c)), tau = lo; // (exp/log: Math.pow alone is 3 KB of wasm)
  sums(cand, c, tau, p);
  for (let it = 0; it < 60 && abs(sumP - 1) > 1e-6; it++) {
    const f = sumP - 1;
    if (f > 0) lo = tau; else hi = tau;
    // P >= 1: Newton on the P-norm of t, convex (steps from the left stay left) and nearly
    // linear on a fixed support: 2-6 steps where Newton on the sum itself takes 7-10
    let next = p >= 1 ? tau + sumP * (1 - Math.exp(-Math.log(sumP) / <f64>p)) / sumP1 : tau + f / (<f64>p * sumP1);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (next == tau) break;
    tau = next;
    sums(cand, c, tau, p);
  }
  if (p < 1) tau = refine(cand, c, tau, <f64>p);
  // t^P at the final tau (refine moved it past the last sums), then divided by their own sum
  const vm = f64x2.splat(<f64>m), vk = f64x2.splat(k), vt = f64x2.splat(tau), vp = f32x4.splat(p);
  let total: f64 = 0, i = 0;
  while (i + 4 <= n) {
    let acc = f32x4.splat(0);
    const end = min(n, i + 1024);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const v = v128.load(xr + off);
      const t = excess(uLow(v, vm, vk), uHigh(v, vm, vk), vt);
      const w = v128.any_true(t) ? powP(t, vp) : t; // skip the pow off the support
      v128.store(yr + off, w);
      acc = f32x4.add(acc, w);
    }
    total += hsum4(acc);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const u = f64x2.splat((<f64>load<f32>(xr + off) - <f64>m) * k);
    const w = f32x4.extract_lane(powP(excess(u, u, vt), vp), 0);
    store<f32>(yr + off, w);
    total += <f64>w;
  }
  scale(yr, yr, n, <f32>(1 / total));
}

/** Per row of [rows, cols]; cand holds cols + 4 f64. y may be x. */
export function entmax_f32(x: usize, y: usize, cand: usize, rows: i32, cols: i32, beta: f32, alpha: f64): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) entmaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta, alpha, cand);
}
