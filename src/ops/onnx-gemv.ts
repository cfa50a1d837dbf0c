// Marshalling of gemv and gemm for the ONNX-layout formats: int8 activations (quantized per token,
// as the int8 path) reordered for the kernel with per-group sums, one kernel call for all tokens; f32 activations straight in (gemm: each weight row decoded once for all tokens).
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { scratchRegions, inputAt } from './marshal.js';
import { SimdnnArgumentError } from '../runtime/errors.js';
import { KIND, is4bit, quantizeRow, type OnnxFormat, type ScaleLayout } from './onnx.js';

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
 * Y = X W^T for `tokens` rows of activations X (finite, else an error naming `name`), quantized per
 * token to int8 (quantizeRow), one kernel call (gemv is tokens = 1); Y at `out` ([tokens, rows]) or
 * in scratch: returns its pointer. The kernel reads 4-bit kinds' activations deinterleaved per
 * 32-run of a group and takes each group's sum of activations for the zero points.
 */
export function gemmOnnxI8(rt: Runtime, q: OnnxWeights, name: string, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { format, rows, cols, layout } = q, g = layout.groupSize, groups = cols / g, four = is4bit(format);
  const xv = X instanceof Tensor ? X.toArray() : X;
  if (xv.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError(name, 'a non-finite value', "finite values with activations 'int8'");
  const xq = new Int8Array(tokens * cols), sx = new Float32Array(tokens);
  for (let t = 0; t < tokens; t++) sx[t] = quantizeRow(xv.subarray(t * cols, (t + 1) * cols), xq, t * cols);
  const at = scratchRegions(rt, [tokens * cols, tokens * groups * 4, tokens * 4, out === undefined ? tokens * rows * 4 : 0]), heap = rt.alloc.heap.buffer, py = out ?? at[3];
  const order = new Int8Array(heap, at[0], tokens * cols), xs = new Int32Array(heap, at[1], tokens * groups);
  for (let k = 0; k < tokens * groups; k++) {
    const c0 = k * g, c1 = c0 + g;
    let c = c0, s = 0;
    if (four) for (; c + 32 <= c1; c += 32) for (let j = 0; j < 16; j++) { order[c + j] = xq[c + 2 * j]; order[c + 16 + j] = xq[c + 2 * j + 1]; }
    for (; c < c1; c++) order[c] = xq[c];
    for (let i = c0; i < c1; i++) s += xq[i];
    xs[k] = s;
  }
  new Float32Array(heap, at[2], tokens).set(sx);
  rt.kernels.gemm_onnx_i8(q.w, KIND[format], q.scales, q.zpe, layout.groupsPerRow, at[0], at[1], at[2], py, rows, cols, g, tokens);
  return py;
}

/** Y = X W^T for `tokens` rows of f32 activations, each weight row decoded once (gemm_onnx_f32); Y at `out` or in scratch: returns its pointer. */
export function gemmOnnxF32(rt: Runtime, q: OnnxWeights, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { rows, cols, layout } = q, g = layout.groupSize;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, cols * 4 + (cols / g) * 4, out === undefined ? tokens * rows * 4 : 0]), py = out ?? at[2];
  rt.kernels.gemm_onnx_f32(q.w, KIND[q.format], q.scales, q.zpe, layout.groupsPerRow, inputAt(rt, X, at[0]), py, rows, cols, g, q.table, tokens, at[1]);
  return py;
}
