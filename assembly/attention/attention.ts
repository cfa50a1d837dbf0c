// Scaled dot-product attention, flash style: keys are visited in tiles of TILE with an online
// softmax (running max, rescaled sum and output accumulator), so memory is O(TILE + headDim)
// per query, never O(seqQ x seqK). The G = heads / kvHeads query heads that share a kv head are
// processed together at each query position, so every K and V row is read once per position
// (decode with grouped-query attention streams the cache once).
// Score of query i, key j: s = softcap(scale q.k) + alibi + bias + mask, with keys outside
// the visible range (causal, window, kvLengths) skipped. A query whose keys are all masked gets
// zeros and log-sum-exp -Inf. The parameters come as one struct (see P below) so the ABI stays
// one pointer; src/ops/attention.ts writes it.
import { vexp } from '../simd/vexp';
import { fma4, hsum4, hmax4 } from '../simd/fma';
import { softmaxRow3 } from '../softmax/softmax';
import { softpick_f32 } from '../softmax/softpick';
import { relu_norm_f32, sigmoid_norm_f32 } from '../softmax/pointwise';
import { softplus_norm_f32 } from '../softmax/softplus';
import { stablemax_f32 } from '../softmax/stablemax';
import { sparsemax_f32 } from '../softmax/sparsemax';
import { entmax15_f32 } from '../softmax/entmax15';

// @ts-ignore: decorator
@inline const TILE: i32 = 64;

/** Struct slots (i32 or f32, 4 bytes each). Strides are in elements. */
export const enum P {
  Q = 0, K, V, Out, Lse, Scratch,
  Batch, Heads, KvHeads, SeqQ, SeqK, HeadDim,
  QB, QH, QS, KB, KH, KS, VB, VH, VS, OB, OH, OS,
  Scale, Causal, Offset, Window, Softcap, Alibi, KvLengths,
  Mask, MaskB, MaskH, MaskQ, Bias, BiasB, BiasH, BiasQ,
  Ring, RingStart, // a ring-buffer KV cache: key j lives in slot (RingStart + j) % Ring (Ring 0: slot j)
  Fox, // f64 cumulative log forget gates [batch, heads, seqK] (Forgetting Transformer), or 0
  KScale, VScale, // an int8 cache: K and V are i8 (strides in bytes), f32 scales [batch, kvHeads, ScaleSlots]
  ScaleSlots,
  Count,
}

