// StableMax ("Grokking at the Edge of Numerical Stability", Prieto et al. 2025):
// s(z) = z + 1 for z >= 0, 1 / (1 - z) for z < 0, z = x / T; y = s(z) / sum s(z).
// Each term is divided by s(z_max) so partial sums stay bounded: for z >= 0 it is
// (z + 1) / s_max, for z < 0 it is 1 / ((1 - z) s_max), which can only overflow toward its
// correct value 0. Rows where x / T itself overflows f32 take a float64 scalar path.
// Edges: -Inf -> s = 0 (all -Inf -> zeros); NaN -> NaN row; +Inf entries share the mass.
import { hsum4 } from '../simd/fma';
import { vlog } from '../simd/vlog';
import { logBlock, BLOCK, scratch } from '../simd/blocks';
import { rowMax, fill, scale, edgeRow, logEdgeRow } from './softmax';

/** s(z) / smax for one vector. */
// @ts-ignore: decorator
@inline function ratio(z: v128, smax: v128): v128 {
  const one = f32x4.splat(1), pos = f32x4.ge(z, f32x4.splat(0));
  const num = v128.bitselect(f32x4.add(z, one), one, pos);
  const den = v128.bitselect(smax, f32x4.mul(f32x4.sub(one, z), smax), pos);
  return f32x4.div(num, den);
}

/** s(z) in float64. */
// @ts-ignore: decorator
@inline function s64(z: f64): f64 {
  return z >= 0 ? z + 1 : 1 / (1 - z);
}

/** The float64 path for rows where x / T overflows f32. */
function wideRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) sum += s64(<f64>load<f32>(xr + (<usize>i << 2)) * <f64>beta);
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(yr + off, <f32>(s64(<f64>load<f32>(xr + off) * <f64>beta) / sum));
  }
}

/** s(z_max) for a finite z_max. */
// @ts-ignore: decorator
@inline function sOf(zmax: f32): f32 {
  return zmax >= 0 ? zmax + 1 : <f32>1 / (1 - zmax);
}

/** sum of t = s(z) / s(z_max) over the row, in f32 lanes flushed to f64; t stored when `keep`. */
// @ts-ignore: decorator
@inline function ratioSum(xr: usize, yr: usize, n: i32, vb: v128, smax: v128, keep: bool): f64 {
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n;) {
    let s = f32x4.splat(0);
    const end = min(n, i + 1024);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const t = ratio(f32x4.mul(v128.load(xr + off), vb), smax);
      if (keep) v128.store(yr + off, t);
      s = f32x4.add(s, t);
    }
    total += hsum4(s);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const t = f32x4.extract_lane(ratio(f32x4.mul(f32x4.splat(load<f32>(xr + off)), vb), smax), 0);
    if (keep) store<f32>(yr + off, t);
    total += <f64>t;
  }
  return total;
}

function stablemaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const zmax = xmax * beta;
  if (zmax == Infinity) { wideRow(xr, yr, n, beta); return; }
  const total = ratioSum(xr, yr, n, f32x4.splat(beta), f32x4.splat(sOf(zmax)), true);
  if (total != total) { fill(yr, n, NaN); return; } // a NaN in the row
  scale(yr, yr, n, <f32>(1.0 / total));
}

/** log s(z) = log1p(z) for z >= 0, -log1p(-z) below (the fallback where t underflows). */
// @ts-ignore: decorator
@inline function logS(z: v128): v128 {
  const a = f32x4.abs(z), u = f32x4.add(f32x4.splat(1), a);
  // log1p(a) = log(u) + (a - (u - 1)) / u, correcting the rounding of 1 + a
  let l = f32x4.add(vlog(u), f32x4.div(f32x4.sub(a, f32x4.sub(u, f32x4.splat(1))), u));
  l = v128.bitselect(f32x4.splat(Infinity), l, f32x4.eq(a, f32x4.splat(Infinity))); // (Inf - Inf) / Inf
  return v128.bitselect(l, f32x4.neg(l), f32x4.ge(z, f32x4.splat(0)));
}

/**
 * log stablemax: log t - log sum t with t = s(z) / s(z_max), as log(t) where t is a normal
 * float and as log s(z) - log s(z_max) where t underflows (both terms are then large, so the
 * subtraction loses nothing that matters). Out of place, pass 1 stores t in y for pass 2; in
 * place (y = x) pass 2 recomputes t from x, block by block.
 */
function logStablemaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (logEdgeRow(xr, yr, n, xmax)) return;
  const zmax = xmax * beta;
  if (zmax == Infinity) {
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += s64(<f64>load<f32>(xr + (<usize>i << 2)) * <f64>beta);
    const ls = Math.log(sum);
    for (let i = 0; i < n; i++) {
      const off = <usize>i << 2;
      store<f32>(yr + off, <f32>(Math.log(s64(<f64>load<f32>(xr + off) * <f64>beta)) - ls));
    }
    return;
  }
  const smax = f32x4.splat(sOf(zmax)), vb = f32x4.splat(beta);
  const keep = xr != yr;
  const total = keep ? ratioSum(xr, yr, n, vb, smax, true) : ratioSum(xr, yr, n, vb, smax, false);
  if (total != total) { fill(yr, n, NaN); return; }
  const ls = <f32>Math.log(total), lsum = f32x4.splat(ls), lmax = logS(f32x4.splat(zmax)), tiny = f32x4.splat(1.17549435e-38);
  let i = 0;
  while (i + 4 <= n) {
    // per block (see simd/blocks.ts); in place, t is recomputed into scratch (x is still needed
    // for the fix-up) and the block copied to y at the end
    const m = min(BLOCK, (n - i) & ~3), xb = xr + (<usize>i << 2), yb = yr + (<usize>i << 2);
    const t = keep ? yb : scratch;
    if (!keep) {
      for (let j = 0; j < m; j += 4) {
        const off = <usize>j << 2;
        v128.store(t + off, ratio(f32x4.mul(v128.load(xb + off), vb), smax));
      }
    }
    if (logBlock(t, t, m, ls)) { // rare: lanes whose t underflowed take the second log
      for (let j = 0; j < m; j += 4) {
        const off = <usize>j << 2, z = f32x4.mul(v128.load(xb + off), vb);
        const normal = f32x4.ge(ratio(z, smax), tiny);
        v128.store(t + off, v128.bitselect(v128.load(t + off), f32x4.sub(f32x4.sub(logS(z), lmax), lsum), normal));
      }
    }
    if (!keep) memory.copy(yb, t, <usize>m << 2);
    i += m;
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const z = f32x4.splat(load<f32>(xr + off) * beta), t = ratio(z, smax);
    const lt = v128.bitselect(vlog(t), f32x4.sub(logS(z), lmax), f32x4.ge(t, tiny));
    store<f32>(yr + off, f32x4.extract_lane(f32x4.sub(lt, lsum), 0));
  }
}

export function log_stablemax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) logStablemaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}

export function stablemax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) stablemaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
