// Marshalling of the ggml GEMV / GEMM: activations quantized to q8_0 blocks once per call (as
// ggml's q8 activation path, in the kernel quantize_q8_0: codes, f16-rounded scales, code sums),
// then one kernel call over all tokens (which decodes each group of four weight rows once for all
// of them); or f32 activations over weights dequantized four rows at a time (gemv_f32 over
// dequantize(W), bit for bit).
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { scratchRegions, inputAt } from './marshal.js';
import { SimdnnArgumentError } from '../runtime/errors.js';
import { GGML, type GgmlFormat } from './ggml.js';

/** Bytes per 128 columns of one row of the kernel's panel of four decoded weight rows (PANEL in assembly/linalg/ggml.ts). */
const PANEL_BYTES = 176;

export interface GgmlWeights { format: GgmlFormat; rows: number; cols: number; w: number }

/**
 * Y[t] = W X[t] for `tokens` rows of X (tokens * cols values; a NaN or infinity is an error naming
 * `name`, raised before anything is written); y at `out` ([tokens, rows]) or in scratch: returns its pointer.
 */
export function gemmGgml(rt: Runtime, q: GgmlWeights, name: string, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { format, rows, cols } = q, nb = (tokens * cols) / 32;
  // xd and xs with slack for the kernel's last group of four sub-blocks (whose missing lanes it
  // masks); xq's 96 bytes of slack are the xd and xs regions that follow it
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, tokens * cols, nb * 4 + 12, nb * 8 + 24, out === undefined ? tokens * rows * 4 : 0, tokens > 1 ? 4 * Math.ceil(cols / 128) * PANEL_BYTES : 0]);
  if (!rt.kernels.quantize_q8_0(inputAt(rt, X, at[0]), at[1], at[2], at[3], tokens, cols)) throw new SimdnnArgumentError(name, 'a non-finite value', "finite values with activations 'int8'");
  const py = out ?? at[4];
  rt.kernels.gemm_ggml(q.w, GGML[format].code, at[1], at[2], at[3], py, rows, cols, tokens, at[5]);
  return py;
}

/** Y[t] = dequantize(W) X[t] for `tokens` rows of f32 x (any values); y at `out` or in scratch: returns its pointer. */
export function gemmGgmlF32(rt: Runtime, q: GgmlWeights, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { format, rows, cols } = q;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, 4 * cols * 4, out === undefined ? tokens * rows * 4 : 0]), py = out ?? at[2];
  rt.kernels.gemm_ggml_f32(q.w, GGML[format].code, inputAt(rt, X, at[0]), py, rows, cols, tokens, at[1]);
  return py;
}
