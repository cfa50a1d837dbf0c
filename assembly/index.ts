// The kernel ABI: every export takes pointers into linear memory, sizes and scalars.
// Nothing here allocates; memory is owned by the TypeScript layer (src/runtime/memory.ts).
export { softmax_f32, log_softmax_f32, logsumexp_f32, mask_logits_f32 } from './softmax/softmax';
export { topk_f32, topk_softmax_f32 } from './softmax/topk';
export { softmax_online_f32 } from './softmax/online';
export { softmax_two_pass_f32 } from './softmax/twopass';
export { softpick_f32 } from './softmax/softpick';
export { stablemax_f32, log_stablemax_f32 } from './softmax/stablemax';
export { taylor_softmax_f32 } from './softmax/taylor';
export { relu_norm_f32, sigmoid_norm_f32 } from './softmax/pointwise';
export { sparsemax_f32 } from './softmax/sparsemax';
export { entmax15_f32 } from './softmax/entmax15';
export { softplus_norm_f32 } from './softmax/softplus';
export { self_adjust_softmax_f32 } from './softmax/selfadjust';
export { sinkhorn_f32 } from './softmax/sinkhorn';
export { entmax_f32 } from './softmax/entmax';
export { gumbel_f32 } from './softmax/gumbel';
export { attention_f32, attention_norm_f32 } from './attention/attention';
export { linear_attention_f32 } from './attention/linear';
export { tropical_attention_f32 } from './attention/tropical';
export { dot_f32, dot_i8, dot_u8i8 } from './linalg/dot';
export { hadamard_f32 } from './linalg/hadamard';
export { gemv_f32, gemm_f32, gemv_i8_f32 } from './linalg/gemv';
export { gemm_ggml, gemm_ggml_f32 } from './linalg/ggml';
export { quantize_q8_0, quantize_i8 } from './linalg/q8act';
export { gemm_onnx_i8, gemv_onnx_f32, gemm_onnx_f32 } from './linalg/onnx';
export { gemv_binary_f32, gemv_binary_bin } from './linalg/binary';
export { exp_f32, log_f32 } from './simd/exp';

/** ABI version; src/runtime/kernels.ts refuses a module whose version differs. */
export function simdnn_abi(): i32 { return 4; }
/** Which build this is: 2 = relaxed SIMD, 1 = SIMD128. Lets init({ module }) name the tier. */
export function simdnn_tier(): i32 { return ASC_FEATURE_RELAXED_SIMD ? 2 : 1; }
/** First byte after the module's static data (e.g. Math.log's tables): the allocator starts above it. */
export function simdnn_heap_base(): usize { return __heap_base; }
