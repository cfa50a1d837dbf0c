// hadamard: validate, marshal, call the tier's hadamard_f32.
import { runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError } from '../runtime/errors.js';
import { f32Input, optionsOf, outOf, positiveInt, type F32Input } from './args.js';
import { scratchRegions, inputAt, copyOut } from './marshal.js';

export interface HadamardOptions {
  /** Row length, a power of two; rows = x.length / cols. Default: the whole input is one row. */
  cols?: number;
  /** Where to write the result: a Float32Array or Tensor of x's length. May be x itself. */
  out?: Float32Array | Tensor;
}

/**
 * Normalized fast Walsh-Hadamard transform of each row: y = H x / sqrt(cols), H the Sylvester
 * (natural order) Hadamard matrix. Orthonormal and its own inverse: hadamard(hadamard(x)) gives
 * back x up to rounding, and row norms are preserved. Each output is within
 * (log2(cols) + 2) * 2^-24 * ||row||_2 of the exact value (the scale is exact when log2(cols) is
 * even, else rounded to f32). Every output mixes every input of its row, as IEEE float math says:
 * a NaN makes the whole row NaN; infinities give y_i = sum_j H_ij x_j in extended arithmetic, i.e.
 * +-Infinity, or NaN where infinite terms of opposite signs meet (one Infinity: an all-infinite
 * row). Other rows are unaffected.
 * Returns `out` if given, else a new Float32Array.
 */
export function hadamard(x: Float32Array, options?: HadamardOptions & { out?: Float32Array }): Float32Array;
export function hadamard(x: F32Input, options: HadamardOptions & { out: Tensor }): Tensor;
export function hadamard(x: F32Input, options?: HadamardOptions): Float32Array;
export function hadamard(x: F32Input, options?: HadamardOptions): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<HadamardOptions>(options);
  const n = f32Input(rt, 'x', x);
  const cols = positiveInt('cols', o.cols, n || undefined);
  if ((cols & (cols - 1)) !== 0 || cols > 2 ** 30) throw new SimdnnArgumentError('cols', `${cols}`, 'a power of two (1, 2, 4, ...)');
  if (n % cols !== 0) throw new SimdnnArgumentError('x', `length ${n}`, `a multiple of cols (${cols})`);
  const out = outOf(rt, o.out, n);
  const xT = x instanceof Tensor, outT = out instanceof Tensor;
  // Arrays are copied in and transformed in place there; a Tensor x is read where it lives.
  const at = scratchRegions(rt, [xT ? 0 : n * 4, xT && !outT ? n * 4 : 0]);
  const px = inputAt(rt, x, at[0]);
  const py = outT ? out.ptr : xT ? at[1] : px;
  rt.kernels.hadamard_f32(px, py, n / cols, cols);
  return outT ? out : copyOut(rt, py, n, out, Float32Array);
}
