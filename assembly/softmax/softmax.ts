// The classic softmax family over the rows of a row-major [rows, cols] f32 matrix:
// softmax, log-softmax and log-sum-exp, with an inverse temperature beta > 0.
// Three passes per row (max, exp-and-sum, scale): measured faster than the online
// (two-pass) form at every row length in wasm, see research/assemblyscript.md.
//
// Edge semantics (shared with the JS tier, src/js/softmax.ts):
//   all -Inf row      -> softmax 0, logSoftmax -Inf, logSumExp -Inf
//   any NaN           -> NaN row (NaN for logSumExp)
//   +Inf entries      -> they share the mass equally, finite entries get 0
// Exponents are computed as exp((x - max) * beta) so no finite input overflows.
import { sexp } from '../simd/vexp';
import { expShifted, expShifted1, BLOCK, scratch } from '../simd/blocks';
import { hsum4, hmax4 } from '../simd/fma';

export const enum Out { Softmax = 0, LogSoftmax = 1, LogSumExp = 2 }

// @ts-ignore: decorator
@inline export function rowMax(x: usize, n: i32): f32 {
  let m0 = f32x4.splat(-Infinity), m1 = m0, m2 = m0, m3 = m0;
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = x + (<usize>i << 2);
    m0 = f32x4.pmax(m0, v128.load(p));
    m1 = f32x4.pmax(m1, v128.load(p, 16));
    m2 = f32x4.pmax(m2, v128.load(p, 32));
    m3 = f32x4.pmax(m3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) m0 = f32x4.pmax(m0, v128.load(x + (<usize>i << 2)));
  let m = hmax4(f32x4.pmax(f32x4.pmax(m0, m1), f32x4.pmax(m2, m3)));
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v > m) m = v;
  }
  return m;
}

/**
 * Sum of exp((x - m) * beta) over the row, each term also written to y, in blocks (expBlock)
 * whose f32 lane sums are flushed to f64. Temperature 1, the common case, skips the multiply.
 */
export function expSumStore(x: usize, y: usize, n: i32, m: f32, beta: f32): f64 {
  return beta == 1 ? expSumBlocks(x, y, n, m, 1, true, true) : expSumBlocks(x, y, n, m, beta, true, false);
}

/** The same sum without storing the terms (one loop for every temperature: it keeps the binary small). */
export function expSum(x: usize, n: i32, m: f32, beta: f32): f64 {
  return expSumBlocks(x, 0, n, m, beta, false, false);
}

// @ts-ignore: decorator
@inline function expSumBlocks(x: usize, y: usize, n: i32, m: f32, beta: f32, keep: bool, unscaled: bool): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i + 4 <= n) {
    const cnt = min(BLOCK, (n - i) & ~3), off = <usize>i << 2;
    const e = keep ? y + off : scratch;
    total += hsum4(unscaled ? expShifted1(x + off, e, cnt, m) : expShifted(x + off, e, cnt, m, beta));
    i += cnt;
  }
  let tail: f32 = 0;
  for (; i < n; i++) {
    const off = <usize>i << 2;
    const e = sexp((load<f32>(x + off) - m) * beta, true);
    if (keep) store<f32>(y + off, e);
    tail += e;
  }
  return total + <f64>tail;
}

/** y[i] = x[i] * s. */
// @ts-ignore: decorator
@inline export function scale(x: usize, y: usize, n: i32, s: f32): void {
  const vs = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.mul(v128.load(x + off), vs));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(x + off) * s);
  }
}

/** y[i] = (x[i] - m) * beta - c. */
// @ts-ignore: decorator
@inline function shift(x: usize, y: usize, n: i32, m: f32, beta: f32, c: f32): void {
  const vm = f32x4.splat(m), vb = f32x4.splat(beta), vc = f32x4.splat(c);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const off = <usize>i << 2;
    v128.store(y + off, f32x4.sub(f32x4.mul(f32x4.sub(v128.load(x + off), vm), vb), vc));
  }
  for (; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, (load<f32>(x + off) - m) * beta - c);
  }
}

/** Fill n floats with v. */
// @ts-ignore: decorator
@inline export function fill(y: usize, n: i32, v: f32): void {
  for (let i = 0; i < n; i++) store<f32>(y + (<usize>i << 2), v);
}

/** True if the row holds a NaN (only asked on the rare -Inf/+Inf max paths). */
export function hasNaN(x: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (v != v) return true;
  }
  return false;
}

/** Row whose max is +Inf: the +Inf entries share the mass. */
function infRow(x: usize, y: usize, n: i32, mode: Out): void {
  let count = 0;
  for (let i = 0; i < n; i++) if (load<f32>(x + (<usize>i << 2)) == Infinity) count++;
  const share: f32 = mode == Out.Softmax ? <f32>1 / <f32>count : -<f32>Math.log(<f64>count);
  const rest: f32 = mode == Out.Softmax ? 0 : -Infinity;
  for (let i = 0; i < n; i++) {
    const off = <usize>i << 2;
    store<f32>(y + off, load<f32>(x + off) == Infinity ? share : rest);
  }
}

