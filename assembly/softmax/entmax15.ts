// 1.5-entmax (Peters, Niculae & Martins, "Sparse Sequence-to-Sequence Models", 2019):
// y = [u - tau]_+^2 with u = z / 2, z = x / T, and tau such that sum y = 1; exact zeros outside
// the support. Float64 on u = (x - max) / (2T). tau: Newton on g(tau) = sum [u - tau]_+^2,
// which is convex and decreasing, from the lower bound tau = -1 (the max has u = 0 and
// y <= 1): Newton steps from below stay below the root and increase monotonically. (Michelot's
// fixed point, which sparsemax uses, can overshoot here: off-support entries add positive
// squares.) When the candidate support stops changing, tau is solved exactly from it:
// k tau^2 - 2 tau sum u + sum u^2 - 1 = 0, smaller root.
// Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries share the mass.
import { rowMax, fill, edgeRow } from './softmax';

let s1: f64 = 0; // sum of (u - tau) over u > tau
let s2: f64 = 0; // sum of (u - tau)^2 over u > tau
let su: f64 = 0; // sum of u over u > tau
let suu: f64 = 0; // sum of u^2 over u > tau
let umin: f64 = 0; // smallest u > tau
let nan = false;

// @ts-ignore: decorator
@inline function half(v: v128, vm: v128, vb: v128): v128 {
  return f64x2.mul(f64x2.sub(f64x2.promote_low_f32x4(v), vm), vb);
}

/** Sums over the candidate support {u > tau}; returns its size. */
function sums(xr: usize, n: i32, m: f64, b: f64, tau: f64): i32 {
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau);
  let a1 = f64x2.splat(0), a2 = a1, au = a1, auu = a1, c = i64x2.splat(0), bad = i32x4.splat(0);
  let amin = f64x2.splat(Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(xr + (<usize>i << 2));
    bad = v128.or(bad, f32x4.ne(v, v));
    for (let h = 0; h < 2; h++) {
      const u = half(h == 0 ? v : i32x4.shuffle(v, v, 2, 3, 0, 1), vm, vb);
      const in_ = f64x2.gt(u, vt);
      const uu = v128.and(u, in_), d = v128.and(f64x2.sub(u, vt), in_);
      a1 = f64x2.add(a1, d); a2 = f64x2.add(a2, f64x2.mul(d, d));
      au = f64x2.add(au, uu); auu = f64x2.add(auu, f64x2.mul(uu, uu));
      c = i64x2.sub(c, in_);
      amin = f64x2.pmin(amin, v128.bitselect(u, f64x2.splat(Infinity), in_));
    }
  }
  s1 = f64x2.extract_lane(a1, 0) + f64x2.extract_lane(a1, 1);
  s2 = f64x2.extract_lane(a2, 0) + f64x2.extract_lane(a2, 1);
  su = f64x2.extract_lane(au, 0) + f64x2.extract_lane(au, 1);
  suu = f64x2.extract_lane(auu, 0) + f64x2.extract_lane(auu, 1);
  umin = min(f64x2.extract_lane(amin, 0), f64x2.extract_lane(amin, 1));
  let count = <i32>(i64x2.extract_lane(c, 0) + i64x2.extract_lane(c, 1));
  nan = v128.any_true(bad);
  for (; i < n; i++) {
    const u = (<f64>load<f32>(xr + (<usize>i << 2)) - m) * b;
    if (u != u) nan = true;
    if (u > tau) { const d = u - tau; s1 += d; s2 += d * d; su += u; suu += u * u; count++; if (u < umin) umin = u; }
  }
  return count;
}

function entmaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const m = <f64>xmax, b = 0.5 * <f64>beta;
  let tau: f64 = -1, count = -1;
  for (let it = 0; it < 100; it++) {
    const c = sums(xr, n, m, b, tau);
    if (nan) { fill(yr, n, NaN); return; }
    if (c == count) {
      // the support is settled: tau exactly from it (smaller root of the quadratic)
      const k = <f64>c, mean = su / k, disc = mean * mean - (suu - 1) / k;
      const exact = mean - Math.sqrt(disc > 0 ? disc : 0);
      // valid only if every candidate stays in the support at `exact` (else it is a superset
      // and its root overshoots): then g(exact) = 1 and exact is the unique tau
      if (exact >= tau && umin > exact) { tau = exact; break; }
    }
    count = c;
    const step = (s2 - 1) / (2 * s1); // Newton on g(tau) = 1 from below
    if (!(step > 1e-300)) break;
    tau += step;
  }
  const vm = f64x2.splat(m), vb = f64x2.splat(b), vt = f64x2.splat(tau), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(xr + off);
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
