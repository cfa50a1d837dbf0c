// Marshalling of gemv for the ONNX-layout formats: activations quantized once per call
// (per-row symmetric int8 as the int8 path), per-group sums of them, the kernel call; and of
// gemm with f32 activations (each weight row decoded once for all tokens).
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { scratchRegions, inputAt } from './marshal.js';
import { KIND, is4bit, type OnnxFormat, type ScaleLayout } from './onnx.js';

/** `table`: the kernel table of the codebook formats (0 for the others). */
export interface OnnxWeights { format: OnnxFormat; rows: number; cols: number; w: number; scales: number; zpe: number; table: number; layout: ScaleLayout }

/** W x with int8 activations (xq, sx from quantizeRow) or f32 activations; y at `out` or in scratch: returns its pointer. */
export function gemvOnnx(rt: Runtime, q: OnnxWeights, x: Float32Array | Tensor, xq: Int8Array | undefined, sx: number, out: number | undefined): number {
  const { format, rows, cols, layout } = q, kind = KIND[format], g = layout.groupSize;
  if (!xq) {
    const at = scratchRegions(rt, [x instanceof Tensor ? 0 : cols * 4, out === undefined ? rows * 4 : 0]), py = out ?? at[1];
    rt.kernels.gemv_onnx_f32(q.w, kind, q.scales, q.zpe, layout.groupsPerRow, inputAt(rt, x, at[0]), py, rows, cols, g, q.table);
    return py;
  }
  const groups = cols / g, order = new Int8Array(cols), xs = new Int32Array(groups);
  for (let k = 0; k < groups; k++) {
    const c0 = k * g, c1 = c0 + g;
    let c = c0, s = 0;
    if (is4bit(format)) for (; c + 32 <= c1; c += 32) for (let j = 0; j < 16; j++) { order[c + j] = xq[c + 2 * j]; order[c + 16 + j] = xq[c + 2 * j + 1]; }
    for (; c < c1; c++) order[c] = xq[c];
    for (let i = c0; i < c1; i++) s += xq[i];
    xs[k] = s;
  }
  const at = scratchRegions(rt, [cols, groups * 4, out === undefined ? rows * 4 : 0]), heap = rt.alloc.heap.buffer, py = out ?? at[2];
  new Int8Array(heap, at[0], cols).set(order);
  new Int32Array(heap, at[1], groups).set(xs);
  rt.kernels.gemv_onnx_i8(q.w, kind, q.scales, q.zpe, layout.groupsPerRow, at[0], at[1], sx, py, rows, cols, g);
  return py;
}

/** Y = X W^T for `tokens` rows of f32 activations, each weight row decoded once (gemm_onnx_f32); Y at `out` or in scratch: returns its pointer. */
export function gemmOnnxF32(rt: Runtime, q: OnnxWeights, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { rows, cols, layout } = q, g = layout.groupSize;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, cols * 4 + (cols / g) * 4, out === undefined ? tokens * rows * 4 : 0]), py = out ?? at[2];
  rt.kernels.gemm_onnx_f32(q.w, KIND[q.format], q.scales, q.zpe, layout.groupsPerRow, inputAt(rt, X, at[0]), py, rows, cols, g, q.table, tokens, at[1]);
  return py;
}
