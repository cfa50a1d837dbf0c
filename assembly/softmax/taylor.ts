// Taylor softmax (de Brébisson & Vincent, "An Exploration of Softmax Alternatives"):
// f(z) = 1 + z + z^2 / 2 (> 0 for every z), y = f(z) / sum f(z), z = x / T.
// f overflows f32 for |z| > 2.6e19 and sums of f overflow much earlier, so each term is
// computed scaled by 1 / a^2, a = max(1, max |z|): g = c^2 + w (c + w / 2) with w = z / a and
// c = 1 / a, which lies in [c^2 / 2, 2.5]. -Inf entries are masked out (0): f(-Inf) would be
// +Inf, which would make masking impossible. Rows where x / T overflows f32 take a float64
// path. Edges: all -Inf -> zeros; NaN -> NaN row; +Inf entries share the mass.
import { hsum4, fma4 } from '../simd/fma';
import { rowMax, fill, scale, edgeRow } from './softmax';

/** max |x| over the entries that are not -Inf (NaN ignored). */
function absMax(xr: usize, n: i32): f32 {
  let m = f32x4.splat(0);
  const ninf = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(xr + (<usize>i << 2));
    m = f32x4.pmax(m, f32x4.abs(v128.andnot(v, f32x4.eq(v, ninf))));
  }
  let r = f32x4.extract_lane(m, 0);
  r = max(r, f32x4.extract_lane(m, 1)); r = max(r, f32x4.extract_lane(m, 2)); r = max(r, f32x4.extract_lane(m, 3));
  for (; i < n; i++) {
    const v = load<f32>(xr + (<usize>i << 2));
    if (v != -Infinity && Mathf.abs(v) > r) r = Mathf.abs(v);
  }
  return r;
}

/** g = f(z) / a^2 for one vector, 0 where x = -Inf. */
// @ts-ignore: decorator
@inline function term(x: v128, vb: v128, va: v128, vc: v128): v128 {
  const w = f32x4.div(f32x4.mul(x, vb), va);
  const g = fma4(w, fma4(w, f32x4.splat(0.5), vc), f32x4.mul(vc, vc));
  return v128.andnot(g, f32x4.eq(x, f32x4.splat(-Infinity)));
}

/** f(z) in float64, 0 for -Inf. */
// @ts-ignore: decorator
@inline function f64term(x: f32, beta: f32): f64 {
  const z = <f64>x * <f64>beta;
  return x == -Infinity ? 0 : 1 + z + z * z / 2;
}

function taylorRow(xr: usize, yr: usize, n: i32, beta: f32): void {
  const xmax = rowMax(xr, n);
  if (edgeRow(xr, yr, n, xmax)) return;
  const zabs = absMax(xr, n) * beta;
  if (zabs == Infinity) {
    // x / T overflows f32: float64 (z^2 still fits: |z| < 1e154)
    let sum: f64 = 0;
    for (let i = 0; i < n; i++) sum += f64term(load<f32>(xr + (<usize>i << 2)), beta);
    for (let i = 0; i < n; i++) store<f32>(yr + (<usize>i << 2), <f32>(f64term(load<f32>(xr + (<usize>i << 2)), beta) / sum));
    return;
  }
  const a: f32 = zabs > 1 ? zabs : 1;
  const vb = f32x4.splat(beta), va = f32x4.splat(a), vc = f32x4.splat(<f32>1 / a);
  let total: f64 = 0;
  let i = 0;
  for (; i + 4 <= n;) {
    let s = f32x4.splat(0);
    const end = min(n, i + 1024);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      const g = term(v128.load(xr + off), vb, va, vc);
      v128.store(yr + off, g);
      s = f32x4.add(s, g);
    }
    total += hsum4(s);
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const g = f32x4.extract_lane(term(f32x4.splat(load<f32>(xr + off)), vb, va, vc), 0);
    store<f32>(yr + off, g);
    total += <f64>g;
  }
  if (total != total) { fill(yr, n, NaN); return; } // a NaN in the row
  scale(yr, yr, n, <f32>(1.0 / total));
}

export function taylor_softmax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) taylorRow(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}