// @ts-ignore: decorator
@inline function gi(p: usize, slot: P): i32 { return load<i32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline function gf(p: usize, slot: P): f32 { return load<f32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline function gp(p: usize, slot: P): usize { return <usize>load<u32>(p + (<usize>slot << 2)); }

/** a . b over n floats. */
function dot(a: usize, b: usize, n: i32): f32 {
  let s0 = f32x4.splat(0), s1 = s0;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    s0 = fma4(v128.load(a + o), v128.load(b + o), s0);
    s1 = fma4(v128.load(a + o, 16), v128.load(b + o, 16), s1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    s0 = fma4(v128.load(a + o), v128.load(b + o), s0);
  }
  let s = <f32>hsum4(f32x4.add(s0, s1));
  for (; i < n; i++) s += load<f32>(a + (<usize>i << 2)) * load<f32>(b + (<usize>i << 2));
  return s;
}

/**
 * sr[jj] = q . k_jj * scale for the n keys at k (row stride ks floats), four keys at a time: four
 * vector accumulators, then one transpose-add gives the four sums in one vector.
 */
function scores(q: usize, k: usize, ks: i32, n: i32, d: i32, scale: f32, sr: usize): void {
  const d4 = d & ~3, stride = <usize>ks << 2;
  let jj = 0;
  for (; jj + 4 <= n; jj += 4) {
    const k0 = k + <usize>jj * stride, k1 = k0 + stride, k2 = k1 + stride, k3 = k2 + stride;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let c = 0; c < d4; c += 4) {
      const o = <usize>c << 2, qv = v128.load(q + o);
      a0 = fma4(qv, v128.load(k0 + o), a0);
      a1 = fma4(qv, v128.load(k1 + o), a1);
      a2 = fma4(qv, v128.load(k2 + o), a2);
      a3 = fma4(qv, v128.load(k3 + o), a3);
    }
    let s = sum4x4(a0, a1, a2, a3);
    for (let c = d4; c < d; c++) { // head sizes that are not a multiple of 4
      const o = <usize>c << 2, qc = f32x4.splat(load<f32>(q + o));
      s = fma4(qc, f32x4(load<f32>(k0 + o), load<f32>(k1 + o), load<f32>(k2 + o), load<f32>(k3 + o)), s);
    }
    v128.store(sr + (<usize>jj << 2), f32x4.mul(s, f32x4.splat(scale)));
  }
  for (; jj < n; jj++) store<f32>(sr + (<usize>jj << 2), dot(q, k + <usize>jj * stride, d) * scale);
}

/** cap * tanh(s / cap) lane-wise: tanh(x) = 1 - 2 / (e^2x + 1) on |x|, sign restored. */
// @ts-ignore: decorator
@inline function softcap4(s: v128, cap: v128, inv: v128): v128 {
  const x = f32x4.mul(f32x4.abs(s), inv);
  const e = vexp(f32x4.add(x, x));
  const t = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  return v128.or(f32x4.mul(t, cap), v128.and(s, i32x4.splat(0x80000000))); // |result| keeps s's sign
}

/**
 * Queries are processed in blocks of up to ROWS rows, a row being one (position, head) pair of
 * a kv group (rows t = i * G + r in order), so the register-blocked kernels below read each K
 * and V row of a tile once for four rows: four positions with MHA, four heads of a position with
 * GQA. Scratch: ROWS * headDim accumulators, ROWS * TILE scores, then per row its running max,
 * sum and the Row fields.
 */
// @ts-ignore: decorator
@inline const ROWS: i32 = 4;

/** Per-row fields in scratch: its visible keys [Lo, Hi), its q row, its rescale factor this tile (-1: none). */
const enum Row { Lo = 0, Hi, Q, F, Count }

// @ts-ignore: decorator
@inline function rowAt(meta: usize, r: i32, f: Row): usize { return meta + (<usize>(r * Row.Count + f) << 2); }

/** One block of nr rows of batch b and kv head kvh, starting at row `first` of the group's seqQ * g rows. */
function rowBlock(p: usize, b: i32, kvh: i32, g: i32, first: i32, nr: i32): void {
  const d = gi(p, P.HeadDim), seqK = gi(p, P.SeqK);
  const scr = gp(p, P.Scratch);
  const acc = scr, sc = acc + <usize>(ROWS * d) * 4, mx = sc + <usize>(ROWS * TILE) * 4, sm = mx + <usize>ROWS * 4;
  const meta = sm + <usize>ROWS * 4;
  const q = gp(p, P.Q), lens = gp(p, P.KvLengths), w = gi(p, P.Window);
  // each row's visible keys (causal, sliding window, padding); the block visits their union [lo, hi)
  let lo = seqK, hi = 0;
  for (let r = 0; r < nr; r++) {
    const t = first + r, i = t / g, h = kvh * g + t % g, pos = i + gi(p, P.Offset);
    let j1 = seqK, j0 = 0;
    if (lens) j1 = min(j1, load<i32>(lens + (<usize>b << 2)));
    if (gi(p, P.Causal)) j1 = min(j1, pos + 1);
    if (w > 0) j0 = max(0, pos - w + 1);
    if (j0 < j1) { lo = min(lo, j0); hi = max(hi, j1); }
    store<i32>(rowAt(meta, r, Row.Lo), j0);
    store<i32>(rowAt(meta, r, Row.Hi), j1);
    store<u32>(rowAt(meta, r, Row.Q), <u32>(q + <usize>(b * gi(p, P.QB) + h * gi(p, P.QH) + i * gi(p, P.QS)) * 4));
    store<f32>(mx + (<usize>r << 2), -Infinity);
    store<f32>(sm + (<usize>r << 2), 0);
    const a = acc + <usize>(r * d) * 4;
    for (let c = 0; c < d; c++) store<f32>(a + (<usize>c << 2), 0);
  }
  const ksc = gp(p, P.KScale), i8 = ksc != 0, esz: usize = i8 ? 1 : 4; // element size of K and V
  const k = gp(p, P.K) + <usize>(b * gi(p, P.KB) + kvh * gi(p, P.KH)) * esz;
  const v = gp(p, P.V) + <usize>(b * gi(p, P.VB) + kvh * gi(p, P.VH)) * esz;
  const sco = <usize>((b * gi(p, P.KvHeads) + kvh) * gi(p, P.ScaleSlots)) << 2; // this head's scales
  const ks = gi(p, P.KS), vs = gi(p, P.VS), scale = gf(p, P.Scale), cap = gf(p, P.Softcap);
  const alibi = gp(p, P.Alibi), mask = gp(p, P.Mask), bias = gp(p, P.Bias);
  const ring = gi(p, P.Ring), start = gi(p, P.RingStart);
  // four f32 rows: scores and P.V of the block at once (int8 rows and smaller blocks go row by row)
  const blocked = nr == ROWS && !i8;
  for (let t0 = lo, n = 0; t0 < hi; t0 += n) {
    n = min(TILE, hi - t0);
    let slot = t0;
    if (ring) { slot = (start + t0) % ring; n = min(n, ring - slot); } // a tile never wraps
    const kt = k + <usize>(slot * ks) * esz, vt = v + <usize>(slot * vs) * esz;
    const kst = ksc + sco + (<usize>slot << 2), vst = gp(p, P.VScale) + sco + (<usize>slot << 2);
    if (blocked) {
      scores4(load<u32>(rowAt(meta, 0, Row.Q)), load<u32>(rowAt(meta, 1, Row.Q)), load<u32>(rowAt(meta, 2, Row.Q)),
        load<u32>(rowAt(meta, 3, Row.Q)), kt, ks, n, d, scale, sc);
    }
    // per row: its part [a, e) of the tile, extras, online softmax (new max, rescale, exponentiate in place)
    for (let r = 0; r < nr; r++) {
      store<f32>(rowAt(meta, r, Row.F), -1);
      const a = max(load<i32>(rowAt(meta, r, Row.Lo)) - t0, 0), e = min(load<i32>(rowAt(meta, r, Row.Hi)) - t0, n);
      if (a >= e) continue; // nothing visible in this tile for this row
      const t = first + r, i = t / g, h = kvh * g + t % g, qr = <usize>load<u32>(rowAt(meta, r, Row.Q));
      const sr = sc + <usize>(r * TILE + a) * 4, m0 = e - a;
      if (!blocked) {
        if (i8) scores8(qr, kt + <usize>(a * ks), ks, kst + (<usize>a << 2), m0, d, scale, sr);
        else scores(qr, kt + <usize>(a * ks) * 4, ks, m0, d, scale, sr);
      }
      adjust(sr, m0, t0 + a, i + gi(p, P.Offset), b, h, i, cap, alibi, mask, bias, p);
      const tmax = tileMax(sr, m0);
      if (tmax == -Infinity) continue;
      const old = load<f32>(mx + (<usize>r << 2)), m = max(old, tmax);
      const f: f32 = old == -Infinity ? 0 : f32x4.extract_lane(vexp(f32x4.splat(old - m), true), 0);
      store<f32>(mx + (<usize>r << 2), m);
      store<f32>(rowAt(meta, r, Row.F), f);
      store<f32>(sm + (<usize>r << 2), load<f32>(sm + (<usize>r << 2)) * f + expTile(sr, m0, m));
      // acc = acc * f + p V over the tile (its V rows stay in L1 for the next row)
      if (!blocked) {
        const ar = acc + <usize>(r * d) * 4;
        if (i8) accumulate8(ar, f, sr, vst + (<usize>a << 2), vt + <usize>(a * vs), vs, m0, d);
        else accumulate(ar, f, sr, vt + <usize>(a * vs) * 4, vs, m0, d);
      }
    }
    if (blocked) accumulateBlock(acc, sc, meta, vt, vs, t0, n, d, mask == 0 && bias == 0);
  }
  // out = acc / sum; lse = max + log(sum)
  const out = gp(p, P.Out), lse = gp(p, P.Lse);
  for (let r = 0; r < nr; r++) {
    const t = first + r, i = t / g, h = kvh * g + t % g, s = load<f32>(sm + (<usize>r << 2));
    const inv: f32 = s > 0 ? 1 / s : 0;
    const o = out + <usize>(b * gi(p, P.OB) + h * gi(p, P.OH) + i * gi(p, P.OS)) * 4, a = acc + <usize>(r * d) * 4;
    for (let c = 0; c < d; c++) store<f32>(o + (<usize>c << 2), load<f32>(a + (<usize>c << 2)) * inv);
    if (lse) {
      const l = s > 0 ? <f32>(<f64>load<f32>(mx + (<usize>r << 2)) + Math.log(<f64>s)) : -Infinity;
      store<f32>(lse + <usize>((b * gi(p, P.Heads) + h) * gi(p, P.SeqQ) + i) * 4, l);
    }
  }
}

/**
 * P.V of a tile for a block of ROWS f32 rows. The keys every row sees go through accumulate4 (four
 * rows per V load); the few on the causal or window diagonal that only some rows see, and every
 * key when `plain` is false, go row by row, where zero weights are skipped: a masked key's
 * weight 0 must not meet a NaN or Inf in its V row (0 * Inf is NaN).
 */
function accumulateBlock(acc: usize, sc: usize, meta: usize, vt: usize, vs: i32, t0: i32, n: i32, d: i32, plain: bool): void {
  let ca = 0, ce = n, all = plain; // [ca, ce): the keys of the tile all rows see
  for (let r = 0; r < ROWS; r++) {
    ca = max(ca, load<i32>(rowAt(meta, r, Row.Lo)) - t0);
    ce = min(ce, load<i32>(rowAt(meta, r, Row.Hi)) - t0);
    all = all && load<f32>(rowAt(meta, r, Row.F)) >= 0;
  }
  if (!all || ca >= ce) { ca = 0; ce = 0; }
  else {
    const f = f32x4(load<f32>(rowAt(meta, 0, Row.F)), load<f32>(rowAt(meta, 1, Row.F)), load<f32>(rowAt(meta, 2, Row.F)), load<f32>(rowAt(meta, 3, Row.F)));
    accumulate4(acc, d, f, sc + (<usize>ca << 2), vt + <usize>(ca * vs) * 4, vs, ce - ca);
  }
  for (let r = 0; r < ROWS; r++) {
    const f = load<f32>(rowAt(meta, r, Row.F));
    if (f < 0) continue; // this row saw nothing in the tile
    const a = max(load<i32>(rowAt(meta, r, Row.Lo)) - t0, 0), e = min(load<i32>(rowAt(meta, r, Row.Hi)) - t0, n);
    const ar = acc + <usize>(r * d) * 4, sr = sc + <usize>(r * TILE) * 4;
    if (ca >= ce) accumulate(ar, f, sr + (<usize>a << 2), vt + <usize>(a * vs) * 4, vs, e - a, d);
    else { // acc is rescaled already
      if (a < ca) accumulate(ar, 1, sr + (<usize>a << 2), vt + <usize>(a * vs) * 4, vs, ca - a, d);
      if (ce < e) accumulate(ar, 1, sr + (<usize>ce << 2), vt + <usize>(ce * vs) * 4, vs, e - ce, d);
    }
  }
}

/** [sum of a0's lanes, of a1's, of a2's, of a3's]: a 4x4 transpose-add. */
// @ts-ignore: decorator
@inline function sum4x4(a0: v128, a1: v128, a2: v128, a3: v128): v128 {
  const t0 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
  const t1 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
  return f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
}

/**
 * Scores of four query rows (q0 .. q3) against the n keys at k, two keys at a time: eight vector
 * accumulators, so each K load serves four rows and each q load two keys. Row r of the scores
 * goes to sc + r * TILE floats.
 */
function scores4(q0: usize, q1: usize, q2: usize, q3: usize, k: usize, ks: i32, n: i32, d: i32, scale: f32, sc: usize): void {
  const d4 = d & ~3, stride = <usize>ks << 2, vscale = f32x4.splat(scale);
  let jj = 0;
  for (; jj + 2 <= n; jj += 2) {
    const k0 = k + <usize>jj * stride, k1 = k0 + stride;
    let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (let c = 0; c < d4; c += 4) {
      const o = <usize>c << 2, x0 = v128.load(k0 + o), x1 = v128.load(k1 + o);
      let qv = v128.load(q0 + o);
      a00 = fma4(qv, x0, a00); a01 = fma4(qv, x1, a01);
      qv = v128.load(q1 + o);
      a10 = fma4(qv, x0, a10); a11 = fma4(qv, x1, a11);
      qv = v128.load(q2 + o);
      a20 = fma4(qv, x0, a20); a21 = fma4(qv, x1, a21);
      qv = v128.load(q3 + o);
      a30 = fma4(qv, x0, a30); a31 = fma4(qv, x1, a31);
    }
    let s01 = sum4x4(a00, a01, a10, a11), s23 = sum4x4(a20, a21, a30, a31); // [row r key 0, row r key 1, ...]
    for (let c = d4; c < d; c++) { // head sizes that are not a multiple of 4
      const o = <usize>c << 2, kk = f32x4(load<f32>(k0 + o), load<f32>(k1 + o), load<f32>(k0 + o), load<f32>(k1 + o));
      s01 = fma4(f32x4(load<f32>(q0 + o), load<f32>(q0 + o), load<f32>(q1 + o), load<f32>(q1 + o)), kk, s01);
      s23 = fma4(f32x4(load<f32>(q2 + o), load<f32>(q2 + o), load<f32>(q3 + o), load<f32>(q3 + o)), kk, s23);
    }
    s01 = f32x4.mul(s01, vscale); s23 = f32x4.mul(s23, vscale);
    const o = sc + (<usize>jj << 2);
    v128.store64_lane(o, s01, 0); v128.store64_lane(o, s01, 1, TILE * 4);
    v128.store64_lane(o, s23, 0, TILE * 8); v128.store64_lane(o, s23, 1, TILE * 12);
  }
  if (jj < n) { // an odd last key
    const kr = k + <usize>jj * stride, o = sc + (<usize>jj << 2);
    store<f32>(o, dot(q0, kr, d) * scale); store<f32>(o, dot(q1, kr, d) * scale, TILE * 4);
    store<f32>(o, dot(q2, kr, d) * scale, TILE * 8); store<f32>(o, dot(q3, kr, d) * scale, TILE * 12);
  }
}

/**
 * acc_r = acc_r * f[r] + sum_jj p_r[jj] v_jj for four rows r at once (acc row stride d, weights
 * row stride TILE) over the n keys at v: eight output columns of the four rows stay in registers
 * across the keys, so each V load serves four rows. No weight is skipped.
 */
function accumulate4(acc: usize, d: i32, f: v128, p: usize, v: usize, vs: i32, n: i32): void {
  const f0 = i32x4.shuffle(f, f, 0, 0, 0, 0), f1 = i32x4.shuffle(f, f, 1, 1, 1, 1);
  const f2 = i32x4.shuffle(f, f, 2, 2, 2, 2), f3 = i32x4.shuffle(f, f, 3, 3, 3, 3);
  const ra = <usize>d << 2, vstride = <usize>vs << 2;
  let c = 0;
  for (; c + 8 <= d; c += 8) {
    const a0 = acc + (<usize>c << 2), a1 = a0 + ra, a2 = a1 + ra, a3 = a2 + ra;
    let x00 = f32x4.mul(v128.load(a0), f0), x01 = f32x4.mul(v128.load(a0, 16), f0);
    let x10 = f32x4.mul(v128.load(a1), f1), x11 = f32x4.mul(v128.load(a1, 16), f1);
    let x20 = f32x4.mul(v128.load(a2), f2), x21 = f32x4.mul(v128.load(a2, 16), f2);
    let x30 = f32x4.mul(v128.load(a3), f3), x31 = f32x4.mul(v128.load(a3, 16), f3);
    let vr = v + (<usize>c << 2), pr = p;
    for (let jj = 0; jj < n; jj++, vr += vstride, pr += 4) {
      const v0 = v128.load(vr), v1 = v128.load(vr, 16);
      let w = v128.load32_splat(pr);
      x00 = fma4(w, v0, x00); x01 = fma4(w, v1, x01);
      w = v128.load32_splat(pr, TILE * 4);
      x10 = fma4(w, v0, x10); x11 = fma4(w, v1, x11);
      w = v128.load32_splat(pr, TILE * 8);
      x20 = fma4(w, v0, x20); x21 = fma4(w, v1, x21);
      w = v128.load32_splat(pr, TILE * 12);
      x30 = fma4(w, v0, x30); x31 = fma4(w, v1, x31);
    }
    v128.store(a0, x00); v128.store(a0, x01, 16); v128.store(a1, x10); v128.store(a1, x11, 16);
    v128.store(a2, x20); v128.store(a2, x21, 16); v128.store(a3, x30); v128.store(a3, x31, 16);
  }
  for (; c < d; c++) { // head sizes that are not a multiple of 8: a column at a time, as four lanes
    const a = acc + (<usize>c << 2);
    let x = f32x4.mul(f32x4(load<f32>(a), load<f32>(a + ra), load<f32>(a + 2 * ra), load<f32>(a + 3 * ra)), f);
    let vr = v + (<usize>c << 2), pr = p;
    for (let jj = 0; jj < n; jj++, vr += vstride, pr += 4) {
      const wv = f32x4(load<f32>(pr), load<f32>(pr, TILE * 4), load<f32>(pr, TILE * 8), load<f32>(pr, TILE * 12));
      x = fma4(wv, v128.load32_splat(vr), x);
    }
    store<f32>(a, f32x4.extract_lane(x, 0)); store<f32>(a + ra, f32x4.extract_lane(x, 1));
    store<f32>(a + 2 * ra, f32x4.extract_lane(x, 2)); store<f32>(a + 3 * ra, f32x4.extract_lane(x, 3));
  }
}

/** Four f32x4 of the 16 int8 at p. */
// @ts-ignore: decorator
@inline function widen(raw: v128, part: i32): v128 {
  const h = part < 2 ? i16x8.extend_low_i8x16_s(raw) : i16x8.extend_high_i8x16_s(raw);
  return f32x4.convert_i32x4_s((part & 1) ? i32x4.extend_high_i16x8_s(h) : i32x4.extend_low_i16x8_s(h));
}

/** Scores against an int8 K: sr[jj] = (q . k8_jj) * kscale[jj] * scale, dequantized in registers. */
function scores8(q: usize, k: usize, ks: i32, ksc: usize, n: i32, d: i32, scale: f32, sr: usize): void {
  for (let jj = 0; jj < n; jj++) {
    const kr = k + <usize>(jj * ks);
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let c = 0;
    for (; c + 16 <= d; c += 16) {
      const raw = v128.load(kr + <usize>c), qo = q + (<usize>c << 2);
      a0 = fma4(v128.load(qo), widen(raw, 0), a0);
      a1 = fma4(v128.load(qo, 16), widen(raw, 1), a1);
      a2 = fma4(v128.load(qo, 32), widen(raw, 2), a2);
      a3 = fma4(v128.load(qo, 48), widen(raw, 3), a3);
    }
    let s = <f32>hsum4(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)));
    for (; c < d; c++) s += load<f32>(q + (<usize>c << 2)) * <f32>load<i8>(kr + <usize>c);
    store<f32>(sr + (<usize>jj << 2), s * (load<f32>(ksc + (<usize>jj << 2)) * scale));
  }
}

