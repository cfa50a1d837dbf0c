// 16-entry byte tables indexed by 4-bit codes with a swizzle. The tables live in memory: V8
// rebuilds a v128 constant at every use (three instructions), a load is one.

const TABLES = memory.data<i8>([
  12, 13, 14, 15, 16, 18, 20, 24, 12, 11, 10, 9, 8, 6, 4, 0, // fp4_e2m1 codes as 2 value + 12: all in [0, 24]
  -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113, // ggml's kvalues_iq4nl
], 16);

// @ts-ignore: decorator
@inline export const FP4_TABLE: i32 = 0, IQ4NL_TABLE: i32 = 1;

/** Table k (FP4_TABLE, IQ4NL_TABLE). */
// @ts-ignore: decorator
@inline export function table(k: i32): v128 { return v128.load(TABLES + (<usize>k << 4)); }

/** Entry n of table k. */
// @ts-ignore: decorator
@inline export function entry(k: i32, n: i32): i32 { return <i32>load<i8>(TABLES + (<usize>k << 4) + <usize>n); }

/** Lanes of a with indices 0..15 (the relaxed form is exact for them, and one instruction fewer in V8). */
// @ts-ignore: decorator
@inline export function lookup(a: v128, i: v128): v128 { return ASC_FEATURE_RELAXED_SIMD ? i8x16.relaxed_swizzle(a, i) : i8x16.swizzle(a, i); }
