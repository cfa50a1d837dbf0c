// StableMax ("Grokking at the Edge of Numerical Stability", Prieto et al. 2025):
// s(z) = z + 1 for z >= 0, 1 / (1 - z) for z < 0, z = x / T; y = s(z) / sum s(z).
// Each term is divided by s(z_max) so partial sums stay bounded: for z >= 0 it is
// (z + 1) / s_max, for z < 0 it is 1 / ((1 - z) s_max), which can only overflow toward its
// correct value 0. Rows where x / T itself overflows f32 take a float64 scalar path.
// Edges: -Inf -> s = 0 (all -Inf -> zeros); NaN -> NaN row; +Inf entries share the mass.
import { hsum4 } from '../simd/fma';
import { rowMax, fill, scale, edgeRow } from './softmax';

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

function stablemaxRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const zmax = xmax * beta;
  if (zmax == Infinity) { wideRow(xr, yr, n, beta); return; }
  const smaxS: f32 = zmax >= 0 ? zmax + 1 : <f32>1 / (1 - zmax);
  const smax = f32x4.splat(smaxS), vb = f32x4.splat(beta);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n;) {
    let s = f32x4.splat(0);
    const end = min(n, i + 1024);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const t = ratio(f32x4.mul(v128.load(xr + off), vb), smax);
      v128.store(yr + off, t);
      s = f32x4.add(s, t);
    }
    total += hsum4(s);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const t = f32x4.extract_lane(ratio(f32x4.splat(load<f32>(xr + off) * beta), smax), 0);
    store<f32>(yr + off, t);
    total += <f64>t;
  }
  if (total != total) { fill(yr, n, NaN); return; } // a NaN in the row
  scale(yr, yr, n, <f32>(1.0 / total));
}

export function stablemax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) stablemaxRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
