// Sinkhorn normalization (Sinkformers, Sander et al. 2022) of exp(z) for each [rows, cols]
// matrix, z = x / T, in the log domain with potentials: P = exp(z - u[r] - v[c]).
// Steps alternate, starting with rows: a row step sets u so every row sums to 1 (step 1 alone is
// the row softmax), a column step sets v so every column sums to rows / cols (1 when square).
// z is stored shifted by its row max (P is invariant to per-row shifts) so nothing overflows.
// Edges: -Inf entries give 0 and an all -Inf row or column stays 0 (its potential is +Inf);
// a NaN or +Inf anywhere makes the matrix NaN (no finite limit).
import { vexp, sexp } from '../simd/vexp';
import { hsum4, hmax4 } from '../simd/fma';
import { rowMax, fill } from './softmax';

/** Sums are flushed from f32 lanes to f64 every this many terms per lane. */
// @ts-ignore: decorator
@inline const FLUSH: i32 = 64;

/** y = (x - rowmax) * beta per row; true if the matrix holds a NaN or +Inf. */
function shifted(x: usize, y: usize, rows: i32, cols: i32, beta: f32): bool {
  let bad = i32x4.splat(0);
  let badS = false;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>(r * cols) * 4, yr = y + <usize>(r * cols) * 4;
    const m = rowMax(xr, cols);
    if (m == -Infinity) { // all -Inf, or NaN among -Inf
      for (let i = 0; i < cols; i++) {
        const v = load<f32>(xr + (<usize>i << 2));
        if (v != v) badS = true;
        store<f32>(yr + (<usize>i << 2), -Infinity);
      }
      continue;
    }
    const vm = f32x4.splat(m), vb = f32x4.splat(beta);
    let i = 0;
    for (; i + 4 <= cols; i += 4) { // NaN and +Inf (Inf - Inf) both surface as NaN here
      const z = f32x4.mul(f32x4.sub(v128.load(xr + (<usize>i << 2)), vm), vb);
      bad = v128.or(bad, f32x4.ne(z, z));
      v128.store(yr + (<usize>i << 2), z);
    }
    for (; i < cols; i++) {
      const z = (load<f32>(xr + (<usize>i << 2)) - m) * beta;
      if (z != z) badS = true;
      store<f32>(yr + (<usize>i << 2), z);
    }
  }
  return badS || v128.any_true(bad);
}

/** log sum_c exp(y[c] - v[c]) for one row; +Inf for an empty row (so P stays 0 there). */
function rowPotential(y: usize, v: usize, n: i32): f32 {
  let vmax = f32x4.splat(-Infinity);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    vmax = f32x4.pmax(vmax, f32x4.sub(v128.load(y + off), v128.load(v + off)));
  }
  let m = hmax4(vmax);
  for (; i < n; i++) {
    const t = load<f32>(y + (<usize>i << 2)) - load<f32>(v + (<usize>i << 2));
    if (t > m) m = t;
  }
  if (m == -Infinity) return Infinity;
  const vm = f32x4.splat(m);
  let sum: f64 = 0;
  for (i = 0; i + 4 <= n;) {
    let s = f32x4.splat(0);
    const end = min(n, i + 4 * FLUSH);
    for (; i + 4 <= end; i += 4) {
      const off = <usize>i << 2;
      s = f32x4.add(s, vexp(f32x4.sub(f32x4.sub(v128.load(y + off), v128.load(v + off)), vm), true));
    }
    sum += hsum4(s);
  }
  for (; i < n; i++) sum += <f64>sexp(load<f32>(y + (<usize>i << 2)) - load<f32>(v + (<usize>i << 2)) - m, true);
  return <f32>(<f64>m + Math.log(sum));
}

