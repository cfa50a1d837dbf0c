// The js tier behind the kernel ABI: the same pointer signatures as the wasm exports, over
// an ArrayHeap, delegating to the readable kernels in this folder.
import type { Kernels } from '../runtime/kernels.js';
import type { Heap } from '../runtime/memory.js';
import { softmaxRows, softmaxOnline, softmaxTwoPass, maskLogits } from './softmax.js';
import { topk, topkSoftmax } from './topk.js';
import { softpick } from './softpick.js';
import { normalizeRows, stablemaxTerm, taylorTerm, softplusNorm, logStablemax } from './normalized.js';
import { reluNorm, sigmoidNorm } from './pointwise.js';
import { sparsemax } from './sparsemax.js';
import { entmax15 } from './entmax15.js';
import { gumbel } from './gumbel.js';
import { attention, attentionNorm } from './attention.js';
import { linearAttention } from './linear.js';
import { tropicalAttention } from './tropical.js';
import { gemvF32, gemvInt8F32, gemmGgml } from './linalg.js';
import { gemvOnnx } from './onnx.js';
import { quantizeTokens } from '../ops/onnx.js';
import { gemvBinaryF32, gemvBinaryBits } from './binary.js';
import { GGML, GGML_FORMATS, dequantizeBlock, quantizeActivations } from '../ops/ggml.js';
import { entmax } from './entmax.js';
import { sinkhorn } from './sinkhorn.js';
import { selfAdjustSoftmax } from './selfadjust.js';
import { hadamard } from './hadamard.js';