/**
 * acc = acc * f + sum_jj p[jj] v_jj over the n keys at v (row stride vs elements), 16 output
 * floats at a time held in registers across the keys; zero weights (masked keys) are skipped.
 * `int8` (a compile-time constant): V rows are int8 with one scale each (vsc), widened in registers.
 */
// @ts-ignore: decorator
@inline function accumulateT(acc: usize, f: f32, p: usize, vsc: usize, v: usize, vs: i32, n: i32, d: i32, int8: bool): void {
  const vf = f32x4.splat(f), esz: usize = int8 ? 1 : 4;
  let c = 0;
  for (; c + 16 <= d; c += 16) {
    const o = <usize>c << 2;
    let a0 = f32x4.mul(v128.load(acc + o), vf), a1 = f32x4.mul(v128.load(acc + o, 16), vf);
    let a2 = f32x4.mul(v128.load(acc + o, 32), vf), a3 = f32x4.mul(v128.load(acc + o, 48), vf);
    for (let jj = 0; jj < n; jj++) {
      const w = int8 ? load<f32>(p + (<usize>jj << 2)) * load<f32>(vsc + (<usize>jj << 2)) : load<f32>(p + (<usize>jj << 2));
      if (w == 0) continue;
      const vw = f32x4.splat(w), r = v + <usize>(jj * vs + c) * esz;
      const raw = int8 ? v128.load(r) : i32x4.splat(0);
      a0 = fma4(vw, int8 ? widen(raw, 0) : v128.load(r), a0);
      a1 = fma4(vw, int8 ? widen(raw, 1) : v128.load(r, 16), a1);
      a2 = fma4(vw, int8 ? widen(raw, 2) : v128.load(r, 32), a2);
      a3 = fma4(vw, int8 ? widen(raw, 3) : v128.load(r, 48), a3);
    }
    v128.store(acc + o, a0); v128.store(acc + o, a1, 16); v128.store(acc + o, a2, 32); v128.store(acc + o, a3, 48);
  }
  for (; c < d; c++) { // head sizes that are not a multiple of 16
    const o = <usize>c << 2;
    let a = load<f32>(acc + o) * f;
    for (let jj = 0; jj < n; jj++) {
      const w = int8 ? load<f32>(p + (<usize>jj << 2)) * load<f32>(vsc + (<usize>jj << 2)) : load<f32>(p + (<usize>jj << 2));
      if (w == 0) continue; // a masked key's weight: never 0 * a NaN or Inf in V
      const x = int8 ? <f32>load<i8>(v + <usize>(jj * vs + c)) : load<f32>(v + (<usize>(jj * vs + c) << 2));
      a += w * x;
    }
    store<f32>(acc + o, a);
  }
}

