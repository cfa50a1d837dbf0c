// Self-Adjust Softmax (Zheng et al., "Self-Adjust Softmax", 2025), z = x / T:
//   plain:      y = z * softmax(z)
//   normalized: y = (z - min(z_min, 0)) / (max(0, z_max) - min(z_min, 0)) * softmax(z)
// The normalized factor is invariant to T > 0, so it is computed on x (halved: no overflow of
// the range for |x| up to f32 max); the plain one as x * (beta * p) so a p of 0 never meets an
// overflowed z. -Inf entries give 0 (the limit); z_min is taken over finite entries.
// Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries: plain +Inf, normalized 1/count
// (their factor tends to 1), other entries 0.
import { vexp, sexp } from '../simd/vexp';
import { rowMax, expSum, expSumStore, edgeRow } from './softmax';
import { hmax4 } from '../simd/fma';

/** Set by rowMaxMin: the smallest entry above -Inf (+Inf if none). */
let minFinite: f32 = 0;

/**
 * rowMax in one pass with the smallest entry above -Inf (in minFinite): the normalized variant
 * needs both, and a separate pass for each cost a fifth of its time.
 */
function rowMaxMin(x: usize, n: i32): f32 {
  const ninf = f32x4.splat(-Infinity), inf = f32x4.splat(Infinity);
  let lo = inf, hi = ninf;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    hi = f32x4.pmax(hi, v);
    lo = f32x4.pmin(lo, v128.bitselect(inf, v, f32x4.eq(v, ninf)));
  }
  let s = min(min(f32x4.extract_lane(lo, 0), f32x4.extract_lane(lo, 1)), min(f32x4.extract_lane(lo, 2), f32x4.extract_lane(lo, 3)));
  let m = hmax4(hi);
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > -Infinity && v < s) s = v;
    if (v > m) m = v;
  }
  minFinite = s;
  return m;
}

function selfAdjustRow(xr: usize, yr: usize, n: i32, beta: f32, normalized: bool): void {
  const m = normalized ? rowMaxMin(xr, n) : rowMax(xr, n);
  if (edgeRow(xr, yr, n, m)) {
    if (!normalized && m == Infinity) { // the shares 1/count become z * 1/count = +Inf
      for (let i = 0; i < n; i++) if (load<f32>(yr + (<usize>i << 2)) > 0) store<f32>(yr + (<usize>i << 2), Infinity);
    }
    return;
  }
  // out of place, the exps are stored and reused (as softmax does); in place x is still needed
  // after the sum, so the last pass computes them again
  const stored = xr != yr;
  const c = <f32>(1.0 / (stored ? expSumStore(xr, yr, n, m, beta) : expSum(xr, n, m, beta)));
  // factor(x) = (x * h - l) * a: plain h = 1, l = 0, a = beta * c; normalized h = 1/2, l = lo / 2,
  // a = c / range (x/2 - lo/2 is one rounding: no cancellation error near lo); halving keeps
  // the range finite for any f32 x, and tiny ranges are scaled up instead
  let h: f32 = 1, l: f32 = 0, a = beta * c;
  if (normalized) {
    const lo = min(minFinite, <f32>0), hi = max(m, <f32>0);
    h = hi - lo < 1e-30 ? 1.8446744e19 : 0.5; // 2^64 lifts tiny ranges so c / range stays finite
    l = lo * h;
    const range = hi * h - l;
    a = range > 0 ? c / range : 0;
  }
  const vm = f32x4.splat(m), vb = f32x4.splat(beta), vh = f32x4.splat(h), vl = f32x4.splat(l), va = f32x4.splat(a), ninf = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    const v = v128.load(xr + off);
    const e = stored ? v128.load(yr + off) : vexp(f32x4.mul(f32x4.sub(v, vm), vb), true);
    const f = f32x4.mul(f32x4.sub(f32x4.mul(v, vh), vl), va);
    v128.store(yr + off, v128.andnot(f32x4.mul(f, e), f32x4.eq(v, ninf)));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const v = load<f32>(xr + off);
    const e = stored ? load<f32>(yr + off) : sexp((v - m) * beta, true);
    store<f32>(yr + off, v == -Infinity ? 0 : (v * h - l) * a * e);
  }
}

/** Per row of [rows, cols]; normalized selects the variant. y may be x. */
export function self_adjust_softmax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32, normalized: bool): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) selfAdjustRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta, normalized);
}
