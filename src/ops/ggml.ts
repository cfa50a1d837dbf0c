// ggml block formats with ggml's byte layout and reference rounding, so GGUF tensors can be used
// as they are. A row of cols (a multiple of 32) is cols / 32 blocks:
//   q8_0: 34 bytes = f16 d, then 32 int8 q;            x = d * q
//   q4_0: 18 bytes = f16 d, then 16 bytes of nibbles;  x = d * (q - 8), byte j holds element j in
//         its low nibble and element j + 16 in its high nibble
// Quantization follows ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref in f32 arithmetic.
export const QK = 32;
export const BLOCK_BYTES = { q8_0: 34, q4_0: 18 } as const;
export type GgmlFormat = keyof typeof BLOCK_BYTES;

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const fr = Math.fround;

/** f32 -> IEEE half bits, round to nearest even (as F16C's _cvtss_sh and ggml's fallback). */
export function toF16(x: number): number {
  f32[0] = x;
  const b = u32[0], sign = (b >>> 16) & 0x8000, exp = (b >>> 23) & 0xff, man = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0); // Inf, NaN
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00; // overflow
  if (e <= 0) { // subnormal half (or zero)
    if (e < -10) return sign;
    const m = man | 0x800000, shift = 14 - e, half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && (r & 1))) r++;
    return sign | r;
  }
  let r = (e << 10) | (man >>> 13);
  const rest = man & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (r & 1))) r++; // may carry into the exponent: correct
  return sign | r;
}

/** IEEE half bits -> number (exact). */
export function fromF16(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** C roundf: half away from zero. */
const roundf = (x: number) => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));

/** One block of 32 values at x[o..] into out[at..] (ggml's reference quantizers, f32 arithmetic). */
export function quantizeBlock(format: GgmlFormat, x: ArrayLike<number>, o: number, out: Uint8Array, at: number): void {
  if (format === 'q8_0') {
    let amax = 0;
    for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(x[o + j]));
    const d = fr(amax / 127), id = d ? fr(1 / d) : 0, h = toF16(d);
    out[at] = h & 0xff; out[at + 1] = h >>> 8;
    for (let j = 0; j < QK; j++) out[at + 2 + j] = roundf(fr(x[o + j] * id)) & 0xff;
    return;
  }
  let amax = 0, max = 0;
  for (let j = 0; j < QK; j++) { const v = x[o + j]; if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; } }
  const d = fr(max / -8), id = d ? fr(1 / d) : 0, h = toF16(d);
  out[at] = h & 0xff; out[at + 1] = h >>> 8;
  const q = (j: number) => Math.min(15, Math.trunc(fr(fr(x[o + j] * id) + 8.5)));
  for (let j = 0; j < QK / 2; j++) out[at + 2 + j] = q(j) | (q(j + 16) << 4);
}

/** The 32 values of the block at b[at..]. */
export function dequantizeBlock(format: GgmlFormat, b: Uint8Array, at: number, out: Float32Array, o: number): void {
  const d = fromF16(b[at] | (b[at + 1] << 8));
  for (let j = 0; j < QK; j++) {
    const q = format === 'q8_0' ? ((b[at + 2 + j] << 24) >> 24) : (j < 16 ? b[at + 2 + j] & 15 : b[at + 2 + j - 16] >> 4) - 8;
    out[o + j] = d * q;
  }
}