function accumulate(acc: usize, f: f32, p: usize, v: usize, vs: i32, n: i32, d: i32): void {
  accumulateT(acc, f, p, 0, v, vs, n, d, false);
}

function accumulate8(acc: usize, f: f32, p: usize, vsc: usize, v: usize, vs: i32, n: i32, d: i32): void {
  accumulateT(acc, f, p, vsc, v, vs, n, d, true);
}

/** Softcap, ALiBi, bias and mask on the n scores of keys t0 .. t0 + n - 1. */
function adjust(sr: usize, n: i32, t0: i32, pos: i32, b: i32, h: i32, i: i32, cap: f32, alibi: usize, mask: usize, bias: usize, p: usize): void {
  if (cap > 0) {
    const vc = f32x4.splat(cap), vi = f32x4.splat(1 / cap);
    let jj = 0;
    for (; jj + 4 <= n; jj += 4) v128.store(sr + (<usize>jj << 2), softcap4(v128.load(sr + (<usize>jj << 2)), vc, vi));
    for (; jj < n; jj++) store<f32>(sr + (<usize>jj << 2), f32x4.extract_lane(softcap4(f32x4.splat(load<f32>(sr + (<usize>jj << 2))), vc, vi), 0));
  }
  if (alibi) { // slope * (j - pos): 0 at the query's own position, more negative further back
    const slope = load<f32>(alibi + (<usize>h << 2));
    for (let jj = 0; jj < n; jj++) {
      const o = sr + (<usize>jj << 2);
      store<f32>(o, load<f32>(o) + slope * <f32>(t0 + jj - pos));
    }
  }
  const fox = gp(p, P.Fox);
  if (fox) { // FoX: + sum of log f over (j, pos] = C[pos] - C[j], differenced in f64
    const cf = fox + (<usize>(b * gi(p, P.Heads) + h) * <usize>gi(p, P.SeqK) << 3), cp = load<f64>(cf + (<usize>pos << 3));
    for (let jj = 0; jj < n; jj++) {
      const o = sr + (<usize>jj << 2);
      store<f32>(o, load<f32>(o) + <f32>(cp - load<f64>(cf + (<usize>(t0 + jj) << 3))));
    }
  }
  if (bias) {
    const br = bias + <usize>(b * gi(p, P.BiasB) + h * gi(p, P.BiasH) + i * gi(p, P.BiasQ) + t0) * 4;
    for (let jj = 0; jj < n; jj++) {
      const o = sr + (<usize>jj << 2);
      store<f32>(o, load<f32>(o) + load<f32>(br + (<usize>jj << 2)));
    }
  }
  if (mask) {
    const mr = mask + <usize>(b * gi(p, P.MaskB) + h * gi(p, P.MaskH) + i * gi(p, P.MaskQ) + t0);
    for (let jj = 0; jj < n; jj++) if (!load<u8>(mr + <usize>jj)) store<f32>(sr + (<usize>jj << 2), -Infinity);
  }
}

