// linearAttention and linearState: validate, write the parameter struct of
// assembly/attention/linear.ts (enum L), marshal, call the tier's kernel.
import { runtime } from '../runtime/runtime.js';
import { Tensor, tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, isPositiveInt, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';

export type FeatureMap = 'elu1' | 'relu' | 'cosformer' | 'hedgehog';
const MAPS: Record<FeatureMap, number> = { elu1: 0, relu: 1, cosformer: 2, hedgehog: 3 };
const SLOTS = 22; // L.Count

interface Shape {
  /** Query heads. */
  heads: number;
  /** Key/value heads (a divisor of heads). Default heads. */
  kvHeads?: number;
  /** Query/key head dimension. */
  headDim: number;
  /** Value head dimension. Default headDim. */
  valueDim?: number;
  /** Batch size. Default 1. */
  batch?: number;
  /** 'elu1' (elu + 1), 'relu', 'cosformer' (relu with cos/sin position re-weighting), 'hedgehog' (needs weights). */
  featureMap: FeatureMap;
  /** Hedgehog projection W: [headDim, df] shared, or [kvHeads, headDim, df] per kv head. */
  weights?: Float32Array;
  /** Hedgehog feature count df (half the feature dimension). */
  featureDim?: number;
  /** Per kv head decay gamma in [0, 1] (causal and state only): S <- gamma S + phi(k) v^T, z likewise. */
  decay?: Float32Array;
  /** Added to the denominator phi(q) . z. Default 1e-6. */
  eps?: number;
}

export interface LinearAttentionOptions extends Shape {
  /** [batch, heads, seqQ, headDim] (layout bhsd). */
  q: F32Input;
  /** [batch, kvHeads, seqK, headDim]. */
  k: F32Input;
  /** [batch, kvHeads, seqK, valueDim]. */
  v: F32Input;
  /** Prefix form: query i (at key position i + seqK - seqQ) uses keys up to its own position. Default false. */
  causal?: boolean;
  /** cosFormer's M (the re-weighting period cos(pi (i - j) / 2M)). Default seqK. */
  maxLength?: number;
  /** [batch, heads, seqQ, valueDim]. */
  out?: Float32Array | Tensor;
}

const posInt = isPositiveInt, int = positiveInt;

/** Validated shape and the struct slots it fills. */
function shapeOf(o: Partial<Shape>) {
  const heads = int('heads', o.heads), kvHeads = int('kvHeads', o.kvHeads, heads), d = int('headDim', o.headDim);
  const dv = int('valueDim', o.valueDim, d), batch = int('batch', o.batch, 1);
  if (heads % kvHeads !== 0) throw new SimdnnArgumentError('kvHeads', `${kvHeads} for ${heads} heads`, 'a divisor of heads');
  const mapName = o.featureMap as FeatureMap;
  if (!Object.prototype.hasOwnProperty.call(MAPS, mapName)) throw new SimdnnArgumentError('featureMap', describe(mapName), Object.keys(MAPS).map((m) => `'${m}'`).join(', '));
  const map = MAPS[mapName];
  let df = 0, perHead = 0;
  if (map === 3) {
    df = int('featureDim', o.featureDim);
    const w = o.weights;
    if (!(w instanceof Float32Array) || (w.length !== d * df && w.length !== kvHeads * d * df)) {
      throw new SimdnnArgumentError('weights', describe(w), `a Float32Array of headDim*featureDim (${d * df}) or kvHeads*headDim*featureDim (${kvHeads * d * df})`);
    }
    perHead = w.length === d * df ? 0 : 1;
  } else if (o.weights !== undefined) throw new SimdnnArgumentError('weights', describe(o.weights), "weights only with featureMap 'hedgehog'");
  const decay = o.decay;
  if (decay !== undefined && (!(decay instanceof Float32Array) || decay.length !== kvHeads || decay.some((x) => !(x >= 0 && x <= 1)))) {
    throw new SimdnnArgumentError('decay', describe(decay), `a Float32Array of ${kvHeads} values in [0, 1]`);
  }
  const eps = o.eps ?? 1e-6;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new SimdnnArgumentError('eps', describe(eps), 'a finite number >= 0');
  const fd = map === 2 ? 2 * d : map === 3 ? 2 * df : d;
  return { heads, kvHeads, d, dv, batch, map, df, perHead, decay, eps, fd, weights: o.weights };
}

type S = ReturnType<typeof shapeOf>;

/** Runs the kernel; q/k/v/out pointers already placed. */
function run(sh: S, ptrs: { q: number; k: number; v: number; out: number; state: number }, seqQ: number, seqK: number, causal: boolean, M: number, posBase: number): void {
  const rt = runtime();
  const at = scratchRegions(rt, [SLOTS * 4, (sh.fd * sh.dv + 3 * sh.fd) * 4, sh.weights ? sh.weights.length * 4 : 0, sh.decay ? sh.kvHeads * 4 : 0]);
  const heap = rt.alloc.heap.buffer;
  if (sh.weights) new Float32Array(heap, at[2], sh.weights.length).set(sh.weights);
  if (sh.decay) new Float32Array(heap, at[3], sh.kvHeads).set(sh.decay);
  const I = new Int32Array(heap, at[0], SLOTS), F = new Float32Array(heap, at[0], SLOTS);
  I.set([ptrs.q, ptrs.k, ptrs.v, ptrs.out, ptrs.state, at[1], sh.batch, sh.heads, sh.kvHeads, seqQ, seqK, sh.d, sh.dv,
    sh.map, causal ? 1 : 0, sh.decay ? at[3] : 0, 0, sh.weights ? at[2] : 0, sh.df, sh.perHead, M, posBase]);
  F[16] = sh.eps;
  rt.kernels.linear_attention_f32(at[0]);
}

/**
 * Linear attention (Katharopoulos et al., 2020): out_i = phi(q_i)^T S / (phi(q_i) . z + eps) with
 * S = sum_j phi(k_j) v_j^T and z = sum_j phi(k_j) over all keys, or over j <= i with `causal`
 * (optionally decayed per kv head). Feature maps: 'elu1', 'relu', 'cosformer' (Qin et al. 2022,
 * relu features re-weighted by cos(pi (i - j) / 2M) through its cos/sin decomposition) and
 * 'hedgehog' (Zhang et al. 2024: [softmax(x W), softmax(-x W)] with caller weights). Layout bhsd.
 * The denominator is never 0 for eps > 0, so finite inputs never give NaN.
 */
export function linearAttention(options: LinearAttentionOptions & { out: Tensor }): Tensor;
export function linearAttention(options: LinearAttentionOptions): Float32Array;
export function linearAttention(options: LinearAttentionOptions): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<LinearAttentionOptions>(options);
  const sh = shapeOf(o);
  const nq = f32Input(rt, 'q', o.q), nk = f32Input(rt, 'k', o.k), nv = f32Input(rt, 'v', o.v);
  const seqQ = nq / (sh.batch * sh.heads * sh.d), seqK = nk / (sh.batch * sh.kvHeads * sh.d);
  if (!posInt(seqQ)) throw new SimdnnArgumentError('q', `length ${nq}`, `a positive multiple of batch*heads*headDim (${sh.batch * sh.heads * sh.d})`);
  if (!posInt(seqK)) throw new SimdnnArgumentError('k', `length ${nk}`, `a positive multiple of batch*kvHeads*headDim (${sh.batch * sh.kvHeads * sh.d})`);
  if (nv !== sh.batch * sh.kvHeads * seqK * sh.dv) throw new SimdnnArgumentError('v', `length ${nv}`, `batch*kvHeads*seqK*valueDim = ${sh.batch * sh.kvHeads * seqK * sh.dv}`);
  if (o.causal !== undefined && typeof o.causal !== 'boolean') throw new SimdnnArgumentError('causal', describe(o.causal), 'a boolean');
  if (o.causal && seqQ > seqK) throw new SimdnnArgumentError('q', `seqQ ${seqQ} > seqK ${seqK} with causal`, 'seqQ <= seqK (queries are the last positions)');
  if (sh.decay && !o.causal) throw new SimdnnArgumentError('decay', 'a decay without causal', 'causal: true (a decay orders the keys)');
  const M = o.maxLength === undefined ? seqK : int('maxLength', o.maxLength);
  if (sh.map === 2 && M < seqK) throw new SimdnnArgumentError('maxLength', describe(M), `at least seqK (${seqK})`);
  const outLen = sh.batch * sh.heads * seqQ * sh.dv;
  let out: F32Input | undefined;
  if (o.out !== undefined) {
    const n = f32Input(rt, 'out', o.out);
    if (n !== outLen) throw new SimdnnArgumentError('out', `length ${n}`, `batch*heads*seqQ*valueDim = ${outLen}`);
    out = o.out;
  }
  const arr = (x: F32Input) => (x instanceof Tensor ? 0 : x.length * 4);
  const q = o.q as F32Input, k = o.k as F32Input, v = o.v as F32Input, outT = out instanceof Tensor;
  // inputs first: run() reserves its own scratch after them, so they go into separate blocks
  const blk = rt.alloc.alloc(Math.max(64, arr(q) + arr(k) + arr(v) + (outT ? 0 : outLen * 4) + 256));
  try {
    const aligned = (x: number) => Math.ceil(x / 64) * 64;
    const pq = inputAt(rt, q, blk), pk = inputAt(rt, k, blk + aligned(arr(q))), pv = inputAt(rt, v, blk + aligned(arr(q)) + aligned(arr(k)));
    const po = outT ? (out as Tensor).ptr : blk + aligned(arr(q)) + aligned(arr(k)) + aligned(arr(v));
    run(sh, { q: pq, k: pk, v: pv, out: po, state: 0 }, seqQ, seqK, !!o.causal, M, 0);
    return outT ? (out as Tensor) : copyOut(rt, po, outLen, out as Float32Array | undefined, Float32Array);
  } finally {
    rt.alloc.release(blk);
  }
}

