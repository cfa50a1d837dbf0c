// Marshalling of gemv and gemm for the ONNX-layout formats: int8 activations (quantized per token
// in wasm, as the int8 path, reordered for the kernel with per-group sums), one kernel call for all
// tokens; f32 activations straight in (gemm: each weight row decoded once for all tokens).
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { scratchRegions, inputAt } from './marshal.js';
import { SimdnnArgumentError } from '../runtime/errors.js';
import { KIND, is4bit, type OnnxFormat, type ScaleLayout } from './onnx.js';

/** `table`: the kernel table of the codebook formats (0 for the others). */
export interface OnnxWeights { format: OnnxFormat; rows: number; cols: number; w: number; scales: number; zpe: number; table: number; layout: ScaleLayout }

/** W x with f32 activations; y at `out` or in scratch: returns its pointer. */
export function gemvOnnxF32(rt: Runtime, q: OnnxWeights, x: Float32Array | Tensor, out: number | undefined): number {
  const { rows, cols, layout } = q;
  const at = scratchRegions(rt, [x instanceof Tensor ? 0 : cols * 4, out === undefined ? rows * 4 : 0]), py = out ?? at[1];
  rt.kernels.gemv_onnx_f32(q.w, KIND[q.format], q.scales, q.zpe, layout.groupsPerRow, inputAt(rt, x, at[0]), py, rows, cols, layout.groupSize, q.table);
  return py;
}

/**
 * Y = X W^T for `tokens` rows of activations X (finite, else an error naming `name`, raised before
 * anything is written), quantized per token to int8 in the kernel quantize_i8 (as quantizeRow; for
 * 4-bit kinds deinterleaved per 32-run of a group, with each group's code sum for the zero points),
 * then one kernel call (gemv is tokens = 1); Y at `out` ([tokens, rows]) or in scratch: returns its pointer.
 */
export function gemmOnnxI8(rt: Runtime, q: OnnxWeights, name: string, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { format, rows, cols, layout } = q, g = layout.groupSize;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, tokens * cols, tokens * (cols / g) * 4, tokens * 4, out === undefined ? tokens * rows * 4 : 0]);
  if (!rt.kernels.quantize_i8(inputAt(rt, X, at[0]), at[1], at[2], at[3], tokens, cols, g, is4bit(format) ? 1 : 0)) throw new SimdnnArgumentError(name, 'a non-finite value', "finite values with activations 'int8'");
  const py = out ?? at[4];
  rt.kernels.gemm_onnx_i8(q.w, KIND[format], q.scales, q.zpe, layout.groupsPerRow, at[1], at[2], at[3], py, rows, cols, g, tokens);
  return py;
}

/** Y = X W^T for `tokens` rows of f32 activations, each weight row decoded once (gemm_onnx_f32); Y at `out` or in scratch: returns its pointer. */
export function gemmOnnxF32(rt: Runtime, q: OnnxWeights, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { rows, cols, layout } = q, g = layout.groupSize;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, cols * 4 + (cols / g) * 4, out === undefined ? tokens * rows * 4 : 0]), py = out ?? at[2];
  rt.kernels.gemm_onnx_f32(q.w, KIND[q.format], q.scales, q.zpe, layout.groupsPerRow, inputAt(rt, X, at[0]), py, rows, cols, g, q.table, tokens, at[1]);
  return py;
}