function tileMax(s: usize, n: i32): f32 {
  // pmax is one instruction on x86, wasm's NaN-propagating max about eight (measured: 1.4 ms of a
  // 10 ms causal prefill): NaN lanes are collected apart and win at the end
  let m = f32x4.splat(-Infinity), nan = i32x4.splat(0);
  let jj = 0;
  for (; jj + 4 <= n; jj += 4) {
    const v = v128.load(s + (<usize>jj << 2));
    m = f32x4.pmax(m, v);
    nan = v128.or(nan, f32x4.ne(v, v));
  }
  let r = hmax4(m);
  if (v128.any_true(nan)) r = NaN;
  for (; jj < n; jj++) {
    const v = load<f32>(s + (<usize>jj << 2));
    if (v != v) r = NaN; else if (v > r) r = v;
  }
  return r;
}

/** s = exp(s - m) in place; returns the sum. */
function expTile(s: usize, n: i32, m: f32): f32 {
  const vm = f32x4.splat(m);
  let acc = f32x4.splat(0);
  let jj = 0;
  for (; jj + 4 <= n; jj += 4) {
    const e = vexp(f32x4.sub(v128.load(s + (<usize>jj << 2)), vm), true);
    v128.store(s + (<usize>jj << 2), e);
    acc = f32x4.add(acc, e);
  }
  let sum = <f32>hsum4(acc);
  for (; jj < n; jj++) {
    const e = f32x4.extract_lane(vexp(f32x4.splat(load<f32>(s + (<usize>jj << 2)) - m), true), 0);
    store<f32>(s + (<usize>jj << 2), e);
    sum += e;
  }
  return sum;
}

