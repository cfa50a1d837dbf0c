// tropicalAttention: validate, marshal, call the tier's kernel.
import { runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, isPositiveInt, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';

export interface TropicalAttentionOptions {
  /** [batch, heads, seqQ, headDim] (layout bhsd), in tropical coordinates. */
  q: F32Input;
  /** [batch, kvHeads, seqK, headDim]. */
  k: F32Input;
  /** [batch, kvHeads, seqK, headDim]. */
  v: F32Input;
  heads: number;
  /** Default heads (grouped-query when smaller). */
  kvHeads?: number;
  headDim: number;
  /** Default 1. */
  batch?: number;
  /** Query i sees keys j <= i + seqK - seqQ. Default false. */
  causal?: boolean;
  /** Uint8Array (1 = attend) of length seqK or seqQ * seqK. */
  mask?: Uint8Array;
  /** true (default): the symmetric Hilbert projective metric; false: the asymmetric form of the paper. */
  symmetric?: boolean;
  out?: Float32Array | Tensor;
}

const posInt = isPositiveInt, int = positiveInt;

/**
 * Tropical attention (Hashemi et al., 2025), its max-plus core: s_ij = -d_H(q_i, k_j) with the
 * tropical Hilbert projective metric d_H(x, y) = max_c (x_c - y_c) - min_c (x_c - y_c) (or, with
 * symmetric: false, sum_c (x_c - y_c) - d min_c (x_c - y_c)), and out_ic = max_j (s_ij + v_jc).
 * Piecewise linear: adding a constant to v adds it to out; adding one to all of q_i's coordinates
 * changes nothing. A query that sees no key gets -Infinity (the tropical zero); NaN propagates.
 * The paper's valuation map (log1p(relu(x))), tropical projections and output map (expm1, then a
 * linear layer) are the model's, outside this kernel.
 */
export function tropicalAttention(options: TropicalAttentionOptions & { out: Tensor }): Tensor;
export function tropicalAttention(options: TropicalAttentionOptions): Float32Array;
export function tropicalAttention(options: TropicalAttentionOptions): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<TropicalAttentionOptions>(options);
  const heads = int('heads', o.heads), kvHeads = int('kvHeads', o.kvHeads, heads), d = int('headDim', o.headDim), batch = int('batch', o.batch, 1);
  if (heads % kvHeads !== 0) throw new SimdnnArgumentError('kvHeads', `${kvHeads} for ${heads} heads`, 'a divisor of heads');
  const nq = f32Input(rt, 'q', o.q), nk = f32Input(rt, 'k', o.k), nv = f32Input(rt, 'v', o.v);
  const seqQ = nq / (batch * heads * d), seqK = nk / (batch * kvHeads * d);
  if (!posInt(seqQ)) throw new SimdnnArgumentError('q', `length ${nq}`, `a positive multiple of batch*heads*headDim (${batch * heads * d})`);
  if (!posInt(seqK)) throw new SimdnnArgumentError('k', `length ${nk}`, `a positive multiple of batch*kvHeads*headDim (${batch * kvHeads * d})`);
  if (nv !== nk) throw new SimdnnArgumentError('v', `length ${nv}`, `the length of k (${nk})`);
  if (o.causal !== undefined && typeof o.causal !== 'boolean') throw new SimdnnArgumentError('causal', describe(o.causal), 'a boolean');
  if (o.symmetric !== undefined && typeof o.symmetric !== 'boolean') throw new SimdnnArgumentError('symmetric', describe(o.symmetric), 'a boolean');
  const mask = o.mask;
  if (mask !== undefined && (!(mask instanceof Uint8Array) || (mask.length !== seqK && mask.length !== seqQ * seqK))) {
    throw new SimdnnArgumentError('mask', describe(mask), `a Uint8Array of length seqK (${seqK}) or seqQ*seqK (${seqQ * seqK})`);
  }
  let out: F32Input | undefined;
  if (o.out !== undefined) {
    if (f32Input(rt, 'out', o.out) !== nq) throw new SimdnnArgumentError('out', describe(o.out), `length ${nq} (the length of q)`);
    out = o.out;
  }
  const q = o.q as F32Input, k = o.k as F32Input, v = o.v as F32Input, outT = out instanceof Tensor;
  const arr = (x: F32Input) => (x instanceof Tensor ? 0 : x.length * 4);
  const at = scratchRegions(rt, [arr(q), arr(k), arr(v), outT ? 0 : nq * 4, mask ? mask.length : 0]);
  const pq = inputAt(rt, q, at[0]), pk = inputAt(rt, k, at[1]), pv = inputAt(rt, v, at[2]), po = outT ? (out as Tensor).ptr : at[3];
  if (mask) new Uint8Array(rt.alloc.heap.buffer, at[4], mask.length).set(mask);
  rt.kernels.tropical_attention_f32(pq, pk, pv, po, batch, heads, kvHeads, seqQ, seqK, d, o.causal ? 1 : 0, o.symmetric === false ? 0 : 1,
    mask ? at[4] : 0, mask ? mask.length / seqK : 0);
  return outT ? (out as Tensor) : copyOut(rt, po, nq, out as Float32Array | undefined, Float32Array);
}