export function jsKernels(heap: Heap): Kernels {
  const f32 = (p: number, n: number) => new Float32Array(heap.buffer, p, n);
  const rowsOp = (out: 'softmax' | 'logSoftmax' | 'logSumExp') =>
    (x: number, y: number, rows: number, cols: number, beta: number) =>
      softmaxRows(f32(x, rows * cols), f32(y, out === 'logSumExp' ? rows : rows * cols), rows, cols, Math.fround(beta), out);
  // zpe 0: the float and codebook formats store no zero points (fp4's kernel codes have 12)
  const zeros = (zpe: number, n: number, kind: number) => (zpe ? new Int32Array(heap.buffer, zpe, n) : new Int32Array(n).fill(kind === 4 ? 12 : 0));
  const k: Kernels = {
    softmax_f32: rowsOp('softmax'),
    log_softmax_f32: rowsOp('logSoftmax'),
    logsumexp_f32: rowsOp('logSumExp'),
    softmax_online_f32(x, y, rows, cols, beta) {
      softmaxOnline(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    softmax_two_pass_f32(x, y, rows, cols, beta) {
      softmaxTwoPass(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    softpick_f32(x, y, rows, cols, beta, eps) {
      softpick(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), Math.fround(eps));
    },
    stablemax_f32(x, y, rows, cols, beta) {
      normalizeRows(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), stablemaxTerm);
    },
    log_stablemax_f32(x, y, rows, cols, beta) {
      logStablemax(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    taylor_softmax_f32(x, y, rows, cols, beta) {
      normalizeRows(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), taylorTerm);
    },
    relu_norm_f32(x, y, n, beta, inv) {
      reluNorm(f32(x, n), f32(y, n), Math.fround(beta), Math.fround(inv));
    },
    sigmoid_norm_f32(x, y, rows, cols, beta, bias, normalize) {
      sigmoidNorm(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), Math.fround(bias), normalize !== 0);
    },
    sparsemax_f32(x, y, rows, cols, beta) {
      sparsemax(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    entmax15_f32(x, y, rows, cols, beta) {
      entmax15(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    softplus_norm_f32(x, y, rows, cols, beta) {
      softplusNorm(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta));
    },
    self_adjust_softmax_f32(x, y, rows, cols, beta, normalized) {
      selfAdjustSoftmax(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), normalized !== 0);
    },
    sinkhorn_f32(x, y, _tmp, batch, rows, cols, beta, iters) {
      sinkhorn(f32(x, batch * rows * cols), f32(y, batch * rows * cols), batch, rows, cols, Math.fround(beta), iters);
    },
    entmax_f32(x, y, _cand, rows, cols, beta, alpha) {
      entmax(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), alpha);
    },
    attention_f32(p) {
      attention(heap.buffer, p);
    },
    tropical_attention_f32(q, kk, v, out, batch, heads, kvHeads, seqQ, seqK, d, causal, symmetric, mask, maskRows) {
      const nq = batch * heads * seqQ * d, nk = batch * kvHeads * seqK * d;
      tropicalAttention(f32(q, nq), f32(kk, nk), f32(v, nk), f32(out, nq), batch, heads, kvHeads, seqQ, seqK, d, causal !== 0, symmetric !== 0,
        mask ? new Uint8Array(heap.buffer, mask, maskRows * seqK) : undefined, maskRows);
    },
    linear_attention_f32(p) {
      linearAttention(heap.buffer, p);
    },
    attention_norm_f32(p, kind, s) {
      attentionNorm(heap.buffer, p, kind, s, k); // the row kernels of this same tier
    },
    gumbel_f32(x, y, rows, cols, beta, seedLo, seedHi, mode) {
      gumbel(f32(x, rows * cols), f32(y, rows * cols), rows, cols, Math.fround(beta), seedLo | 0, seedHi | 0, mode);
    },
    topk_f32(x, vals, idx, rows, cols, k) {
      topk(f32(x, rows * cols), f32(vals, rows * k), new Int32Array(heap.buffer, idx, rows * k), rows, cols, k);
    },
    topk_softmax_f32(x, vals, idx, rows, cols, k, beta, renorm) {
      topkSoftmax(f32(x, rows * cols), f32(vals, rows * k), new Int32Array(heap.buffer, idx, rows * k), rows, cols, k, Math.fround(beta), renorm !== 0);
    },
    mask_logits_f32(x, mask, y, rows, cols, maskRows, beta, kind) {
      const m = kind === 0 ? f32(mask, maskRows * cols) : new Uint8Array(heap.buffer, mask, maskRows * cols);
      maskLogits(f32(x, rows * cols), m, f32(y, rows * cols), rows, cols, maskRows, Math.fround(beta));
    },
    exp_f32(x, y, n) {
      const a = f32(x, n), b = f32(y, n);
      for (let i = 0; i < n; i++) b[i] = Math.exp(a[i]);
    },
    log_f32(x, y, n) {
      const a = f32(x, n), b = f32(y, n);
      for (let i = 0; i < n; i++) b[i] = Math.log(a[i]);
    },
    dot_f32(a, b, n) {
      const u = f32(a, n), v = f32(b, n);
      let s = 0;
      for (let i = 0; i < n; i++) s += u[i] * v[i];
      return Math.fround(s);
    },
    gemv_f32(w, x, y, rows, cols) {
      gemvF32(f32(w, rows * cols), f32(x, cols), f32(y, rows), rows, cols);
    },
    gemm_f32(w, x, y, rows, cols, tokens, ys) {
      for (let t = 0; t < tokens; t++) k.gemv_f32(w, x + 4 * t * cols, y + 4 * t * ys, rows, cols);
    },
    gemv_i8_f32(w, scale, x, y, rows, cols) {
      gemvInt8F32(new Int8Array(heap.buffer, w, rows * cols), f32(scale, rows), f32(x, cols), f32(y, rows), rows, cols);
    },
    gemm_ggml(w, format, xq, xd, _xs, y, rows, cols, tokens) {
      gemmGgml(new Uint8Array(heap.buffer), w, GGML_FORMATS[format], new Int8Array(heap.buffer, xq, tokens * cols), f32(xd, tokens * cols / 32), f32(y, tokens * rows), rows, cols, tokens);
    },
    quantize_q8_0(x, xq, xd, xs, tokens, cols) {
      const nb = (tokens * cols) / 32;
      return quantizeActivations(f32(x, tokens * cols), new Int8Array(heap.buffer, xq, tokens * cols), f32(xd, nb), new Int32Array(heap.buffer, xs, 2 * nb), cols) ? 1 : 0;
    },
    quantize_i8(x, xq, xs, sx, tokens, cols, group, four) {
      return quantizeTokens(f32(x, tokens * cols), new Int8Array(heap.buffer, xq, tokens * cols), new Int32Array(heap.buffer, xs, tokens * (cols / group)), f32(sx, tokens), tokens, cols, group, four !== 0) ? 1 : 0;
    },
    gemm_ggml_f32(w, format, x, y, rows, cols, tokens, dec) { // as the wasm: four rows dequantized at dec, then gemm_f32 over them
      const f = GGML_FORMATS[format], { qk, bytes } = GGML[f], mem = new Uint8Array(heap.buffer), rb = (cols / qk) * bytes;
      for (let r = 0; r < rows; r += 4) {
        const n = Math.min(4, rows - r), d = f32(dec, n * cols);
        for (let i = 0; i < n * cols; i += qk) dequantizeBlock(f, mem, w + r * rb + (i / qk) * bytes, d, i);
        k.gemm_f32(dec, x, y + 4 * r, n, cols, tokens, rows);
      }
    },
    gemm_onnx_i8(w, kind, scale, zpe, gstride, xq, _xs, sx, y, rows, cols, group, tokens) { // token by token
      const n = gstride ? rows * gstride : 1, s = f32(sx, tokens);
      for (let t = 0; t < tokens; t++) gemvOnnx(new Uint8Array(heap.buffer), w, kind, f32(scale, n), zeros(zpe, n, kind), gstride, new Int8Array(heap.buffer, xq + t * cols, cols), s[t], f32(y + 4 * t * rows, rows), rows, cols, group);
    },
    gemv_onnx_f32(w, kind, scale, zpe, gstride, x, y, rows, cols, group, table) {
      const n = gstride ? rows * gstride : 1;
      gemvOnnx(new Uint8Array(heap.buffer), w, kind, f32(scale, n), zeros(zpe, n, kind), gstride, f32(x, cols), 1, f32(y, rows), rows, cols, group, table ? f32(table + 64, 16) : undefined);
    },
    gemm_onnx_f32(w, kind, scale, zpe, gstride, x, y, rows, cols, group, table, tokens) { // token by token (the wasm decodes each row once)
      for (let t = 0; t < tokens; t++) k.gemv_onnx_f32(w, kind, scale, zpe, gstride, x + 4 * t * cols, y + 4 * t * rows, rows, cols, group, table);
    },
    gemv_binary_f32(w, scale, gstride, x, y, rows, cols, group, _tab) {
      gemvBinaryF32(new Uint8Array(heap.buffer), w, f32(scale, gstride ? rows * gstride : 1), gstride, f32(x, cols), f32(y, rows), rows, cols, group);
    },
    gemv_binary_bin(w, scale, gstride, xb, sx, y, rows, cols, group) {
      gemvBinaryBits(new Uint8Array(heap.buffer), w, f32(scale, gstride ? rows * gstride : 1), gstride, xb, Math.fround(sx), f32(y, rows), rows, cols, group);
    },
    dot_i8(a, b, n) {
      const u = new Int8Array(heap.buffer, a, n), v = new Int8Array(heap.buffer, b, n);
      let s = 0;
      for (let i = 0; i < n; i++) s += u[i] * v[i];
      return s | 0;
    },
    dot_u8i8(a, b, n) {
      const u = new Uint8Array(heap.buffer, a, n), v = new Int8Array(heap.buffer, b, n);
      let s = 0;
      for (let i = 0; i < n; i++) s += u[i] * v[i]; // exact: |s| <= 32640 n < 2^53
      return s;
    },
    hadamard_f32(x, y, rows, cols) {
      hadamard(f32(x, rows * cols), f32(y, rows * cols), rows, cols);
    },
  };
  return k;
}
