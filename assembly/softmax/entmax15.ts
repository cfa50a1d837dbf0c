// 1.5-entmax (Peters, Niculae & Martins, "Sparse Sequence-to-Sequence Models", 2019):
// y = [u - tau]_+^2 with u = z / 2, z = x / T, and tau such that sum y = 1; exact zeros outside
// the support. Float64 on u = (x - max) / (2T). tau: Newton on h(tau) = ||[u - tau]_+||_2 - 1,
// which is convex and decreasing (a norm of convex non-negative functions), from the lower
// bound tau = -1 (the max has u = 0 and y <= 1): steps from below stay below the root and
// increase monotonically, and on a fixed support h is linear, so it lands in a step or two.
// (Newton on sum [u - tau]_+^2 itself only halves the distance per step near a wide support;
// Michelot's fixed point, which sparsemax uses, can overshoot here.) Each pass also solves
// k tau^2 - 2 tau sum u + sum u^2 - 1 = 0 (smaller root) on the candidates and stops when that
// root is consistent with them.
// Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries share the mass.
import { rowMax, fill, edgeRow } from './softmax';
import { below } from './sparsemax';

let su: f64 = 0; // sum of u over u > tau
let suu: f64 = 0; // sum of u^2 over u > tau
let umin: f64 = 0; // smallest u > tau
let nan = false;

// @ts-ignore: decorator
@inline function half(v: v128, vm: v128, vb: v128): v128 {
  return f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vb);
}

/** Sums of u and u^2 over the candidate support {u > tau}, and its smallest u; returns its size. */
function sums(xr: usize, n: i32, m: f64, b: f64, tau: f64): i32 {
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau), inf = f64x2.splat(Infinity);
  const lo = below(m, b, tau);
  let au = f64x2.splat(0), auu = au, c = i64x2.splat(0), bad = i32x4.splat(0), amin = inf;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(xr + (<usize>i << 2));
    bad = v128.or(bad, f32x4.ne(v, v));
    if (!v128.any_true(f32x4.gt(v, lo))) continue;
    const ul = half(v, vm, vb), uh = half(i32x4.shuffle(v, v, 2, 3, 0, 1), vm, vb);
    const il = f64x2.gt(ul, vt), ih = f64x2.gt(uh, vt);
    const cl = v128.and(ul, il), ch = v128.and(uh, ih);
    au = f64x2.add(au, f64x2.add(cl, ch));
    auu = f64x2.add(auu, f64x2.add(f64x2.mul(cl, cl), f64x2.mul(ch, ch)));
    c = i64x2.add(c, i64x2.add(il, ih)); // a true lane is -1
    amin = f64x2.pmin(amin, f64x2.pmin(v128.bitselect(ul, inf, il), v128.bitselect(uh, inf, ih)));
  }
  su = f64x2.extract_lane(au, 0) + f64x2.extract_lane(au, 1);
  suu = f64x2.extract_lane(auu, 0) + f64x2.extract_lane(auu, 1);
  umin = min(f64x2.extract_lane(amin, 0), f64x2.extract_lane(amin, 1));
  let count = -<i32>(i64x2.extract_lane(c, 0) + i64x2.extract_lane(c, 1));
  nan = v128.any_true(bad);
  for (; i < n; i++) {
    const u = (<f64>load<f32>(xr + (<usize>i << 2)) - m) * b;
    if (u != u) nan = true;
    if (u > tau) { su += u; suu += u * u; count++; if (u < umin) umin = u; }
  }
  return count;
}

function entmaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const m = <f64>xmax, b = 0.5 * <f64>beta;
  let tau: f64 = -1;
  for (let it = 0; it < 100; it++) {
    const k = <f64>sums(xr, n, m, b, tau);
    if (nan) { fill(yr, n, NaN); return; }
    // The exact root of the candidates' quadratic is tau* as soon as every candidate stays
    // above it (entries outside are <= tau <= root already); else the candidates are a
    // superset, whose root overshoots: take a Newton step on ||[u - tau]_+|| = 1 instead.
    const mean = su / k, disc = mean * mean - (suu - 1) / k;
    const exact = mean - Math.sqrt(disc > 0 ? disc : 0);
    if (exact >= tau && umin > exact) { tau = exact; break; }
    // ||[u - tau]_+|| and its slope from the sums: s1 = sum (u - tau), s2 = sum (u - tau)^2
    const s1 = su - k * tau, s2 = suu - 2 * tau * su + k * tau * tau;
    const step = (s2 - Math.sqrt(s2)) / s1;
    if (!(step > 1e-300)) break;
    tau += step;
  }
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau), zero = f64x2.splat(0), lo = below(m, b, tau);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(xr + off);
    if (!v128.any_true(f32x4.gt(v, lo))) { v128.store(yr + off, zero); continue; }
    const dl = f64x2.pmax(f64x2.sub(half(v, vm, vb), vt), zero);
    const dh = f64x2.pmax(f64x2.sub(half(i32x4.shuffle(v, v, 2, 3, 0, 1), vm, vb), vt), zero);
    const lo = f32x4.demote_f64x2_zero(f64x2.mul(dl, dl)), hi = f32x4.demote_f64x2_zero(f64x2.mul(dh, dh));
    v128.store(yr + off, i32x4.shuffle(lo, hi, 0, 1, 4, 5));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const d = (<f64>load<f32>(xr + off) - m) * b - tau;
    store<f32>(yr + off, d > 0 ? <f32>(d * d) : 0);
  }
}

export function entmax15_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) entmaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
