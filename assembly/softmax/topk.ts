// Top-k per row, and the fused top-k softmax (Milakov & Gimelshein's Softmax+TopK: the
// probabilities of the k largest entries without writing the full softmax).
// Order: descending; ties keep the lower index first; NaN ranks above every number (as numpy's
// argmax and PyTorch's topk do), so a row with NaN reports it first.
import { expSum, fill } from './softmax';
import { hmax4 } from '../simd/fma';
import { sexp } from '../simd/vexp';

/** a ranks above b (b was seen earlier, so equal values do not move ahead). */
// @ts-ignore: decorator
@inline function above(a: f32, b: f32): bool {
  return a > b || (a != a && b == b);
}

/** Insert (v, i) into the sorted k-buffer holding `len` entries; returns the new length. */
// @ts-ignore: decorator
@inline function insert(vals: usize, idx: usize, len: i32, k: i32, v: f32, i: i32): i32 {
  let j = len < k ? len : k - 1;            // slot to fill; when full, the last one drops out
  if (len == k && !above(v, load<f32>(vals + (<usize>j << 2)))) return len;
  while (j > 0 && above(v, load<f32>(vals + (<usize>(j - 1) << 2)))) {
    store<f32>(vals + (<usize>j << 2), load<f32>(vals + (<usize>(j - 1) << 2)));
    store<i32>(idx + (<usize>j << 2), load<i32>(idx + (<usize>(j - 1) << 2)));
    j--;
  }
  store<f32>(vals + (<usize>j << 2), v);
  store<i32>(idx + (<usize>j << 2), i);
  return len < k ? len + 1 : k;
}

/**
 * A lower bound of the row's k-th largest value: the k-th largest of the maxima of its 16-element
 * blocks (k blocks each hold an entry >= it), kept sorted in buf (k floats, scratch). -Inf when
 * the row has too few blocks for it to pay.
 */
function floorOfKth(x: usize, n: i32, k: i32, buf: usize): f32 {
  const blocks = n >> 4;
  if (blocks < 4 * k) return -Infinity;
  fill(buf, k, -Infinity);
  for (let b = 0; b < blocks; b++) {
    const p = x + (<usize>b << 6);
    const m = hmax4(f32x4.pmax(f32x4.pmax(v128.load(p), v128.load(p, 16)), f32x4.pmax(v128.load(p, 32), v128.load(p, 48))));
    let j = k - 1;
    if (!(m > load<f32>(buf + (<usize>j << 2)))) continue;
    while (j > 0 && m > load<f32>(buf + (<usize>(j - 1) << 2))) {
      store<f32>(buf + (<usize>j << 2), load<f32>(buf + (<usize>(j - 1) << 2)));
      j--;
    }
    store<f32>(buf + (<usize>j << 2), m);
  }
  return load<f32>(buf + (<usize>(k - 1) << 2));
}

/** The k largest of one row into vals/idx (sorted). */
function topkRow(x: usize, vals: usize, idx: usize, n: i32, k: i32): void {
  const floor = floorOfKth(x, n, k, vals); // (vals is free until the buffer fills below)
  let len = 0, i = 0;
  for (; i < k; i++) len = insert(vals, idx, len, k, load<f32>(x + (<usize>i << 2)), i);
  // Once the buffer is full, 16 elements at a time are skipped when all are <= the k-th value
  // or all < floor, a lower bound of the final k-th value (entries equal to it may still tie in)
  // that skips most of a row long before the buffer's k-th value rises to it. A NaN lane
  // compares false, so it is looked at.
  let thr = load<f32>(vals + (<usize>(k - 1) << 2));
  for (; i + 16 <= n; i += 16) {
    if (thr != thr) return; // k NaNs already: nothing later ranks above them
    const byFloor = floor > thr;
    const t = f32x4.splat(byFloor ? floor : thr), p = x + (<usize>i << 2);
    const le = byFloor
      ? v128.and(v128.and(f32x4.lt(v128.load(p), t), f32x4.lt(v128.load(p, 16), t)),
                 v128.and(f32x4.lt(v128.load(p, 32), t), f32x4.lt(v128.load(p, 48), t)))
      : v128.and(v128.and(f32x4.le(v128.load(p), t), f32x4.le(v128.load(p, 16), t)),
                 v128.and(f32x4.le(v128.load(p, 32), t), f32x4.le(v128.load(p, 48), t)));
    if (i32x4.all_true(le)) continue;
    // visit only the lanes that may enter (a superset: insert() checks again)
    for (let q = 0; q < 4; q++) {
      const pq = p + (<usize>q << 4), v = v128.load(pq);
      let bits = i32x4.bitmask(v128.not(byFloor ? f32x4.lt(v, t) : f32x4.le(v, t)));
      while (bits) {
        const j = ctz(bits);
        insert(vals, idx, k, k, load<f32>(pq + (<usize>j << 2)), i + (q << 2) + j);
        bits &= bits - 1;
      }
    }
    thr = load<f32>(vals + (<usize>(k - 1) << 2));
  }
  for (; i < n; i++) insert(vals, idx, k, k, load<f32>(x + (<usize>i << 2)), i);
}

/** vals/idx: rows * k outputs, each row sorted descending. Requires 1 <= k <= cols. */
export function topk_f32(x: usize, vals: usize, idx: usize, rows: i32, cols: i32, k: i32): void {
  for (let r = 0; r < rows; r++) {
    topkRow(x + (<usize>r * <usize>cols << 2), vals + (<usize>r * <usize>k << 2), idx + (<usize>r * <usize>k << 2), cols, k);
  }
}

/**
 * Top-k of each row, with vals replaced by softmax probabilities: over the whole row, or over
 * the k selected logits when `renorm` (the mixture-of-experts gate). beta = 1 / temperature.
 * Edges as softmax: all -Inf -> 0, NaN -> NaN, +Inf entries share the mass.
 */
export function topk_softmax_f32(x: usize, vals: usize, idx: usize, rows: i32, cols: i32, k: i32, beta: f32, renorm: bool): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>r * <usize>cols << 2), vr = vals + (<usize>r * <usize>k << 2);
    topkRow(xr, vr, idx + (<usize>r * <usize>k << 2), cols, k);
    const m = load<f32>(vr); // the top-1 value is the max
    const n = renorm ? k : cols, src = renorm ? vr : xr;
    if (m != m) { fill(vr, k, NaN); continue; }
    if (m == -Infinity) { fill(vr, k, 0); continue; }
    if (m == Infinity) {
      // (no NaN here: NaN would rank first)
      let count = 0;
      for (let i = 0; i < n; i++) if (load<f32>(src + (<usize>i << 2)) == Infinity) count++;
      for (let i = 0; i < k; i++) {
        const p = vr + (<usize>i << 2);
        store<f32>(p, load<f32>(p) == Infinity ? <f32>1 / <f32>count : 0);
      }
      continue;
    }
    const inv = <f32>(1.0 / expSum(src, n, m, beta));
    for (let i = 0; i < k; i++) {
      const p = vr + (<usize>i << 2);
      store<f32>(p, sexp((load<f32>(p) - m) * beta, true) * inv);
    }
  }
}
