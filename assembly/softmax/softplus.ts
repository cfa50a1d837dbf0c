// Softplus normalization ("Softplus Attention"): y = softplus(z) / sum softplus(z), z = x / T,
// softplus(z) = max(z, 0) + log1p(t), t = e^-|z| in [0, 1]: log1p(t) = 2 atanh(s) with
// s = t / (2 + t) in [0, 1/3], so no range reduction and no rounding of 1 + t. A row whose
// largest z is below -27.6 has softplus(z) = e^z (1 + O(1e-12)) in every term, so it is exactly
// softmax(z) and takes the softmax kernel (decided before writing: y may be x). Rows with a z
// beyond 2^100 (where x / T may overflow) take a float64 path. Between the two, terms are
// normal floats up to 2^100 and need no scaling: 256 of them per lane stay finite in f32.
// Edges: -Inf -> 0 (all -Inf -> zeros); NaN -> NaN row; +Inf entries share the mass.
import { vexp } from '../simd/vexp';
import { expBlock, Arg, BLOCK, scratch } from '../simd/blocks';
import { hsum4, fma4 } from '../simd/fma';
import { rowMax, fill, scale, edgeRow, softmaxRow3 } from './softmax';

// @ts-ignore: decorator
@inline function softplus(z: v128): v128 {
  return log1pAdd(z, vexp(v128.or(z, f32x4.splat(-0.0)), true)); // -|z|: set the sign bit
}

/** max(z, 0) + log1p(t) for t = e^-|z|. */
// @ts-ignore: decorator
@inline function log1pAdd(z: v128, t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(t, f32x4.splat(2))), w = f32x4.mul(s, s);
  // atanh(s) / s = 1 + w p(w): a minimax fit on w in [0, 1/9], 5.4e-9 relative before rounding
  let p = fma4(w, f32x4.splat(0.14005996286869049), f32x4.splat(0.14000901579856873));
  p = fma4(p, w, f32x4.splat(0.20010763406753540));
  p = fma4(p, w, f32x4.splat(0.33333209156990051));
  const s2 = f32x4.add(s, s);
  return f32x4.add(f32x4.pmax(z, f32x4.splat(0)), fma4(f32x4.mul(s2, w), p, s2));
}

// @ts-ignore: decorator
@inline function softplus64(x: f32, beta: f32): f64 {
  const z = <f64>x * <f64>beta;
  return (z > 0 ? z : 0) + Math.log(1 + Math.exp(-Math.abs(z)));
}

function softplusRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const zmax = xmax * beta;
  if (zmax < -27.6) { softmaxRow3(xr, yr, n, beta); return; }
  if (zmax > 1.2676506e30) { // 2^100
    // float64 (softplus(z) ~ z there, log1p(e^-|z|) is 0)
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += softplus64(load<f32>(xr + (<usize>i << 2)), beta);
    for (let i = 0; i < n; i++) store<f32>(yr + (<usize>i << 2), <f32>(softplus64(load<f32>(xr + (<usize>i << 2)), beta) / sum));
    return;
  }
  const vb = f32x4.splat(beta);
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    // per block, the exps into scratch, then the log1p: one long chain per vector left the
    // core latency-bound (see simd/blocks.ts)
    const m = min(BLOCK, (n - i) & ~3);
    expBlock(xr + (<usize>i << 2), scratch, m, Arg.NegAbs, 0, beta);
    let s = f32x4.splat(0);
    for (let j = 0; j < m; j += 4) {
      const off = <usize>j << 2, o = (<usize>i << 2) + off;
      const t = log1pAdd(f32x4.mul(v128.load(xr + o), vb), v128.load(scratch + off));
      v128.store(yr + o, t);
      s = f32x4.add(s, t);
    }
    total += hsum4(s);
    i += m;
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const t = f32x4.extract_lane(softplus(f32x4.splat(load<f32>(xr + off) * beta)), 0);
    store<f32>(yr + off, t);
    total += <f64>t;
  }
  if (total != total) { fill(yr, n, NaN); return; } // a NaN in the row
  scale(yr, yr, n, <f32>(1.0 / total));
}

export function softplus_norm_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) softplusRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