/**
 * The shared edge rule of the normalizers for a row whose max is +-Inf: a NaN anywhere gives a
 * NaN row, all -Inf gives zeros, +Inf entries share the mass. Returns false (and writes
 * nothing) for a row with a finite max.
 */
export function edgeRow(xr: usize, yr: usize, n: i32, xmax: f32): bool {
  if (xmax != Infinity && xmax != -Infinity) return false;
  if (hasNaN(xr, n)) fill(yr, n, NaN);
  else if (xmax == -Infinity) fill(yr, n, 0);
  else infRow(xr, yr, n, Out.Softmax);
  return true;
}

/** edgeRow for log outputs: NaN row, all -Inf -> -Inf, +Inf entries -log(count), others -Inf. */
export function logEdgeRow(xr: usize, yr: usize, n: i32, xmax: f32): bool {
  if (xmax != Infinity && xmax != -Infinity) return false;
  if (hasNaN(xr, n)) fill(yr, n, NaN);
  else if (xmax == -Infinity) fill(yr, n, -Infinity);
  else infRow(xr, yr, n, Out.LogSoftmax);
  return true;
}

/**
 * One row of one of the three outputs; `mode` is a constant at every call site, so the
 * optimizer specializes it. For LogSumExp, yr receives one value.
 */
// @ts-ignore: decorator
@inline function softmaxRow(xr: usize, yr: usize, cols: i32, beta: f32, mode: Out): void {
  const n = mode == Out.LogSumExp ? 1 : cols;
  const m = rowMax(xr, cols);
  if (m == Infinity || m == -Infinity) {
    if (hasNaN(xr, cols)) fill(yr, n, NaN);
    else if (m == -Infinity) fill(yr, n, mode == Out.Softmax ? 0 : -Infinity);
    else if (mode == Out.LogSumExp) store<f32>(yr, Infinity);
    else infRow(xr, yr, cols, mode);
    return;
  }
  if (mode == Out.Softmax) {
    const sum = expSumStore(xr, yr, cols, m, beta);
    scale(yr, yr, cols, <f32>(1.0 / sum));
  } else {
    const lse = Math.log(expSum(xr, cols, m, beta));
    if (mode == Out.LogSoftmax) shift(xr, yr, cols, m, beta, <f32>lse);
    else store<f32>(yr, <f32>(<f64>m * <f64>beta + lse));
  }
}

/** The three-pass softmax of one row: the reference path, and where other algorithms send edge rows. */
export function softmaxRow3(xr: usize, yr: usize, cols: i32, beta: f32): void {
  softmaxRow(xr, yr, cols, beta, Out.Softmax);
}

// @ts-ignore: decorator
@inline function softmaxRows(x: usize, y: usize, rows: i32, cols: i32, beta: f32, mode: Out): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    softmaxRow(x + <usize>r * stride, mode == Out.LogSumExp ? y + (<usize>r << 2) : y + <usize>r * stride, cols, beta, mode);
  }
}

export function softmax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) softmaxRow3(x + <usize>r * stride, y + <usize>r * stride, cols, beta);
}

export function log_softmax_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  softmaxRows(x, y, rows, cols, beta, Out.LogSoftmax);
}

export function logsumexp_f32(x: usize, y: usize, rows: i32, cols: i32, beta: f32): void {
  softmaxRows(x, y, rows, cols, beta, Out.LogSumExp);
}

/**
 * y = x * beta + mask, the masked logits that softmax then normalizes with beta = 1.
 * kind 0: additive f32 mask; kind 1: boolean u8 mask (0 -> -Inf, else x * beta).
 * The mask has maskRows rows of `cols` and row r uses mask row r % maskRows (broadcast).
 */
export function mask_logits_f32(x: usize, mask: usize, y: usize, rows: i32, cols: i32, maskRows: i32, beta: f32, kind: i32): void {
  const vb = f32x4.splat(beta);
  const ninf = f32x4.splat(-Infinity);
  const stride = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * stride, yr = y + <usize>r * stride;
    const mr = r % maskRows;
    let i = 0;
    if (kind == 0) {
      const mp = mask + <usize>mr * stride;
      for (; i + 4 <= cols; i += 4) {
        const off = <usize>i << 2;
        v128.store(yr + off, f32x4.add(f32x4.mul(v128.load(xr + off), vb), v128.load(mp + off)));
      }
      for (; i < cols; i++) {
        const off = <usize>i << 2;
        store<f32>(yr + off, load<f32>(xr + off) * beta + load<f32>(mp + off));
      }
    } else {
      const mp = mask + <usize>mr * <usize>cols;
      for (; i + 4 <= cols; i += 4) {
        const off = <usize>i << 2;
        // widen 4 mask bytes to 4 lanes; a lane is kept where its byte is non-zero
        const keep = v128.not(i32x4.eq(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(mp + <usize>i))), i32x4.splat(0)));
        v128.store(yr + off, v128.bitselect(f32x4.mul(v128.load(xr + off), vb), ninf, keep));
      }
      for (; i < cols; i++) {
        const off = <usize>i << 2;
        store<f32>(yr + off, load<u8>(mp + <usize>i) != 0 ? load<f32>(xr + off) * beta : -Infinity);
      }
    }
  }
}
