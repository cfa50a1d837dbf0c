// Softmax replacements from the literature that share softmax's row layout and options.
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { optionsOf, colsOf, f32Input, type F32Input } from './args.js';
import { runtime } from '../runtime/runtime.js';
import { rowOp, type SoftmaxOptions } from './softmax.js';

export interface SoftpickOptions extends Omit<SoftmaxOptions, 'mask'> {
  /** Added to the denominator (default 1e-8). */
  eps?: number;
}

/**
 * Softpick, the rectified softmax: ReLU(e^z - 1) / (sum |e^z - 1| + eps) with z = x / T.
 * Entries at or below 0 get exactly 0 and rows need not sum to 1 (no attention sink).
 * Computed without overflow for any finite input. Edges: an all -Infinity row gives zeros,
 * NaN gives a NaN row, +Infinity entries share the mass. No `mask`: by the formula a masked
 * (-Infinity) entry still adds |0 - 1| = 1 to the denominator, so mask by leaving entries out.
 */
export function softpick(x: Float32Array, options?: SoftpickOptions & { out?: Float32Array }): Float32Array;
export function softpick(x: F32Input, options: SoftpickOptions & { out: Tensor }): Tensor;
export function softpick(x: F32Input, options?: SoftpickOptions): Float32Array;
export function softpick(x: F32Input, options?: SoftpickOptions): Float32Array | Tensor {
  const { mask, ...opts } = optionsOf<SoftpickOptions & { mask: unknown }>(options);
  if (mask !== undefined) throw new SimdnnArgumentError('mask', describe(mask), 'no mask: softpick counts masked entries in its denominator');
  const eps = opts.eps ?? 1e-8;
  if (typeof eps !== 'number' || !(eps >= 0) || !Number.isFinite(eps)) throw new SimdnnArgumentError('eps', describe(eps), 'a finite number >= 0');
  return rowOp((k, px, py, rows, cols, beta) => k.softpick_f32(px, py, rows, cols, beta, eps), x, opts, false);
}

/**
 * StableMax (Prieto et al., "Grokking at the Edge of Numerical Stability", 2025): s(z) / sum s(z)
 * with s(z) = z + 1 for z >= 0 and 1 / (1 - z) for z < 0, z = x / T + mask. It grows linearly
 * instead of exponentially, so it avoids softmax collapse in float32. Edges: -Infinity
 * entries get 0 (an all -Infinity row gives zeros), NaN gives a NaN row, +Infinity entries
 * share the mass.
 */
