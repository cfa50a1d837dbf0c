// Everything public except init/initSync, which each entry point (src/entry/*) binds to its
// own way of finding the wasm files.
export { softmax, logSoftmax, logSumExp, ssmax, type SoftmaxOptions, type SoftmaxAlgorithm, type SsmaxOptions } from './ops/softmax.js';
export { softpick, stablemax, logStablemax, taylorSoftmax, softplusNorm, reluNorm, sigmoidNorm, sparsemax, entmax15, entmax, type EntmaxOptions, selfAdjustSoftmax, type SelfAdjustOptions, type SoftpickOptions, type ReluNormOptions, type SigmoidNormOptions } from './ops/variants.js';
export { sinkhorn, type SinkhornOptions } from './ops/sinkhorn.js';
export { kvCache, KVCache, type KVCacheOptions } from './ops/kvcache.js';
export { quantize, dequantize, gemv, dot, QTensor, type QFormat, type QScaleOptions } from './ops/quant.js';
export { gemm, type GemmOptions } from './ops/gemm.js';
export { hadamard, type HadamardOptions } from './ops/hadamard.js';
export { tropicalAttention, type TropicalAttentionOptions } from './ops/tropical.js';
export { linearAttention, linearState, LinearState, type LinearAttentionOptions, type LinearStateOptions, type FeatureMap } from './ops/linear.js';
export { attention, alibiSlopes, type AttentionOptions, type AttentionResult, type Normalizer } from './ops/attention.js';
export { gumbelSoftmax, addGumbelNoise, type GumbelOptions, type GumbelSoftmaxOptions } from './ops/gumbel.js';
export { topk, topkSoftmax, argmax, hardmax, type TopkOptions, type TopkSoftmaxOptions, type TopkResult } from './ops/topk.js';
export { tensor, Tensor } from './runtime/tensor.js';
export { capabilities, getModule, type Capabilities, type InitOptions, type ModuleSource, type ModuleOption } from './runtime/init.js';
export type { Tier } from './runtime/runtime.js';
export { trimMemory } from './runtime/trim.js';
export {
  SimdnnError, SimdnnArgumentError, SimdnnNotInitializedError, SimdnnMemoryError, SimdnnTierError, SimdnnDisposedError,
} from './runtime/errors.js';