/** v[c] = log sum_r exp(y[r, c] - u[r]) - logTarget; +Inf for an empty column. */
function colPotentials(y: usize, u: usize, v: usize, cmax: usize, csum: usize, csum64: usize, rows: i32, cols: i32, logTarget: f64): void {
  fill(cmax, cols, -Infinity);
  for (let c = 0; c < cols; c++) store<f64>(csum64 + (<usize>c << 3), 0);
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>(r * cols) * 4, vu = f32x4.splat(load<f32>(u + (<usize>r << 2)));
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const off = <usize>c << 2;
      v128.store(cmax + off, f32x4.pmax(v128.load(cmax + off), f32x4.sub(v128.load(yr + off), vu)));
    }
    for (; c < cols; c++) {
      const off = <usize>c << 2, t = load<f32>(yr + off) - f32x4.extract_lane(vu, 0);
      if (t > load<f32>(cmax + off)) store<f32>(cmax + off, t);
    }
  }
  for (let r0 = 0; r0 < rows; r0 += FLUSH) {
    fill(csum, cols, 0);
    const r1 = min(rows, r0 + FLUSH);
    for (let r = r0; r < r1; r++) {
      const yr = y + <usize>(r * cols) * 4, vu = f32x4.splat(load<f32>(u + (<usize>r << 2)));
      let c = 0;
      for (; c + 4 <= cols; c += 4) {
        const off = <usize>c << 2;
        const t = f32x4.sub(f32x4.sub(v128.load(yr + off), vu), v128.load(cmax + off));
        v128.store(csum + off, f32x4.add(v128.load(csum + off), vexp(t, true)));
      }
      for (; c < cols; c++) {
        const off = <usize>c << 2;
        store<f32>(csum + off, load<f32>(csum + off) + sexp(load<f32>(yr + off) - f32x4.extract_lane(vu, 0) - load<f32>(cmax + off), true));
      }
    }
    for (let c = 0; c < cols; c++) {
      const p = csum64 + (<usize>c << 3);
      store<f64>(p, load<f64>(p) + <f64>load<f32>(csum + (<usize>c << 2)));
    }
  }
  for (let c = 0; c < cols; c++) {
    const m = load<f32>(cmax + (<usize>c << 2));
    const pot: f32 = m == -Infinity ? Infinity : <f32>(<f64>m + Math.log(load<f64>(csum64 + (<usize>c << 3))) - logTarget);
    store<f32>(v + (<usize>c << 2), pot);
  }
}

/** y = exp(y - u[r] - v[c]). */
function expOut(y: usize, u: usize, v: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const yr = y + <usize>(r * cols) * 4, ur = load<f32>(u + (<usize>r << 2)), vu = f32x4.splat(ur);
    let c = 0;
    for (; c + 4 <= cols; c += 4) {
      const off = <usize>c << 2;
      v128.store(yr + off, vexp(f32x4.sub(f32x4.sub(v128.load(yr + off), vu), v128.load(v + off))));
    }
    for (; c < cols; c++) {
      const off = <usize>c << 2;
      store<f32>(yr + off, sexp(load<f32>(yr + off) - ur - load<f32>(v + off)));
    }
  }
}

/**
 * `batch` matrices of [rows, cols]; `iters` alternating steps (rows first). tmp holds
 * rows * 4 + cols * 24 bytes (potentials, column max and sums), 16-byte aligned. y may be x.
 */
export function sinkhorn_f32(x: usize, y: usize, tmp: usize, batch: i32, rows: i32, cols: i32, beta: f32, iters: i32): void {
  const v = tmp, cmax = v + <usize>cols * 4, csum = cmax + <usize>cols * 4, csum64 = csum + <usize>cols * 4;
  const u = csum64 + <usize>cols * 8;
  const logTarget = Math.log(<f64>rows / <f64>cols);
  const size = <usize>rows * <usize>cols * 4;
  for (let b = 0; b < batch; b++) {
    const xb = x + <usize>b * size, yb = y + <usize>b * size;
    if (shifted(xb, yb, rows, cols, beta)) { fill(yb, rows * cols, NaN); continue; }
    fill(v, cols, 0);
    fill(u, rows, 0);
    for (let s = 0; s < iters; s++) {
      if (s & 1) colPotentials(yb, u, v, cmax, csum, csum64, rows, cols, logTarget);
      else for (let r = 0; r < rows; r++) store<f32>(u + (<usize>r << 2), rowPotential(yb + <usize>(r * cols) * 4, v, cols));
    }
    expOut(yb, u, v, rows, cols);
  }
}