export function stablemax(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function stablemax(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function stablemax(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function stablemax(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.stablemax_f32(px, py, rows, cols, beta), x, options, false);
}

/**
 * Taylor softmax (de Brébisson & Vincent, 2016): f(z) / sum f(z) with the second-order
 * expansion f(z) = 1 + z + z^2 / 2 (positive everywhere), z = x / T + mask. -Infinity entries
 * are masked out (0), although f(-Infinity) would be +Infinity; an all -Infinity row gives
 * zeros, NaN gives a NaN row, +Infinity entries share the mass. Finite inputs never overflow.
 */
export function taylorSoftmax(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function taylorSoftmax(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function taylorSoftmax(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function taylorSoftmax(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.taylor_softmax_f32(px, py, rows, cols, beta), x, options, false);
}

/** n of reluNorm / sigmoidNorm, checked before any work: a number >= 1, or undefined (the row length). */
function lengthOf(n: unknown): number | undefined {
  if (n !== undefined && (typeof n !== 'number' || !(n >= 1) || !Number.isFinite(n))) throw new SimdnnArgumentError('n', describe(n), 'a finite number >= 1');
  return n as number | undefined;
}

export interface ReluNormOptions extends SoftmaxOptions {
  /** The divisor (the sequence length in the paper). Default: the row length. */
  n?: number;
}

/**
 * ReLU attention weights (Wortsman et al., "Replacing softmax with ReLU in Vision
 * Transformers", 2023): ReLU(z) / n, z = x / T + mask. Pointwise: -Infinity (masked) gives 0,
 * +Infinity gives +Infinity, NaN gives NaN in that entry only. Rows do not sum to 1.
 */
export function reluNorm(x: Float32Array, options?: ReluNormOptions & { out?: Float32Array }): Float32Array;
export function reluNorm(x: F32Input, options: ReluNormOptions & { out: Tensor }): Tensor;
export function reluNorm(x: F32Input, options?: ReluNormOptions): Float32Array;
export function reluNorm(x: F32Input, options?: ReluNormOptions): Float32Array | Tensor {
  const opts = optionsOf<ReluNormOptions>(options);
  const n = lengthOf(opts.n);
  return rowOp((k, px, py, rows, cols, beta) => k.relu_norm_f32(px, py, rows * cols, beta, 1 / (n ?? cols)), x, opts, false);
}

export interface SigmoidNormOptions extends SoftmaxOptions {
  /** Added before the sigmoid. Default -ln(n). */
  bias?: number;
  /** The n of the default bias -ln(n). Default: the row length. */
  n?: number;
  /** Divide each row by its sum. Default false. */
  normalize?: boolean;
}

/**
 * Sigmoid attention weights: sigmoid(z + b) with z = x / T + mask and b = -ln(n) by default
 * (so n equal scores start near weight 1/n), or the same divided by the row sum when
 * `normalize`. -Infinity (masked) gives 0 and +Infinity gives 1; NaN gives NaN in that entry
 * (in the whole row when normalized).
 */
export function sigmoidNorm(x: Float32Array, options?: SigmoidNormOptions & { out?: Float32Array }): Float32Array;
export function sigmoidNorm(x: F32Input, options: SigmoidNormOptions & { out: Tensor }): Tensor;
export function sigmoidNorm(x: F32Input, options?: SigmoidNormOptions): Float32Array;
export function sigmoidNorm(x: F32Input, options?: SigmoidNormOptions): Float32Array | Tensor {
  const opts = optionsOf<SigmoidNormOptions>(options);
  if (opts.bias !== undefined && (typeof opts.bias !== 'number' || !Number.isFinite(opts.bias))) {
    throw new SimdnnArgumentError('bias', describe(opts.bias), 'a finite number');
  }
  const n = lengthOf(opts.n);
  return rowOp((k, px, py, rows, cols, beta) =>
    k.sigmoid_norm_f32(px, py, rows, cols, beta, opts.bias ?? -Math.log(n ?? cols), opts.normalize ? 1 : 0), x, opts, false);
}

export interface SelfAdjustOptions extends SoftmaxOptions {
  /** Use the normalized factor (z - min(z_min, 0)) / (max(0, z_max) - min(z_min, 0)). Default false. */
  normalized?: boolean;
}

/**
 * Self-Adjust Softmax (Zheng et al., "Self-Adjust Softmax", 2025): z * softmax(z), or with
 * `normalized` the factor (z - min(z_min, 0)) / (max(0, z_max) - min(z_min, 0)) in [0, 1] instead
 * of z, with z = x / T + mask (z_min over the entries above -Infinity). Rows do not sum to 1.
 * Edges: -Infinity entries get 0 (an all -Infinity row gives zeros), NaN gives a NaN row;
 * +Infinity entries get +Infinity (normalized: 1 / their count), the others 0. A row of zeros
 * gives zeros in the normalized form (its range is 0).
 */
export function selfAdjustSoftmax(x: Float32Array, options?: SelfAdjustOptions & { out?: Float32Array }): Float32Array;
export function selfAdjustSoftmax(x: F32Input, options: SelfAdjustOptions & { out: Tensor }): Tensor;
export function selfAdjustSoftmax(x: F32Input, options?: SelfAdjustOptions): Float32Array;
export function selfAdjustSoftmax(x: F32Input, options?: SelfAdjustOptions): Float32Array | Tensor {
  const opts = optionsOf<SelfAdjustOptions>(options);
  if (opts.normalized !== undefined && typeof opts.normalized !== 'boolean') throw new SimdnnArgumentError('normalized', describe(opts.normalized), 'a boolean');
  const normalized = opts.normalized ? 1 : 0;
  return rowOp((k, px, py, rows, cols, beta) => k.self_adjust_softmax_f32(px, py, rows, cols, beta, normalized), x, opts, false, 0, true);
}

/**
 * Sparsemax (Martins & Astudillo, 2016): the Euclidean projection of z = x / T + mask onto the
 * probability simplex, max(z - tau, 0) with rows summing to 1 and exact zeros outside the
 * support. Edges: -Infinity entries get 0 (all -Infinity gives zeros), NaN gives a NaN row,
 * +Infinity entries share the mass.
 */
export function sparsemax(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function sparsemax(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function sparsemax(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function sparsemax(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.sparsemax_f32(px, py, rows, cols, beta), x, options, false);
}

/**
 * 1.5-entmax (Peters, Niculae & Martins, 2019): y = [z / 2 - tau]_+^2 with rows summing to 1
 * and exact zeros outside the support, z = x / T + mask; between softmax (alpha 1) and
 * sparsemax (alpha 2). Edges: -Infinity entries get 0 (all -Infinity gives zeros), NaN gives a
 * NaN row, +Infinity entries share the mass.
 */
export function entmax15(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function entmax15(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function entmax15(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function entmax15(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.entmax15_f32(px, py, rows, cols, beta), x, options, false);
}

export interface EntmaxOptions extends SoftmaxOptions {
  /** alpha > 1: 1.5 and 2 use the exact entmax15 and sparsemax kernels. Default 1.5. */
  alpha?: number;
}

/**
 * alpha-entmax (Peters, Niculae & Martins, 2019; Correia, Niculae & Martins, "Adaptively Sparse
 * Transformers", 2019): y = [(alpha - 1) z - tau]_+^(1 / (alpha - 1)) with rows summing to 1 and
 * exact zeros outside the support, z = x / T + mask; alpha -> 1 approaches softmax, alpha = 2 is
 * sparsemax. tau is found by Newton steps kept inside a bisection bracket, with u - tau formed in
 * float64 (entries just inside the support stay accurate even for alpha > 2, where t^(1/(alpha-1))
 * is steep at 0); within 1e-5 relative of float64 and exact zeros outside the support.
 * Edges: -Infinity entries get 0 (all -Infinity gives zeros), NaN gives a NaN row, +Infinity
 * entries share the mass.
 */
export function entmax(x: Float32Array, options?: EntmaxOptions & { out?: Float32Array }): Float32Array;
export function entmax(x: F32Input, options: EntmaxOptions & { out: Tensor }): Tensor;
export function entmax(x: F32Input, options?: EntmaxOptions): Float32Array;
export function entmax(x: F32Input, options?: EntmaxOptions): Float32Array | Tensor {
  const opts = optionsOf<EntmaxOptions>(options);
  const alpha = opts.alpha ?? 1.5;
  if (typeof alpha !== 'number' || !(alpha > 1) || !Number.isFinite(alpha)) throw new SimdnnArgumentError('alpha', describe(alpha), 'a finite number > 1');
  if (alpha === 1.5) return entmax15(x, opts);
  if (alpha === 2) return sparsemax(x, opts);
  return rowOp((k, px, py, rows, cols, beta, tmp) => k.entmax_f32(px, py, tmp, rows, cols, beta, alpha), x, opts, false, (colsOf(opts.cols, f32Input(runtime(), 'x', x)) + 8) * 8);
}

/**
 * Softplus normalization (the l1-normalized form of "Softplus Attention"): softplus(z) /
 * sum softplus(z), softplus(z) = log(1 + e^z), z = x / T + mask. Edges: -Infinity entries get 0
 * (all -Infinity gives zeros), NaN gives a NaN row, +Infinity entries share the mass. A row
 * whose largest z is below -27.6 equals softmax(z) to 1e-12 and is computed as such (no underflow).
 */
export function softplusNorm(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function softplusNorm(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function softplusNorm(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function softplusNorm(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.softplus_norm_f32(px, py, rows, cols, beta), x, options, false);
}

/**
 * log(stablemax(x)), computed directly (not as the log of a rounded probability): log s(z) -
 * log sum s(z). Edges as logSoftmax: all -Infinity gives -Infinity, NaN a NaN row, +Infinity
 * entries -log(count) and the rest -Infinity.
 */
export function logStablemax(x: Float32Array, options?: SoftmaxOptions & { out?: Float32Array }): Float32Array;
export function logStablemax(x: F32Input, options: SoftmaxOptions & { out: Tensor }): Tensor;
export function logStablemax(x: F32Input, options?: SoftmaxOptions): Float32Array;
export function logStablemax(x: F32Input, options?: SoftmaxOptions): Float32Array | Tensor {
  return rowOp((k, px, py, rows, cols, beta) => k.log_stablemax_f32(px, py, rows, cols, beta), x, options, false, 0, true); // out of place the kernel keeps t from its first pass
}
