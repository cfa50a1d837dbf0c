// attention: validate, lay out the parameter struct (assembly/attention/attention.ts, enum P),
// marshal, call the tier's kernel.
import { runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';
import { KVCache } from './kvcache.js';

export interface AttentionOptions {
  /** Queries: [batch, heads, seqQ, headDim] (or [batch, seqQ, heads, headDim] with layout 'bshd'). */
  q: F32Input;
  /** Keys: [batch, kvHeads, seqK, headDim] (or [batch, seqK, kvHeads, headDim]). Not with `cache`. */
  k?: F32Input;
  /** Values: the same shape as k. Not with `cache`. */
  v?: F32Input;
  /** Keys and values from a kvCache() instead of k and v (its batch, kvHeads and headDim apply). */
  cache?: KVCache;
  /** Query heads. */
  heads: number;
  /** Key/value heads; heads must be a multiple (grouped-query; 1 = multi-query). Default heads. */
  kvHeads?: number;
  /** Head dimension (from the cache when one is given). */
  headDim?: number;
  /** Batch size. Default 1. seqQ and seqK follow from the lengths (or are checked against them). */
  batch?: number;
  seqQ?: number;
  seqK?: number;
  /** 'bhsd' (default) or 'bshd' for q and out (and k and v unless kvLayout says otherwise). */
  layout?: 'bhsd' | 'bshd';
  /** 'bhsd' or 'bshd' for k and v. Default: layout. */
  kvLayout?: 'bhsd' | 'bshd';
  /** Multiplies q.k. Default 1 / sqrt(headDim). */
  scale?: number;
  /**
   * Causal masking: true or 'bottom-right' (query i sees keys j <= i + seqK - seqQ, what decode
   * with a cache needs) or 'top-left' (j <= i). Default false.
   */
  causal?: boolean | 'bottom-right' | 'top-left';
  /** Sliding window: each query sees at most this many keys, ending at its own position. */
  window?: number;
  /** Logit soft-capping: s -> cap * tanh(s / cap), applied to the scaled scores. */
  softcap?: number;
  /** ALiBi: slope per head (Float32Array of heads), or true for the standard slopes. Adds slope * (j - i). */
  alibi?: boolean | Float32Array;
  /** Valid keys per batch entry (Int32Array of batch); keys from kvLengths[b] on are padding. */
  kvLengths?: Int32Array;
  /**
   * Uint8Array (1 = attend, 0 = masked) or Float32Array (added to the scores, -Infinity masks),
   * of length seqK, seqQ*seqK, batch*seqQ*seqK or batch*heads*seqQ*seqK (broadcast over the rest).
   */
  mask?: Uint8Array | Float32Array;
  /** Additive Float32Array score bias, broadcast like an additive mask (both may be given). */
  bias?: Float32Array;
  /** Output, the shape of q (a Float32Array or Tensor). */
  out?: Float32Array | Tensor;
  /** Also return the log-sum-exp of each query's scores ([batch, heads, seqQ]; -Infinity when all are masked). Softmax only. */
  returnLse?: boolean;
  /**
   * How each query's scores become weights: 'softmax' (default, flash-tiled), or one of the
   * softmax family applied to the row of its visible, unmasked keys (n = their count): 'ssmax'
   * (softmax(s ln(n) z), with `s`), 'softpick', 'relu' (ReLU/n), 'sigmoid' (bias -ln n),
   * 'softplus', 'stablemax', 'sparsemax', 'entmax15'. These materialize one score row per query
   * (O(seqK) scratch).
   */
  normalizer?: Normalizer;
  /** The s of the 'ssmax' normalizer (> 0). Default 1. */
  s?: number;
  /**
   * Forgetting Attention (FoX, Lin et al. 2025): log forget gates log f_t (<= 0) per
   * [batch, heads, seqK] position; the score of query i and key j gets sum of log f over (j, i]
   * (positions aligned as for causal). Requires seqQ <= seqK; not with a cache.
   */
  forgetGates?: Float32Array;
}

export type Normalizer = 'softmax' | 'ssmax' | 'softpick' | 'relu' | 'sigmoid' | 'softplus' | 'stablemax' | 'sparsemax' | 'entmax15';
/** Kernel codes: the Norm enum of assembly/attention/attention.ts. */
const NORMALIZERS: Record<Normalizer, number> = { softmax: 0, ssmax: 1, softpick: 2, relu: 3, sigmoid: 4, softplus: 5, stablemax: 6, sparsemax: 7, entmax15: 8 };

export interface AttentionResult<T> { out: T; lse: Float32Array }

const TILE = 64;
const ROWS = 4, ROW_FIELDS = 4; // query rows per block of the kernel, and its per-row fields
const SLOTS = 45; // P.Count

/** The standard ALiBi slopes (Press et al.): 2^(-8i/n) for n a power of two, interleaved otherwise. */
export function alibiSlopes(heads: number): Float32Array {
  const pow2 = (n: number) => Array.from({ length: n }, (_, i) => 2 ** (-8 * (i + 1) / n));
  const m = 2 ** Math.floor(Math.log2(heads));
  const s = m === heads ? pow2(heads) : [...pow2(m), ...pow2(2 * m).filter((_, i) => i % 2 === 0).slice(0, heads - m)];
  return Float32Array.from(s);
}

const intArg = positiveInt;

/** Strides (elements) of a [batch, heads, seq] x headDim tensor in the given layout. */
function strides(layout: 'bhsd' | 'bshd', heads: number, seq: number, d: number): [number, number, number] {
  return layout === 'bhsd' ? [heads * seq * d, seq * d, d] : [seq * heads * d, d, heads * d];
}

/** Broadcast strides [b, h, q] of a mask or bias by its length. */
function broadcast(name: string, len: number, batch: number, heads: number, seqQ: number, seqK: number): [number, number, number] {
  if (len === seqK) return [0, 0, 0];
  if (len === seqQ * seqK) return [0, 0, seqK];
  if (len === batch * seqQ * seqK) return [seqQ * seqK, 0, seqK];
  if (len === batch * heads * seqQ * seqK) return [heads * seqQ * seqK, seqQ * seqK, seqK];
  throw new SimdnnArgumentError(name, `length ${len}`, `length seqK (${seqK}), seqQ*seqK (${seqQ * seqK}), batch*seqQ*seqK (${batch * seqQ * seqK}) or batch*heads*seqQ*seqK (${batch * heads * seqQ * seqK})`);
}

/**
 * Scaled dot-product attention, softmax(scale q k^T + bias + mask) v, per batch entry and head,
 * computed flash style: keys in tiles of 64 with an online softmax, so memory stays O(tile)
 * whatever seqQ x seqK is. Grouped-query: head h reads kv head floor(h / (heads / kvHeads)),
 * without copying K or V. A query whose keys are all masked (by mask, causal, window or
 * kvLengths) gets zeros, never NaN. NaN in q or k gives NaN outputs for the queries it reaches.
 * Returns `out` (a new Float32Array unless given), or `{ out, lse }` with `returnLse`.
 */
export function attention(o: AttentionOptions & { returnLse: true; out: Tensor }): AttentionResult<Tensor>;
export function attention(o: AttentionOptions & { returnLse: true }): AttentionResult<Float32Array>;
export function attention(o: AttentionOptions & { out: Tensor }): Tensor;
export function attention(o: AttentionOptions): Float32Array;
export function attention(options: AttentionOptions): Float32Array | Tensor | AttentionResult<Float32Array | Tensor> {
  const rt = runtime();
  const o = optionsOf<AttentionOptions>(options);
  const cache = o.cache;
  if (cache !== undefined) {
    if (!(cache instanceof KVCache)) throw new SimdnnArgumentError('cache', describe(cache), 'a KVCache from kvCache()');
    cache.k.check('cache');
    if (o.k !== undefined || o.v !== undefined) throw new SimdnnArgumentError('k', 'k or v with a cache', 'either k and v, or cache');
    if (cache.length === 0) throw new SimdnnArgumentError('cache', 'an empty cache', 'at least one appended position');
    for (const [name, mine, its] of [['headDim', o.headDim, cache.headDim], ['kvHeads', o.kvHeads, cache.kvHeads], ['batch', o.batch, cache.batch]] as const) {
      if (mine !== undefined && mine !== its) throw new SimdnnArgumentError(name, describe(mine), `the cache's ${its} (or nothing)`);
    }
  }
  const heads = intArg('heads', o.heads), kvHeads = intArg('kvHeads', o.kvHeads ?? cache?.kvHeads, heads), d = intArg('headDim', o.headDim ?? cache?.headDim);
  const batch = intArg('batch', o.batch ?? cache?.batch, 1);
  if (heads % kvHeads !== 0) throw new SimdnnArgumentError('kvHeads', `${kvHeads} for ${heads} heads`, 'a divisor of heads');
  const nq = f32Input(rt, 'q', o.q);
  const nk = cache ? cache.length * batch * kvHeads * d : f32Input(rt, 'k', o.k), nv = cache ? nk : f32Input(rt, 'v', o.v);
  const q = o.q as F32Input, k = cache ? cache.k : o.k as F32Input, v = cache ? cache.v : o.v as F32Input; // (checked just above)
  const seqQ = intArg('seqQ', o.seqQ, nq / (batch * heads * d)), seqK = intArg('seqK', cache ? cache.length : o.seqK, nk / (batch * kvHeads * d));
  if (nq !== batch * heads * seqQ * d) throw new SimdnnArgumentError('q', `length ${nq}`, `batch*heads*seqQ*headDim = ${batch * heads * seqQ * d}`);
  if (nk !== batch * kvHeads * seqK * d) throw new SimdnnArgumentError('k', `length ${nk}`, `batch*kvHeads*seqK*headDim = ${batch * kvHeads * seqK * d}`);
  if (nv !== nk) throw new SimdnnArgumentError('v', `length ${nv}`, `the length of k (${nk})`);
  const layout = o.layout ?? 'bhsd';
  if (layout !== 'bhsd' && layout !== 'bshd') throw new SimdnnArgumentError('layout', describe(layout), "'bhsd' or 'bshd'");
  const kvLayout = o.kvLayout ?? layout;
  if (kvLayout !== 'bhsd' && kvLayout !== 'bshd') throw new SimdnnArgumentError('kvLayout', describe(kvLayout), "'bhsd' or 'bshd'");
  const scale = o.scale ?? 1 / Math.sqrt(d);
  if (typeof scale !== 'number' || !Number.isFinite(scale)) throw new SimdnnArgumentError('scale', describe(scale), 'a finite number');
  const c = o.causal ?? false;
  if (![false, true, 'bottom-right', 'top-left'].includes(c as never)) throw new SimdnnArgumentError('causal', describe(c), "false, true, 'bottom-right' or 'top-left'");
  const window = o.window === undefined ? 0 : intArg('window', o.window);
  const softcap = o.softcap ?? 0;
  if (o.softcap !== undefined && (typeof softcap !== 'number' || !(softcap > 0) || !Number.isFinite(softcap))) throw new SimdnnArgumentError('softcap', describe(softcap), 'a finite number > 0');
  let slopes: Float32Array | undefined;
  if (o.alibi === true) slopes = alibiSlopes(heads);
  else if (o.alibi instanceof Float32Array && o.alibi.length === heads) slopes = o.alibi;
  else if (o.alibi !== undefined && o.alibi !== false) throw new SimdnnArgumentError('alibi', describe(o.alibi), `true or a Float32Array of ${heads} slopes`);
  const lens = o.kvLengths;
  if (lens !== undefined && (!(lens instanceof Int32Array) || lens.length !== batch || lens.some((l) => l < 0 || l > seqK))) {
    throw new SimdnnArgumentError('kvLengths', describe(lens), `an Int32Array of ${batch} lengths from 0 to seqK (${seqK})`);
  }
  let maskU8: Uint8Array | undefined, add: Float32Array | undefined = o.bias;
  if (o.bias !== undefined && !(o.bias instanceof Float32Array)) throw new SimdnnArgumentError('bias', describe(o.bias), 'a Float32Array');
  if (o.mask instanceof Uint8Array) maskU8 = o.mask;
  else if (o.mask instanceof Float32Array) {
    if (add) { // both additive: one summed copy, after each is checked against the shapes
      broadcast('mask', o.mask.length, batch, heads, seqQ, seqK); broadcast('bias', add.length, batch, heads, seqQ, seqK);
      const full = batch * heads * seqQ * seqK, ms = expand(o.mask, batch, heads, seqQ, seqK), bs = expand(add, batch, heads, seqQ, seqK);
      add = new Float32Array(full).map((_, i) => ms[i] + bs[i]);
    } else add = o.mask;
  } else if (o.mask !== undefined) throw new SimdnnArgumentError('mask', describe(o.mask), 'a Uint8Array (1 = attend) or Float32Array (additive)');
  const mS = maskU8 ? broadcast('mask', maskU8.length, batch, heads, seqQ, seqK) : [0, 0, 0];
  const bS = add ? broadcast(o.mask instanceof Float32Array && !o.bias ? 'mask' : 'bias', add.length, batch, heads, seqQ, seqK) : [0, 0, 0];
  let out: F32Input | undefined;
  if (o.out !== undefined) {
    const n = f32Input(rt, 'out', o.out);
    if (n !== nq) throw new SimdnnArgumentError('out', `length ${n}`, `the length of q (${nq})`);
    out = o.out;
  }
  if (o.returnLse !== undefined && typeof o.returnLse !== 'boolean') throw new SimdnnArgumentError('returnLse', describe(o.returnLse), 'a boolean');
  const normalizer = o.normalizer ?? 'softmax';
  if (!Object.prototype.hasOwnProperty.call(NORMALIZERS, normalizer)) throw new SimdnnArgumentError('normalizer', describe(normalizer), Object.keys(NORMALIZERS).map((n) => `'${n}'`).join(', '));
  if (normalizer !== 'softmax' && o.returnLse) throw new SimdnnArgumentError('returnLse', 'true with the normalizer ' + normalizer, 'returnLse only with softmax');
  const sScale = o.s ?? 1;
  if (typeof sScale !== 'number' || !(sScale > 0) || !Number.isFinite(sScale)) throw new SimdnnArgumentError('s', describe(sScale), 'a finite number > 0');
  const kind = NORMALIZERS[normalizer];
  if (kind && cache?.dtype === 'int8') throw new SimdnnArgumentError('normalizer', normalizer + ' with an int8 cache', "'softmax' (the int8 cache has the softmax kernel only)");
  let fox: Float64Array | undefined;
  if (o.forgetGates !== undefined) {
    const fg = o.forgetGates;
    if (cache) throw new SimdnnArgumentError('forgetGates', 'forget gates with a cache', 'k and v (not a cache)');
    if (!(fg instanceof Float32Array) || fg.length !== batch * heads * seqK) throw new SimdnnArgumentError('forgetGates', describe(fg), `a Float32Array of batch*heads*seqK = ${batch * heads * seqK} log gates`);
    if (fg.some((x) => !Number.isFinite(x))) throw new SimdnnArgumentError('forgetGates', 'a non-finite gate', 'finite log gates (log f for f in (0, 1])');
    if (seqQ > seqK) throw new SimdnnArgumentError('forgetGates', `with seqQ ${seqQ} > seqK ${seqK}`, 'seqQ <= seqK (queries are the last positions, or the first with top-left)');
    fox = new Float64Array(fg.length); // cumulative sums in float64: the kernel takes differences
    for (let r = 0; r < batch * heads; r++) {
      let c = 0;
      for (let t = 0; t < seqK; t++) { c += fg[r * seqK + t]; fox[r * seqK + t] = c; }
    }
  }

  const arr = (x: F32Input) => (x instanceof Tensor ? 0 : x.length * 4);
  const outT = out instanceof Tensor;
  const at = scratchRegions(rt, [SLOTS * 4, arr(q), arr(k), arr(v), outT ? 0 : nq * 4, o.returnLse ? batch * heads * seqQ * 4 : 0,
    kind ? 3 * seqK * 4 : ROWS * (d + TILE + 2 + ROW_FIELDS) * 4, maskU8 ? maskU8.length : 0, add ? add.length * 4 : 0, slopes ? heads * 4 : 0, lens ? batch * 4 : 0,
    fox ? fox.length * 8 : 0]);
  const pq = inputAt(rt, q, at[1]), pk = inputAt(rt, k, at[2]), pv = inputAt(rt, v, at[3]);
  const po = outT ? (out as Tensor).ptr : at[4];
  const heap = rt.alloc.heap.buffer;
  if (maskU8) new Uint8Array(heap, at[7], maskU8.length).set(maskU8);
  if (add) new Float32Array(heap, at[8], add.length).set(add);
  if (slopes) new Float32Array(heap, at[9], heads).set(slopes);
  if (lens) new Int32Array(heap, at[10], batch).set(lens);
  if (fox) new Float64Array(heap, at[11], fox.length).set(fox);
  const [qB, qH, qS] = strides(layout, heads, seqQ, d);
  const [kB, kH, kS] = cache ? strides('bhsd', kvHeads, cache.slots, d) : strides(kvLayout, kvHeads, seqK, d);
  const I = new Int32Array(heap, at[0], SLOTS), F = new Float32Array(heap, at[0], SLOTS);
  I.set([pq, pk, pv, po, o.returnLse ? at[5] : 0, at[6], batch, heads, kvHeads, seqQ, seqK, d,
    qB, qH, qS, kB, kH, kS, kB, kH, kS, qB, qH, qS, 0, c ? 1 : 0, c === 'top-left' ? 0 : seqK - seqQ, window, 0,
    slopes ? at[9] : 0, lens ? at[10] : 0, maskU8 ? at[7] : 0, ...mS, add ? at[8] : 0, ...bS, cache?.ring ? cache.slots : 0, cache?.start ?? 0, fox ? at[11] : 0,
    cache?.kScale?.ptr ?? 0, cache?.vScale?.ptr ?? 0, cache?.slots ?? 0]);
  F[24] = scale; F[28] = softcap;
  if (kind) rt.kernels.attention_norm_f32(at[0], kind, sScale);
  else rt.kernels.attention_f32(at[0]);
  const res = outT ? (out as Tensor) : copyOut(rt, po, nq, out as Float32Array | undefined, Float32Array);
  return o.returnLse ? { out: res, lse: copyOut(rt, at[5], batch * heads * seqQ, undefined, Float32Array) } : res;
}

/** A mask or bias broadcast to the full [batch, heads, seqQ, seqK]. */
function expand(m: Float32Array, batch: number, heads: number, seqQ: number, seqK: number): Float32Array {
  const [sb, sh, sq] = broadcast('mask', m.length, batch, heads, seqQ, seqK);
  const full = new Float32Array(batch * heads * seqQ * seqK);
  let n = 0;
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) for (let j = 0; j < seqK; j++) full[n++] = m[b * sb + h * sh + i * sq + j];
  return full;
}
