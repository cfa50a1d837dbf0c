// topk, topkSoftmax, argmax, hardmax: validate, marshal, call the tier's kernel.
import { runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, colsOf, betaOf, outOf, optionsOf, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';

export interface TopkOptions {
  /** How many entries per row (1 <= k <= cols). */
  k: number;
  /** Row length; rows = x.length / cols. Default: one row. */
  cols?: number;
  /** Arrays to fill instead of new ones: values Float32Array and indices Int32Array of rows * k. */
  out?: { values?: Float32Array; indices?: Int32Array };
}

export interface TopkSoftmaxOptions extends TopkOptions {
  /** Divides the logits, as in softmax. Default 1. */
  temperature?: number;
  /** Normalize over the k selected logits only (a mixture-of-experts gate). Default false. */
  renormalize?: boolean;
}

/** Per row, k entries: `values[r * k + j]` and `indices[r * k + j]` for j = 0 (largest) .. k - 1. */
export interface TopkResult { values: Float32Array; indices: Int32Array }

function kOf(k: unknown, cols: number): number {
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 1 || k > cols) {
    throw new SimdnnArgumentError('k', describe(k), `an integer from 1 to cols (${cols})`);
  }
  return k;
}

function resultOut(out: unknown, len: number): { values?: Float32Array; indices?: Int32Array } {
  if (out === undefined) return {};
  const o = optionsOf<{ values: unknown; indices: unknown }>(out);
  if (o.values !== undefined && !(o.values instanceof Float32Array && o.values.length === len)) {
    throw new SimdnnArgumentError('out.values', describe(o.values), `a Float32Array of length ${len}`);
  }
  if (o.indices !== undefined && !(o.indices instanceof Int32Array && o.indices.length === len)) {
    throw new SimdnnArgumentError('out.indices', describe(o.indices), `an Int32Array of length ${len}`);
  }
  return o as { values?: Float32Array; indices?: Int32Array };
}

/** Shared body: run topk_f32 or topk_softmax_f32 into scratch and copy the k-buffers out. */
function run(x: F32Input, opts: Partial<TopkSoftmaxOptions>, softmax: boolean, kDefault?: number): TopkResult {
  const rt = runtime();
  const n = f32Input(rt, 'x', x);
  const cols = colsOf(opts.cols, n);
  const rows = n / cols;
  const k = kOf(opts.k ?? kDefault, cols);
  const beta = softmax ? betaOf(opts.temperature) : 1;
  const out = resultOut(opts.out, rows * k);
  const at = scratchRegions(rt, [x instanceof Tensor ? 0 : n * 4, rows * k * 4, rows * k * 4]);
  const px = inputAt(rt, x, at[0]);
  if (softmax) rt.kernels.topk_softmax_f32(px, at[1], at[2], rows, cols, k, beta, opts.renormalize ? 1 : 0);
  else rt.kernels.topk_f32(px, at[1], at[2], rows, cols, k);
  return { values: copyOut(rt, at[1], rows * k, out.values, Float32Array), indices: copyOut(rt, at[2], rows * k, out.indices, Int32Array) };
}

/**
 * The k largest entries of each row, largest first. Ties keep the lower index first; NaN ranks
 * above every number (as numpy's argmax and PyTorch's topk), so a NaN is reported first.
 */
export function topk(x: F32Input, options: TopkOptions): TopkResult {
  return run(x, optionsOf<TopkOptions>(options), false);
}

/**
 * Top-k with softmax probabilities, without writing the full softmax: `values` are
 * softmax(x / T) at the top-k indices (or, with `renormalize`, the softmax of the k selected
 * logits, as a mixture-of-experts router does). Edges as softmax: an all -Infinity row gives
 * 0, NaN gives NaN, +Infinity entries share the mass.
 */
export function topkSoftmax(x: F32Input, options: TopkSoftmaxOptions): TopkResult {
  return run(x, optionsOf<TopkSoftmaxOptions>(options), true);
}

/** Index of the largest entry of each row (first one on ties; a NaN counts as largest). */
export function argmax(x: F32Input, options?: { cols?: number; out?: Int32Array }): Int32Array {
  const o = optionsOf<{ cols: number; out: Int32Array }>(options);
  return run(x, { cols: o.cols, out: { indices: o.out } }, false, 1).indices;
}

/**
 * One-hot of each row's argmax (the zero-temperature limit of softmax): 1 at the argmax, 0
 * elsewhere. An all -Infinity row gives zeros and a row with NaN gives NaN, as softmax does.
 */
export function hardmax(x: Float32Array, options?: { cols?: number; out?: Float32Array }): Float32Array;
export function hardmax(x: F32Input, options: { cols?: number; out: Tensor }): Tensor;
export function hardmax(x: F32Input, options?: { cols?: number; out?: Float32Array | Tensor }): Float32Array | Tensor;
export function hardmax(x: F32Input, options?: { cols?: number; out?: Float32Array | Tensor }): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<{ cols: number; out: Float32Array | Tensor }>(options);
  const n = f32Input(rt, 'x', x);
  const cols = colsOf(o.cols, n);
  const out = outOf(rt, o.out, n);
  const { values, indices } = run(x, { cols }, false, 1);
  const res = out ?? new Float32Array(n);
  const y = res instanceof Tensor ? res.data : res;
  y.fill(0);
  for (let r = 0; r < indices.length; r++) {
    if (values[r] !== values[r]) y.fill(NaN, r * cols, r * cols + cols);
    else if (values[r] !== -Infinity) y[r * cols + indices[r]] = 1;
  }
  return res;
}
