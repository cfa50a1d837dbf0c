// Everything public except init/initSync, which each entry point (src/entry/*) binds to its
// own way of finding the wasm files.
export { softmax, logSoftmax, logSumExp, type SoftmaxOptions } from './ops/softmax';
export { tensor, Tensor } from './runtime/tensor';
export { capabilities, getModule, type Capabilities, type InitOptions, type ModuleSource, type ModuleOption } from './runtime/init';
export type { Tier } from './runtime/runtime';
export { trimMemory } from './runtime/trim';
export {
  SimdnnError, SimdnnArgumentError, SimdnnNotInitializedError, SimdnnMemoryError, SimdnnTierError, SimdnnDisposedError,
} from './runtime/errors';
