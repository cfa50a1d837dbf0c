// Marshalling of the ggml GEMV / GEMM: activations quantized to q8_0 blocks once per call (as
// ggml's q8 activation path: values, f16-rounded scales, and sums per 16 for the code offsets),
// then one kernel call over all tokens (which decodes each group of four weight rows once for all
// of them); or f32 activations over weights dequantized four rows at a time (gemv_f32 over
// dequantize(W), bit for bit).
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { scratchRegions, inputAt } from './marshal.js';
import { GGML, quantizeBlock, fromF16, type GgmlFormat } from './ggml.js';

/** Bytes per 32 columns of the kernel's panel of four decoded weight rows (PANEL in assembly/linalg/ggml.ts). */
const PANEL_BYTES = 176;

export interface GgmlWeights { format: GgmlFormat; rows: number; cols: number; w: number }

/**
 * Y[t] = W X[t] for `tokens` rows of x (finite, tokens * cols values); y at `out` ([tokens, rows])
 * or in scratch: returns its pointer.
 */
export function gemmGgml(rt: Runtime, q: GgmlWeights, x: ArrayLike<number>, tokens: number, out: number | undefined): number {
  const { format, rows, cols } = q, nb = (tokens * cols) / 32;
  const at = scratchRegions(rt, [tokens * cols, nb * 4, nb * 8, out === undefined ? tokens * rows * 4 : 0, tokens > 1 ? (cols / 32) * PANEL_BYTES : 0]);
  const heap = rt.alloc.heap.buffer, blk = new Uint8Array(34), codes = new Int8Array(blk.buffer, 2, 32);
  const xq = new Int8Array(heap, at[0], tokens * cols), xd = new Float32Array(heap, at[1], nb), xs = new Int32Array(heap, at[2], 2 * nb);
  for (let b = 0; b < nb; b++) {
    quantizeBlock('q8_0', x, b * 32, blk, 0);
    xd[b] = fromF16(blk[0] | (blk[1] << 8));
    xq.set(codes, b * 32);
    let s0 = 0, s1 = 0;
    for (let j = 0; j < 16; j++) { s0 += codes[j]; s1 += codes[j + 16]; }
    xs[2 * b] = s0; xs[2 * b + 1] = s1;
  }
  const py = out ?? at[3];
  rt.kernels.gemm_ggml(q.w, GGML[format].code, at[0], at[1], at[2], py, rows, cols, tokens, at[4]);
  return py;
}

/** Y[t] = dequantize(W) X[t] for `tokens` rows of f32 x (any values); y at `out` or in scratch: returns its pointer. */
export function gemmGgmlF32(rt: Runtime, q: GgmlWeights, X: Float32Array | Tensor, tokens: number, out: number | undefined): number {
  const { format, rows, cols } = q;
  const at = scratchRegions(rt, [X instanceof Tensor ? 0 : tokens * cols * 4, 4 * cols * 4, out === undefined ? tokens * rows * 4 : 0]), py = out ?? at[2];
  rt.kernels.gemm_ggml_f32(q.w, GGML[format].code, inputAt(rt, X, at[0]), py, rows, cols, tokens, at[1]);
  return py;
}