/** The normalizers of attention_norm_f32 (src/ops/attention.ts names them). */
export const enum Norm { Softmax = 0, Ssmax, Softpick, Relu, Sigmoid, Softplus, Stablemax, Sparsemax, Entmax15 }

/** y = the chosen normalizer of the c scores at x, with n = c (the visible keys). */
function normalize(x: usize, y: usize, c: i32, kind: i32, s: f32): void {
  const n = <f32>c;
  switch (kind) {
    case Norm.Ssmax: softmaxRow3(x, y, c, s * <f32>Math.log(<f64>c)); break;
    case Norm.Softpick: softpick_f32(x, y, 1, c, 1, 1e-8); break;
    case Norm.Relu: relu_norm_f32(x, y, c, 1, 1 / n); break;
    case Norm.Sigmoid: sigmoid_norm_f32(x, y, 1, c, 1, -<f32>Math.log(<f64>c), false); break;
    case Norm.Softplus: softplus_norm_f32(x, y, 1, c, 1); break;
    case Norm.Stablemax: stablemax_f32(x, y, 1, c, 1); break;
    case Norm.Sparsemax: sparsemax_f32(x, y, 1, c, 1); break;
    case Norm.Entmax15: entmax15_f32(x, y, 1, c, 1); break;
    default: softmaxRow3(x, y, c, 1);
  }
}

