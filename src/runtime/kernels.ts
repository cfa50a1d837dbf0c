// The kernel ABI as TypeScript sees it: the exports of assembly/index.ts. The JS tier
// implements the same signatures over its own heap (src/js/kernels.ts), so the ops layer
// is one code path for every tier. Pointers are byte offsets into the heap.
export interface Kernels {
  softmax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  log_softmax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  logsumexp_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  softmax_online_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  softmax_two_pass_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  softpick_f32(x: number, y: number, rows: number, cols: number, beta: number, eps: number): void;
  stablemax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  log_stablemax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  taylor_softmax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  relu_norm_f32(x: number, y: number, n: number, beta: number, inv: number): void;
  sigmoid_norm_f32(x: number, y: number, rows: number, cols: number, beta: number, bias: number, normalize: number): void;
  sparsemax_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  entmax15_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  softplus_norm_f32(x: number, y: number, rows: number, cols: number, beta: number): void;
  self_adjust_softmax_f32(x: number, y: number, rows: number, cols: number, beta: number, normalized: number): void;
  sinkhorn_f32(x: number, y: number, tmp: number, batch: number, rows: number, cols: number, beta: number, iters: number): void;
  entmax_f32(x: number, y: number, cand: number, rows: number, cols: number, beta: number, alpha: number): void;
  attention_f32(params: number): void;
  attention_norm_f32(params: number, kind: number, s: number): void;
  linear_attention_f32(params: number): void;
  tropical_attention_f32(q: number, k: number, v: number, out: number, batch: number, heads: number, kvHeads: number, seqQ: number, seqK: number, d: number, causal: number, symmetric: number, mask: number, maskRows: number): void;
  gumbel_f32(x: number, y: number, rows: number, cols: number, beta: number, seedLo: number, seedHi: number, mode: number): void;
  topk_f32(x: number, vals: number, idx: number, rows: number, cols: number, k: number): void;
  topk_softmax_f32(x: number, vals: number, idx: number, rows: number, cols: number, k: number, beta: number, renorm: number): void;
  mask_logits_f32(x: number, mask: number, y: number, rows: number, cols: number, maskRows: number, beta: number, kind: number): void;
  exp_f32(x: number, y: number, n: number): void;
  log_f32(x: number, y: number, n: number): void;
  dot_f32(a: number, b: number, n: number): number;
  gemv_f32(w: number, x: number, y: number, rows: number, cols: number): void;
  gemm_f32(w: number, x: number, y: number, rows: number, cols: number, tokens: number, ys: number): void;
  gemv_i8_f32(w: number, scale: number, x: number, y: number, rows: number, cols: number): void;
  gemm_ggml(w: number, format: number, xq: number, xd: number, xs: number, y: number, rows: number, cols: number, tokens: number, panel: number): void;
  gemm_ggml_f32(w: number, format: number, x: number, y: number, rows: number, cols: number, tokens: number, dec: number): void;
  quantize_q8_0(x: number, xq: number, xd: number, xs: number, tokens: number, cols: number): number;
  quantize_i8(x: number, xq: number, xs: number, sx: number, tokens: number, cols: number, group: number, four: number): number;
  dot_i8(a: number, b: number, n: number): number;
  dot_u8i8(a: number, b: number, n: number): number;
  hadamard_f32(x: number, y: number, rows: number, cols: number): void;
  gemm_onnx_i8(w: number, kind: number, scale: number, zpe: number, gstride: number, xq: number, xs: number, sx: number, y: number, rows: number, cols: number, group: number, tokens: number): void;
  gemv_onnx_f32(w: number, kind: number, scale: number, zpe: number, gstride: number, x: number, y: number, rows: number, cols: number, group: number, table: number): void;
  gemm_onnx_f32(w: number, kind: number, scale: number, zpe: number, gstride: number, x: number, y: number, rows: number, cols: number, group: number, table: number, tokens: number, dec: number): void;
  gemv_binary_f32(w: number, scale: number, gstride: number, x: number, y: number, rows: number, cols: number, group: number, tab: number): void;
  gemv_binary_bin(w: number, scale: number, gstride: number, xb: number, sx: number, y: number, rows: number, cols: number, group: number): void;
}

export const KERNEL_NAMES: readonly (keyof Kernels)[] = [
  'softmax_f32', 'log_softmax_f32', 'logsumexp_f32', 'softmax_online_f32', 'softmax_two_pass_f32', 'softpick_f32', 'stablemax_f32', 'log_stablemax_f32', 'taylor_softmax_f32', 'relu_norm_f32', 'sigmoid_norm_f32', 'sparsemax_f32', 'entmax15_f32', 'softplus_norm_f32', 'gumbel_f32', 'attention_f32', 'attention_norm_f32', 'linear_attention_f32', 'tropical_attention_f32', 'entmax_f32', 'sinkhorn_f32', 'self_adjust_softmax_f32', 'topk_f32', 'topk_softmax_f32', 'mask_logits_f32', 'exp_f32', 'log_f32', 'dot_f32', 'gemv_f32', 'gemm_f32', 'gemv_i8_f32', 'gemm_ggml', 'gemm_ggml_f32', 'quantize_q8_0', 'quantize_i8', 'dot_i8', 'gemm_onnx_i8', 'gemv_onnx_f32', 'gemm_onnx_f32', 'hadamard_f32', 'dot_u8i8', 'gemv_binary_f32', 'gemv_binary_bin',
];

/** Must match simdnn_abi() in assembly/index.ts: a wasm file from another version is refused. */
export const ABI_VERSION = 4;
