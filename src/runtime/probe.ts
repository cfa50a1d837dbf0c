// Feature probes: tiny modules that validate only where the engine has the feature.
// (The byte sequences follow the approach of wasm-feature-detect: one function using one
// instruction of the proposal.)

/** (func (result v128) i32.const 0 i8x16.splat i8x16.popcnt) */
const SIMD = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
/** (func (result v128) i32.const 0 i8x16.splat i8x16.splat i8x16.relaxed_swizzle) */
const RELAXED = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11]);

export interface Features { wasm: boolean; simd: boolean; relaxedSimd: boolean }

export function probeFeatures(): Features {
  const wasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  const ok = (bytes: Uint8Array) => { try { return wasm && WebAssembly.validate(bytes as Uint8Array<ArrayBuffer>); } catch { return false; } };
  return { wasm, simd: ok(SIMD), relaxedSimd: ok(RELAXED) };
}
