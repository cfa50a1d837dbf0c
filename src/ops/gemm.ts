// gemm: Y[t] = W X[t] for several activation rows (prefill). ggml formats with int8 activations run
// as one kernel call (each group of four weight rows decoded once into a panel for all tokens), the
// ONNX integer formats, int8 per row and fp4 with int8 activations as one call (each weight load
// decoded once for four tokens); ggml formats with f32 activations and the ONNX-layout and codebook
// formats decode each weight row once for all tokens; f32 weights are walked in L1-sized chunks, 32
// tokens at a time; binary weights and int8 per row with f32 activations run gemv per token.
import { runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { f32Input, optionsOf, positiveInt, type F32Input } from './args.js';
import { copyOut, scratchRegions, inputAt, overlaps } from './marshal.js';
import { GGML, type GgmlFormat } from './ggml.js';
import { gemmGgml, gemmGgmlF32 } from './ggml-gemm.js';
import { QTensor, gemv, defaultActivations, onnxWeights } from './quant.js';
import { gemmOnnxF32, gemmOnnxI8 } from './onnx-gemv.js';
import { isOnnx, isOnnxInt } from './onnx.js';
import type { Activations } from './binary.js';

export interface GemmOptions {
  /** Activation rows in X (default: X.length / cols). */
  tokens?: number;
  /** [tokens, rows] result. */
  out?: Float32Array | Tensor;
  /** As gemv's `activations` (QTensor weights). */
  activations?: Activations;
  /** Columns of W (needed only for Float32Array / Tensor weights when `tokens` is not given). */
  cols?: number;
}

/**
 * Y = X W^T for X [tokens, cols] and W [rows, cols] (so Y[t] = W X[t]), returned as [tokens, rows]
 * (row-major). Same weights, activations and rounding as `gemv`, token by token: `gemm(w, X)[t]`
 * equals `gemv(w, X[t])` bit for bit.
 */
export function gemm(w: F32Input | QTensor, X: F32Input, options?: GemmOptions): Float32Array | Tensor {
  const rt = runtime();
  const o = optionsOf<GemmOptions>(options);
  const n = f32Input(rt, 'X', X);
  let cols: number, rows: number;
  if (w instanceof QTensor) { w.q.check('w'); cols = w.cols; rows = w.rows; }
  else {
    const nw = f32Input(rt, 'w', w);
    cols = o.tokens !== undefined ? n / positiveInt('tokens', o.tokens) : positiveInt('cols', o.cols);
    if (!Number.isInteger(cols) || nw % cols !== 0) throw new SimdnnArgumentError('w', `length ${nw}`, `a multiple of cols (${cols})`);
    rows = nw / cols;
  }
  if (n % cols !== 0 || n === 0) throw new SimdnnArgumentError('X', `length ${n}`, `a positive multiple of the weights' cols (${cols})`);
  const tokens = positiveInt('tokens', o.tokens, n / cols);
  if (tokens * cols !== n) throw new SimdnnArgumentError('tokens', describe(o.tokens), `X.length / cols = ${n / cols}`);
  if (o.out !== undefined && f32Input(rt, 'out', o.out) !== tokens * rows) throw new SimdnnArgumentError('out', describe(o.out), `length tokens * rows = ${tokens * rows}`);
  const outT = o.out instanceof Tensor;
  const ggml = w instanceof QTensor && w.format in GGML;
  if (ggml && o.activations !== undefined && o.activations !== 'int8' && o.activations !== 'f32') throw new SimdnnArgumentError('activations', describe(o.activations), `'int8' (q8_0 blocks, default) or 'f32' for ${w.format} weights`);
  if (ggml && (o.activations ?? 'int8') === 'int8') {
    const py = gemmGgml(rt, { format: w.format as GgmlFormat, rows, cols, w: w.q.ptr }, 'X', X, tokens, outT ? (o.out as Tensor).ptr : undefined);
    return outT ? (o.out as Tensor) : copyOut(rt, py, tokens * rows, o.out as Float32Array | undefined, Float32Array);
  }
  const act = o.activations ?? defaultActivations(w);
  if (w instanceof QTensor && act === 'int8' && (isOnnxInt(w.format) || w.format === 'fp4_e2m1')) { // one kernel call (int8 per row is int8 with one group per row)
    const py = gemmOnnxI8(rt, onnxWeights(w), 'X', X, tokens, outT ? (o.out as Tensor).ptr : undefined); // QTensor weights and scratch activations: out cannot overlap them
    return outT ? (o.out as Tensor) : copyOut(rt, py, tokens * rows, o.out as Float32Array | undefined, Float32Array);
  }
  // one kernel call writing Y straight into a Tensor out, unless out overlaps an input (then through scratch)
  const ot = outT ? (o.out as Tensor) : undefined;
  const apart = (t: F32Input, len: number) => !overlaps(ot!, tokens * rows, t, len);
  const result = (py: number) => {
    if (ot && py === ot.ptr) return ot;
    const y = copyOut(rt, py, tokens * rows, ot ? ot.data : (o.out as Float32Array | undefined), Float32Array);
    return ot ?? y;
  };
  if (w instanceof QTensor && (ggml || (w.layout && isOnnx(w.format))) && act === 'f32') { // each weight row decoded once for all tokens
    const dst = ot && apart(X, n) ? ot.ptr : undefined;
    return result(ggml ? gemmGgmlF32(rt, { format: w.format as GgmlFormat, rows, cols, w: w.q.ptr }, X, tokens, dst) : gemmOnnxF32(rt, onnxWeights(w), X, tokens, dst));
  }
  if (!(w instanceof QTensor)) { // f32 weights: the weights walked once per 32 tokens
    if (o.activations !== undefined && o.activations !== 'int8' && o.activations !== 'f32') throw new SimdnnArgumentError('activations', describe(o.activations), "'f32' (or 'int8', ignored) for f32 weights");
    const direct = ot !== undefined && apart(X, n) && apart(w, rows * cols);
    const at = scratchRegions(rt, [w instanceof Tensor ? 0 : rows * cols * 4, X instanceof Tensor ? 0 : n * 4, direct ? 0 : tokens * rows * 4]);
    const py = direct ? ot.ptr : at[2];
    rt.kernels.gemm_f32(inputAt(rt, w, at[0]), inputAt(rt, X, at[1]), py, rows, cols, tokens, rows);
    return result(py);
  }
  // token by token: every check above ran first, so a bad token cannot leave a half-written out
  const xs = X instanceof Tensor ? X.toArray() : X, y = new Float32Array(tokens * rows);
  if ((act === 'int8' || act === 'binary') && w instanceof QTensor && xs.some((v) => !Number.isFinite(v))) throw new SimdnnArgumentError('X', 'a non-finite value', `finite values with activations '${act}'`);
  for (let t = 0; t < tokens; t++) y.set(gemv(w, xs.subarray(t * cols, (t + 1) * cols), { activations: o.activations }) as Float32Array, t * rows);
  if (outT) { (o.out as Tensor).data.set(y); return o.out as Tensor; }
  if (o.out) { (o.out as Float32Array).set(y); return o.out as Float32Array; }
  return y;
}
