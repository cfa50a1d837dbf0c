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
    const t0 = f32x4.add(i32x4.shuffle(a0, a1, 0, 4, 1, 5), i32x4.shuffle(a0, a1, 2, 6, 3, 7));
    const t1 = f32x4.add(i32x4.shuffle(a2, a3, 0, 4, 1, 5), i32x4.shuffle(a2, a3, 2, 6, 3, 7));
    let s = f32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7));
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
 * One query position i of batch b, for the G heads h0 .. h0 + G - 1 sharing kv head kvh.
 * Scratch: G * headDim accumulators, G * TILE scores, G running maxima and sums.
 */
function positionGroup(p: usize, b: i32, kvh: i32, h0: i32, g: i32, i: i32): void {
  const d = gi(p, P.HeadDim), seqK = gi(p, P.SeqK);
  const scr = gp(p, P.Scratch);
  const acc = scr, sc = acc + <usize>(g * d) * 4, mx = sc + <usize>(g * TILE) * 4, sm = mx + <usize>g * 4;
  // the visible keys [j0, j1): causal, sliding window, padding
  const pos = i + gi(p, P.Offset);
  let j1 = seqK, j0 = 0;
  const lens = gp(p, P.KvLengths);
  if (lens) j1 = min(j1, load<i32>(lens + (<usize>b << 2)));
  if (gi(p, P.Causal)) j1 = min(j1, pos + 1);
  const w = gi(p, P.Window);
  if (w > 0) j0 = max(0, pos - w + 1);
  for (let r = 0; r < g; r++) {
    store<f32>(mx + (<usize>r << 2), -Infinity);
    store<f32>(sm + (<usize>r << 2), 0);
    const a = acc + <usize>(r * d) * 4;
    for (let c = 0; c < d; c++) store<f32>(a + (<usize>c << 2), 0);
  }
  const ksc = gp(p, P.KScale), i8 = ksc != 0, esz: usize = i8 ? 1 : 4; // element size of K and V
  const q = gp(p, P.Q), k = gp(p, P.K) + <usize>(b * gi(p, P.KB) + kvh * gi(p, P.KH)) * esz;
  const v = gp(p, P.V) + <usize>(b * gi(p, P.VB) + kvh * gi(p, P.VH)) * esz;
  const sco = <usize>((b * gi(p, P.KvHeads) + kvh) * gi(p, P.ScaleSlots)) << 2; // this head's scales
  const ks = gi(p, P.KS), vs = gi(p, P.VS), scale = gf(p, P.Scale), cap = gf(p, P.Softcap);
  const alibi = gp(p, P.Alibi), mask = gp(p, P.Mask), bias = gp(p, P.Bias);
  const ring = gi(p, P.Ring), start = gi(p, P.RingStart);
  for (let t0 = j0, n = 0; t0 < j1; t0 += n) {
    n = min(TILE, j1 - t0);
    let slot = t0;
    if (ring) { slot = (start + t0) % ring; n = min(n, ring - slot); } // a tile never wraps
    const kt = k + <usize>(slot * ks) * esz, vt = v + <usize>(slot * vs) * esz;
    const kst = ksc + sco + (<usize>slot << 2), vst = gp(p, P.VScale) + sco + (<usize>slot << 2);
    // scores of the tile, per head of the group
    for (let r = 0; r < g; r++) {
      const h = h0 + r;
      const qr = q + <usize>(b * gi(p, P.QB) + h * gi(p, P.QH) + i * gi(p, P.QS)) * 4;
      const sr = sc + <usize>(r * TILE) * 4;
      if (i8) scores8(qr, kt, ks, kst, n, d, scale, sr);
      else scores(qr, kt, ks, n, d, scale, sr);
      adjust(sr, n, t0, pos, b, h, i, cap, alibi, mask, bias, p);
      // online softmax: new max, rescale, exponentiate the tile in place
      const tmax = tileMax(sr, n);
      if (tmax == -Infinity) continue; // nothing visible in this tile for this head
      const old = load<f32>(mx + (<usize>r << 2)), m = max(old, tmax);
      const f: f32 = old == -Infinity ? 0 : f32x4.extract_lane(vexp(f32x4.splat(old - m), true), 0);
      store<f32>(mx + (<usize>r << 2), m);
      const tsum = expTile(sr, n, m);
      store<f32>(sm + (<usize>r << 2), load<f32>(sm + (<usize>r << 2)) * f + tsum);
      // acc = acc * f + p V over the tile (its V rows stay in L1 for the next head of the group)
      if (i8) accumulate8(acc + <usize>(r * d) * 4, f, sr, vst, vt, vs, n, d);
      else accumulate(acc + <usize>(r * d) * 4, f, sr, vt, vs, n, d);
    }
  }
  // out = acc / sum; lse = max + log(sum)
  const out = gp(p, P.Out), lse = gp(p, P.Lse);
  for (let r = 0; r < g; r++) {
    const h = h0 + r, s = load<f32>(sm + (<usize>r << 2));
    const inv: f32 = s > 0 ? 1 / s : 0;
    const o = out + <usize>(b * gi(p, P.OB) + h * gi(p, P.OH) + i * gi(p, P.OS)) * 4, a = acc + <usize>(r * d) * 4;
    for (let c = 0; c < d; c++) store<f32>(o + (<usize>c << 2), load<f32>(a + (<usize>c << 2)) * inv);
    if (lse) {
      const l = s > 0 ? <f32>(<f64>load<f32>(mx + (<usize>r << 2)) + Math.log(<f64>s)) : -Infinity;
      store<f32>(lse + <usize>((b * gi(p, P.Heads) + h) * gi(p, P.SeqQ) + i) * 4, l);
    }
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
  let m = f32x4.splat(-Infinity);
  let jj = 0;
  for (; jj + 4 <= n; jj += 4) m = f32x4.max(m, v128.load(s + (<usize>jj << 2))); // max: NaN propagates
  let r = hmax4(m);
  if (f32x4.extract_lane(m, 0) != f32x4.extract_lane(m, 0) || f32x4.extract_lane(m, 1) != f32x4.extract_lane(m, 1) ||
      f32x4.extract_lane(m, 2) != f32x4.extract_lane(m, 2) || f32x4.extract_lane(m, 3) != f32x4.extract_lane(m, 3)) r = NaN;
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
  const batch = gi(p, P.Batch), heads = gi(p, P.Heads), kvHeads = gi(p, P.KvHeads), seqQ = gi(p, P.SeqQ);
  const g = heads / kvHeads;
  for (let b = 0; b < batch; b++) {
    for (let kvh = 0; kvh < kvHeads; kvh++) {
      for (let i = 0; i < seqQ; i++) positionGroup(p, b, kvh, kvh * g, g, i);
    }
  }
}
