// sinkhorn: doubly-stochastic normalization of exp(x / T) per [rows, cols] matrix.
import { Tensor } from '../runtime/tensor.js';
import { runtime } from '../runtime/runtime.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { optionsOf, f32Input, colsOf, isPositiveInt, type F32Input } from './args.js';
import { rowOp } from './softmax.js';

export interface SinkhornOptions {
  /** Columns of each matrix. Default: the input is one square matrix. */
  cols?: number;
  /** Rows of each matrix; x holds x.length / (rows * cols) matrices. Default: one matrix. */
  rows?: number;
  /** Normalization steps, alternating rows and columns, rows first (1 = row softmax). Default 5. */
  iters?: number;
  /** Divides the logits. Default 1. */
  temperature?: number;
  /** Where to write the result (may be x itself). */
  out?: Float32Array | Tensor;
}

/**
 * Sinkhorn normalization as in Sinkformers (Sander et al., "Sinkformers: Transformers with
 * Doubly Stochastic Attention", 2022): starting from exp(x / T), `iters` steps alternately make
 * every row sum to 1 and every column sum to rows / cols (1 for square matrices), computed in the
 * log domain with float potentials (P = exp(z - u_r - v_c)), so nothing under- or overflows.
 * One step is exactly the row softmax; an odd count ends on rows (rows sum to 1, columns
 * approximately rows / cols). Edges: -Infinity entries get 0 (use them as a mask) and an all
 * -Infinity row or column stays 0; a NaN or +Infinity anywhere in a matrix makes that matrix NaN.
 * Entries more than the f32 range below their row maximum count as -Infinity.
 */
export function sinkhorn(x: Float32Array, options?: SinkhornOptions & { out?: Float32Array }): Float32Array;
export function sinkhorn(x: F32Input, options: SinkhornOptions & { out: Tensor }): Tensor;
export function sinkhorn(x: F32Input, options?: SinkhornOptions): Float32Array;
export function sinkhorn(x: F32Input, options?: SinkhornOptions): Float32Array | Tensor {
  const opts = optionsOf<SinkhornOptions & { mask: unknown }>(options);
  if (opts.mask !== undefined) throw new SimdnnArgumentError('mask', describe(opts.mask), 'no mask: set masked logits to -Infinity');
  const n = f32Input(runtime(), 'x', x);
  const posInt = isPositiveInt;
  if (opts.rows !== undefined && !posInt(opts.rows)) throw new SimdnnArgumentError('rows', describe(opts.rows), 'a positive integer');
  let cols: number;
  if (opts.cols !== undefined) cols = colsOf(opts.cols, n);
  else if (opts.rows !== undefined) cols = n / opts.rows; // one matrix of the given rows
  else {
    cols = Math.round(Math.sqrt(n));
    if (cols * cols !== n) throw new SimdnnArgumentError('cols', `nothing for an input of length ${n}`, 'cols (and rows) unless the input is one square matrix');
  }
  const rows = opts.rows ?? n / cols;
  if (!Number.isInteger(cols) || n % (rows * cols) !== 0) {
    throw new SimdnnArgumentError('rows', `${rows} with cols ${cols}`, `rows * cols dividing the input length ${n}`);
  }
  const iters = opts.iters ?? 5;
  if (typeof iters !== 'number' || !Number.isInteger(iters) || iters < 1 || iters > 10000) {
    throw new SimdnnArgumentError('iters', describe(iters), 'an integer from 1 to 10000');
  }
  const batch = n / (rows * cols);
  return rowOp((k, px, py, _r, _c, beta, tmp) => k.sinkhorn_f32(px, py, tmp, batch, rows, cols, beta, iters), x, { cols, temperature: opts.temperature, out: opts.out }, false, rows * 4 + cols * 24);
}