/**
 * Attention with another normalizer than softmax: per query, the scores of its visible,
 * unmasked keys are gathered (O(seqK) scratch: scores, key indices, weights), normalized as a
 * row with n = their count, and the weights applied to V. Masked keys are left out entirely
 * (softpick would otherwise count them in its denominator).
 */
export function attention_norm_f32(p: usize, kind: i32, s: f32): void {
  const batch = gi(p, P.Batch), heads = gi(p, P.Heads), g = heads / gi(p, P.KvHeads), seqQ = gi(p, P.SeqQ);
  const d = gi(p, P.HeadDim), seqK = gi(p, P.SeqK), scale = gf(p, P.Scale), cap = gf(p, P.Softcap);
  const row = gp(p, P.Scratch), idx = row + <usize>seqK * 4, w = idx + <usize>seqK * 4;
  const ks = gi(p, P.KS), vs = gi(p, P.VS), ring = gi(p, P.Ring), start = gi(p, P.RingStart);
  const alibi = gp(p, P.Alibi), mask = gp(p, P.Mask), bias = gp(p, P.Bias), lens = gp(p, P.KvLengths);
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) {
    const kvh = h / g, pos = i + gi(p, P.Offset);
    let j1 = seqK, j0 = 0;
    if (lens) j1 = min(j1, load<i32>(lens + (<usize>b << 2)));
    if (gi(p, P.Causal)) j1 = min(j1, pos + 1);
    if (gi(p, P.Window) > 0) j0 = max(0, pos - gi(p, P.Window) + 1);
    const q = gp(p, P.Q) + <usize>(b * gi(p, P.QB) + h * gi(p, P.QH) + i * gi(p, P.QS)) * 4;
    const k = gp(p, P.K) + <usize>(b * gi(p, P.KB) + kvh * gi(p, P.KH)) * 4;
    const v = gp(p, P.V) + <usize>(b * gi(p, P.VB) + kvh * gi(p, P.VH)) * 4;
    let c = 0;
    for (let t0 = j0, n = 0; t0 < j1; t0 += n) {
      n = min(TILE, j1 - t0);
      let slot = t0;
      if (ring) { slot = (start + t0) % ring; n = min(n, ring - slot); }
      scores(q, k + <usize>(slot * ks) * 4, ks, n, d, scale, w);
      adjust(w, n, t0, pos, b, h, i, cap, alibi, mask, bias, p);
      for (let jj = 0; jj < n; jj++) {
        const x = load<f32>(w + (<usize>jj << 2));
        if (x == -Infinity) continue;
        store<f32>(row + (<usize>c << 2), x);
        store<i32>(idx + (<usize>c << 2), t0 + jj);
        c++;
      }
    }
    const o = gp(p, P.Out) + <usize>(b * gi(p, P.OB) + h * gi(p, P.OH) + i * gi(p, P.OS)) * 4;
    for (let x = 0; x < d; x++) store<f32>(o + (<usize>x << 2), 0);
    if (!c) continue;
    normalize(row, w, c, kind, s);
    for (let t = 0; t < c; t++) {
      const wt = load<f32>(w + (<usize>t << 2));
      if (wt == 0) continue;
      const j = load<i32>(idx + (<usize>t << 2)), slot = ring ? (start + j) % ring : j;
      accumulate(o, 1, w + (<usize>t << 2), v + <usize>(slot * vs) * 4, vs, 1, d);
    }
  }
}

/** Attention over the whole problem described by the struct at p. */
export function attention_f32(p: usize): void {
  const batch = gi(p, P.Batch), heads = gi(p, P.Heads), kvHeads = gi(p, P.KvHeads);
  const g = heads / kvHeads, rows = gi(p, P.SeqQ) * g;
  for (let b = 0; b < batch; b++) {
    for (let kvh = 0; kvh < kvHeads; kvh++) {
      for (let t = 0; t < rows; t += ROWS) rowBlock(p, b, kvh, g, t, min(ROWS, rows - t));
    }
  }
}