export interface LinearStateOptions extends Shape {
  /** cosFormer's M: the longest sequence the state will see (positions must stay below it). */
  maxLength?: number;
}

/**
 * The recurrent form of causal linear attention for token-by-token decoding: the state S, z per
 * batch entry and kv head lives in simdnn's memory; `.step(q, k, v)` adds one position and returns
 * its output, equal to linearAttention({ causal: true }) over all positions so far.
 */
export class LinearState {
  private pos = 0;
  /** @internal */ readonly state: Tensor;
  /** @internal */ constructor(private readonly sh: S, private readonly maxLength: number) {
    this.state = tensor([sh.batch * sh.kvHeads * (sh.fd * sh.dv + sh.fd)]);
  }
  /** Positions stepped so far. */
  get position(): number { return this.pos; }

  /** One position: q [batch, heads, headDim], k [batch, kvHeads, headDim], v [batch, kvHeads, valueDim]. */
  step(q: F32Input, k: F32Input, v: F32Input, out?: Float32Array | Tensor): Float32Array | Tensor {
    const rt = runtime(), sh = this.sh;
    this.state.check('state');
    for (const [name, x, len] of [['q', q, sh.batch * sh.heads * sh.d], ['k', k, sh.batch * sh.kvHeads * sh.d], ['v', v, sh.batch * sh.kvHeads * sh.dv]] as const) {
      const n = f32Input(rt, name, x);
      if (n !== len) throw new SimdnnArgumentError(name, `length ${n}`, `length ${len}`);
    }
    const outLen = sh.batch * sh.heads * sh.dv;
    if (out !== undefined && f32Input(rt, 'out', out) !== outLen) throw new SimdnnArgumentError('out', describe(out), `length ${outLen}`);
    if (sh.map === 2 && this.pos >= this.maxLength) throw new SimdnnArgumentError('q', `position ${this.pos}`, `positions below maxLength (${this.maxLength})`);
    const blk = rt.alloc.alloc(64 * 4 + (sh.batch * (sh.heads * (sh.d + sh.dv) + sh.kvHeads * (sh.d + sh.dv))) * 4);
    try {
      let at = blk;
      const place = (x: F32Input) => { const p = inputAt(rt, x, at); at += Math.ceil((x instanceof Tensor ? 0 : x.length * 4) / 64) * 64; return p; };
      const pq = place(q), pk = place(k), pv = place(v), outT = out instanceof Tensor, po = outT ? (out as Tensor).ptr : at;
      run(sh, { q: pq, k: pk, v: pv, out: po, state: this.state.ptr }, 1, 1, true, this.maxLength, this.pos);
      this.pos++;
      return outT ? (out as Tensor) : copyOut(rt, po, outLen, out as Float32Array | undefined, Float32Array);
    } finally {
      rt.alloc.release(blk);
    }
  }

  /** Back to the empty state. */
  reset(): void { this.state.data.fill(0); this.pos = 0; }
  /** Free the memory. Safe to call twice. */
  dispose(): void { this.state.dispose(); }
}

/** A recurrent linear-attention state for decoding (see LinearState). */
export function linearState(options: LinearStateOptions): LinearState {
  const o = optionsOf<LinearStateOptions>(options);
  const sh = shapeOf(o);
  if (sh.map === 2 && o.maxLength === undefined) throw new SimdnnArgumentError('maxLength', 'undefined', "a positive integer for featureMap 'cosformer'");
  return new LinearState(sh, o.maxLength === undefined ? 1 : int('maxLength', o.maxLength));
}
