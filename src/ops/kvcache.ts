// kvCache: keys and values resident in simdnn's memory for decoding, appended position by
// position, optionally as a ring buffer that keeps the last `window` positions.
import { runtime } from '../runtime/runtime.js';
import { Tensor, tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, isPositiveInt, type F32Input } from './args.js';
import { quantizeRow } from './onnx.js';

export interface KVCacheOptions {
  /** Batch size. Default 1. */
  batch?: number;
  /** Key/value heads. */
  kvHeads: number;
  /** Head dimension. */
  headDim: number;
  /** Positions it can hold (required without `window`). */
  capacity?: number;
  /** Keep only the most recent `window` positions, as a ring buffer of that many slots. */
  window?: number;
  /**
   * 'f32' (default) or 'int8': each position's K and V row of each head quantized symmetrically
   * (scale = max|x| / 127, round half to even), dequantized in registers by the kernel: 4x less
   * memory and traffic for a small error (see README).
   */
  dtype?: 'f32' | 'int8';
}

const posInt = isPositiveInt;

/** A KV cache: K and V as [batch, kvHeads, slots, headDim] tensors in simdnn's memory. */
export class KVCache {
  readonly batch: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Slots: `capacity`, or `window` for a ring buffer. */
  readonly slots: number;
  /** True for a ring buffer (`window` given). */
  readonly ring: boolean;
  /** Storage type. */
  readonly dtype: 'f32' | 'int8';
  /** @internal K and V storage (for int8: raw bytes in a tensor of a quarter the floats) */ readonly k: Tensor;
  /** @internal */ readonly v: Tensor;
  /** @internal int8 only: f32 scales [batch, kvHeads, slots] */ readonly kScale?: Tensor;
  /** @internal */ readonly vScale?: Tensor;
  private total = 0;

  /** @internal use kvCache() */
  constructor(batch: number, kvHeads: number, headDim: number, slots: number, ring: boolean, dtype: 'f32' | 'int8') {
    this.batch = batch; this.kvHeads = kvHeads; this.headDim = headDim; this.slots = slots; this.ring = ring; this.dtype = dtype;
    const n = batch * kvHeads * slots * headDim, made: Tensor[] = [];
    try {
      const make = (len: number) => { const t = tensor([len]); made.push(t); return t; };
      this.k = make(dtype === 'int8' ? Math.ceil(n / 4) : n);
      this.v = make(dtype === 'int8' ? Math.ceil(n / 4) : n);
      if (dtype === 'int8') { this.kScale = make(batch * kvHeads * slots); this.vScale = make(batch * kvHeads * slots); }
    } catch (e) { made.forEach((t) => t.dispose()); throw e; }
  }

  /** Positions held now (at most `slots`). */
  get length(): number { return Math.min(this.total, this.slots); }
  /** Positions appended since creation or reset (a ring buffer keeps only the last `slots`). */
  get position(): number { return this.total; }
  /** @internal Slot of the oldest position held. */
  get start(): number { return this.ring && this.total > this.slots ? this.total % this.slots : 0; }

  /**
   * Append n positions: k and v are [batch, kvHeads, n, headDim] (Float32Array or Tensor).
   * Without a window, appending beyond `capacity` throws and writes nothing.
   */
  append(k: F32Input, v: F32Input): this {
    const rt = runtime();
    this.k.check('cache');
    const nk = f32Input(rt, 'k', k), nv = f32Input(rt, 'v', v), row = this.batch * this.kvHeads * this.headDim;
    if (nk === 0 || nk % row !== 0) throw new SimdnnArgumentError('k', `length ${nk}`, `a positive multiple of batch*kvHeads*headDim (${row})`);
    if (nv !== nk) throw new SimdnnArgumentError('v', `length ${nv}`, `the length of k (${nk})`);
    const n = nk / row;
    const d = this.headDim, src = [k instanceof Tensor ? k.data : k, v instanceof Tensor ? v.data : v];
    if (this.dtype === 'int8') {
      for (let x = 0; x < 2; x++) {
        const at = src[x].findIndex((e) => !Number.isFinite(e));
        if (at >= 0) throw new SimdnnArgumentError(x ? 'v' : 'k', `${src[x][at]} at index ${at}`, 'finite values (an int8 cache cannot hold NaN or Infinity)');
      }
    }
    if (!this.ring && this.total + n > this.slots) {
      throw new SimdnnArgumentError('k', `${n} more positions with ${this.total} of ${this.slots} used`, `at most ${this.slots - this.total} (the capacity)`);
    }
    const int8 = this.dtype === 'int8', buf = this.k.rt.alloc.heap.buffer;
    const dst = int8 ? [new Int8Array(buf, this.k.ptr, this.k.length * 4), new Int8Array(buf, this.v.ptr, this.v.length * 4)] : [this.k.data, this.v.data];
    const scales = int8 ? [this.kScale!.data, this.vScale!.data] : [];
    for (let b = 0; b < this.batch; b++) {
      for (let h = 0; h < this.kvHeads; h++) {
        for (let t = Math.max(0, n - this.slots); t < n; t++) { // a ring keeps only the last `slots`
          const slot = (this.total + t) % this.slots, from = ((b * this.kvHeads + h) * n + t) * d;
          const to = ((b * this.kvHeads + h) * this.slots + slot) * d;
          for (let x = 0; x < 2; x++) {
            const row = src[x].subarray(from, from + d);
            if (int8) scales[x][(b * this.kvHeads + h) * this.slots + slot] = quantizeRow(row, dst[x] as Int8Array, to);
            else (dst[x] as Float32Array).set(row, to);
          }
        }
      }
    }
    this.total += n;
    return this;
  }

  /** Forget every position (the memory stays allocated). */
  reset(): void { this.total = 0; }

  /** Free the memory. Safe to call twice. */
  dispose(): void { this.k.dispose(); this.v.dispose(); this.kScale?.dispose(); this.vScale?.dispose(); }

  /** True after dispose() or a re-init. */
  get disposed(): boolean { return this.k.disposed; }
}

/**
 * A KV cache for decoding, resident in simdnn's memory: `cache.append(k, v)` after each step,
 * then `attention({ q, cache, heads })`. With `window`, a ring buffer of the last `window`
 * positions (sliding-window attention without copying).
 */
export function kvCache(options: KVCacheOptions): KVCache {
  const o = optionsOf<KVCacheOptions>(options);
  const batch = o.batch ?? 1;
  for (const [name, v] of [['batch', batch], ['kvHeads', o.kvHeads], ['headDim', o.headDim]] as const) {
    if (!posInt(v)) throw new SimdnnArgumentError(name, describe(v), 'a positive integer');
  }
  if (o.window !== undefined && !posInt(o.window)) throw new SimdnnArgumentError('window', describe(o.window), 'a positive integer');
  if (o.capacity !== undefined && !posInt(o.capacity)) throw new SimdnnArgumentError('capacity', describe(o.capacity), 'a positive integer');
  if (o.window === undefined && o.capacity === undefined) throw new SimdnnArgumentError('capacity', 'undefined', 'a positive integer (or a window)');
  if (o.dtype !== undefined && o.dtype !== 'f32' && o.dtype !== 'int8') throw new SimdnnArgumentError('dtype', describe(o.dtype), "'f32' or 'int8'");
  runtime();
  return new KVCache(batch, o.kvHeads as number, o.headDim as number, (o.window ?? o.capacity) as number, o.window !== undefined, o.dtype ?? 'f32');
}
