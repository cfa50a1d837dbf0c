// softmax, logSoftmax, logSumExp: validate, marshal into the heap, call the tier's kernel.
import { runtime } from '../runtime/runtime.js';
import type { Kernels } from '../runtime/kernels.js';
import { Tensor } from '../runtime/tensor.js';
import { f32Input, colsOf, betaOf, maskOf, outOf, optionsOf, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';

export interface SoftmaxOptions {
  /** Row length; rows = x.length / cols. Default: the whole input is one row. */
  cols?: number;
  /** Divides the logits: softmax(x / temperature + mask). Default 1. */
  temperature?: number;
  /**
   * Float32Array: added to the scaled logits (use -Infinity to mask out).
   * Uint8Array: 1 keeps an entry, 0 masks it out. Length cols (same for every row) or rows * cols.
   */
  mask?: Float32Array | Uint8Array;
  /** Where to write the result: a Float32Array or Tensor of the output length. May be x itself. */
  out?: Float32Array | Tensor;
}

/** softmax only: how the normalizer is computed (same results within the accuracy bound). */
export type SoftmaxAlgorithm = 'auto' | 'three-pass' | 'two-pass' | 'online';

const ALGORITHMS: Record<SoftmaxAlgorithm, 'softmax_f32' | 'softmax_two_pass_f32' | 'softmax_online_f32'> = {
  auto: 'softmax_f32', // three-pass measured fastest at every row length, 64..8M (README)
  'three-pass': 'softmax_f32',
  'two-pass': 'softmax_two_pass_f32',
  online: 'softmax_online_f32',
};

/** A row kernel call: (kernels, x, y, rows, cols, beta, tmp) with tmp the op's own scratch region. */
type RowKernel = (k: Kernels, x: number, y: number, rows: number, cols: number, beta: number, tmp: number) => void;
const rowKernel = (name: 'softmax_f32' | 'softmax_two_pass_f32' | 'softmax_online_f32' | 'log_softmax_f32' | 'logsumexp_f32'): RowKernel =>
  (k, x, y, rows, cols, beta) => k[name](x, y, rows, cols, beta);

/**
 * The shared body of the three ops. Heap layout per call: Float32Array arguments are copied
 * into one scratch block; Tensors are used where they live. Output goes to `out` (a Tensor is
 * written in place) or, for arrays, is computed in the scratch block and copied out.
 */
export function rowOp(kernel: RowKernel, x: F32Input, options: SoftmaxOptions | undefined, perRow: boolean, tmpBytes = 0, distinctOut = false): Float32Array | Tensor {
  const rt = runtime();
  const opts = optionsOf<SoftmaxOptions>(options);
  const n = f32Input(rt, 'x', x);
  const cols = colsOf(opts.cols, n);
  const rows = n / cols;
  const beta = betaOf(opts.temperature);
  const m = maskOf(opts.mask, rows, cols);
  const outLen = perRow ? rows : n;
  const out = outOf(rt, opts.out, outLen);

  // Plan the scratch block: [x copy][mask copy][logits][result][kernel's tmp], each 64-byte aligned.
  const xT = x instanceof Tensor, outT = out instanceof Tensor;
  const maskBytes = m ? m.mask.byteLength : 0;
  const needLogits = m !== undefined && perRow && xT;
  const needY = !outT && (perRow || xT || distinctOut); // distinctOut: the kernel is faster out of place
  const at = scratchRegions(rt, [xT ? 0 : n * 4, maskBytes, needLogits ? n * 4 : 0, needY ? outLen * 4 : 0, tmpBytes]);
  const px = inputAt(rt, x, at[0]);
  const py = outT ? out.ptr : needY ? at[3] : px; // in place in the x copy when possible
  let src = px, b = beta;
  if (m) {
    rt.alloc.u8().set(new Uint8Array(m.mask.buffer, m.mask.byteOffset, maskBytes), at[1]);
    // softmax/logSoftmax build the masked logits where the result goes; logSumExp in a temp.
    const pl = perRow ? (xT ? at[2] : px) : py;
    rt.kernels.mask_logits_f32(px, at[1], pl, rows, cols, m.maskRows, beta, m.mask instanceof Float32Array ? 0 : 1);
    src = pl; b = 1;
  }
  kernel(rt.kernels, src, py, rows, cols, b, at[4]);
  return outT ? out : copyOut(rt, py, outLen, out, Float32Array);
}

/**
 * Softmax over each row: y = exp(x/T - max) / sum. Rows of all -Infinity (fully masked) give
 * zeros; a NaN anywhere in a row gives a NaN row; +Infinity entries share the row's mass equally.
 * Returns `out` if given, else a new Float32Array.
 */
export function softmax(x: Float32Array, options?: SoftmaxOptions & { algorithm?: SoftmaxAlgorithm; out?: Float32Array }): Float32Array;
export function softmax(x: F32Input, options: SoftmaxOptions & { algorithm?: SoftmaxAlgorithm; out: Tensor }): Tensor;
export function softmax(x: F32Input, options?: SoftmaxOptions & { algorithm?: SoftmaxAlgorithm }): Float32Array;
export function softmax(x: F32Input, options?: SoftmaxOptions & { algorithm?: SoftmaxAlgorithm }): Float32Array | Tensor {
  const algorithm = optionsOf<{ algorithm: SoftmaxAlgorithm }>(options).algorithm ?? 'auto';
  const kernel = Object.prototype.hasOwnProperty.call(ALGORITHMS, algorithm) ? ALGORITHMS[algorithm] : undefined;
  if (!kernel) throw new SimdnnArgumentError('algorithm', describe(algorithm), `one of ${Object.keys(ALGORITHMS).map((a) => `'${a}'`).join(', ')}`);
  return rowOp(rowKernel(kernel), x, options, false);
}

/**
 * log(softmax(x)) per row, computed as x/T - logSumExp (no log of a rounded probability).
 * All -Infinity rows give -Infinity; NaN gives NaN; with +Infinity entries they get -log(count)
 * and the rest -Infinity.
 */
export function logSoftmax(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function logSoftmax(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function logSoftmax(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function logSoftmax(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp(rowKernel('log_softmax_f32'), x, options, false);
}

/**
 * log(sum(exp(x/T))) per row: one value per row. An all -Infinity row gives -Infinity,
 * +Infinity in a row gives +Infinity, NaN gives NaN. With a temperature, -T * logSumExp(x, {T})
 * is the energy score used for out-of-distribution detection (Liu et al., 2020).
 */
export function logSumExp(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function logSumExp(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function logSumExp(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function logSumExp(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp(rowKernel('logsumexp_f32'), x, options, true);
}

export interface SsmaxOptions extends SoftmaxOptions {
  /** The learned scale s (> 0). Default 1. */
  s?: number;
  /** The context length n in s * ln(n) (>= 2). Default: the row length. */
  n?: number;
}

/**
 * Scalable-Softmax (Nakanishi, 2025): softmax(s * ln(n) * x / T), which keeps attention from
 * flattening as the context length n grows. Same kernel and edge rules as softmax.
 */
export function ssmax(x: Float32Array, options?: SsmaxOptions & { out?: Float32Array }): Float32Array;
export function ssmax(x: F32Input, options: SsmaxOptions & { out: Tensor }): Tensor;
export function ssmax(x: F32Input, options?: SsmaxOptions): Float32Array;
export function ssmax(x: F32Input, options?: SsmaxOptions): Float32Array | Tensor {
  const opts = optionsOf<SsmaxOptions>(options);
  const scale = opts.s ?? 1;
  if (typeof scale !== 'number' || !(scale > 0) || !Number.isFinite(scale)) throw new SimdnnArgumentError('s', describe(scale), 'a finite number > 0');
  const len = f32Input(runtime(), 'x', x);
  const n = opts.n ?? colsOf(opts.cols, len);
  if (typeof n !== 'number' || !(n >= 2) || !Number.isFinite(n)) throw new SimdnnArgumentError('n', describe(n), 'a finite number >= 2 (ln n must be > 0)');
  // softmax(s ln(n) x / T) is softmax with temperature T / (s ln n)
  const temperature = 1 / betaOf(opts.temperature) / (scale * Math.log(n));
  return rowOp(rowKernel('softmax_f32'), x, { ...opts, temperature }, false);
}
