// Codebook formats: 4-bit codes indexing a 16-entry f32 table, one f32 scale per group (the scale
// layouts of src/ops/onnx.ts), x = fround(table[code] * scale).
//   nf4       QLoRA's NormalFloat table, quantized as bitsandbytes' blockwise NF4:
//             scale = amax of the group, q = fround(x * fround(1 / scale)), code = the number of
//             thresholds t with q > t, t = fround of the midpoints of adjacent table values (these
//             are bitsandbytes' constants exactly). A NaN q (0 * Inf: a zero in a group whose
//             1 / amax overflows f32, amax < 2^-128, or an all-zero group) gets code 0, as there.
//   codebook  the caller's 16 distinct finite values in any order (log grids, power-of-sqrt-2
//             grids, NUPES-style power grids ...): scale = fround(amax / max |table|), then as nf4
//             over the table sorted by value (a tie at a midpoint goes to the smaller value).
// Bytes: two codes per byte, element 2i in the HIGH nibble (bitsandbytes' packing), rows back to
// back; so `bytes` of an nf4 QTensor are bitsandbytes' packed weights and `scales` its absmax.
// Round trip: |x - dequantize(quantize(x))| <= scale * (largest gap between adjacent sorted
// values) / 2 for x within the group's range, plus f32 rounding (groups with amax >= 2^-126).
import { SimdnnArgumentError, describe } from '../runtime/errors.js';

export type CodebookFormat = 'nf4' | 'codebook';
export const CODEBOOK_FORMATS: CodebookFormat[] = ['nf4', 'codebook'];
export const isCodebook = (f: string): f is CodebookFormat => (CODEBOOK_FORMATS as string[]).includes(f);

/** QLoRA's NF4 table (quantiles of N(0, 1) normalized to [-1, 1], with an exact 0). */
export const NF4 = Float32Array.of(
  -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1,
);

/** The table of a format: NF4, or the `codebook` option checked (16 distinct finite values). */
export function codebookTable(format: CodebookFormat, codebook: unknown): Float32Array {
  if (format === 'nf4') {
    if (codebook !== undefined) throw new SimdnnArgumentError('codebook', describe(codebook), "undefined for 'nf4' (its table is fixed)");
    return NF4;
  }
  const ok = (codebook instanceof Float32Array || Array.isArray(codebook)) && codebook.length === 16;
  const t = ok ? Float32Array.from(codebook as ArrayLike<number>) : undefined;
  if (!t || t.some((v) => !Number.isFinite(v)) || new Set(t).size !== 16 || t.every((v) => v === 0)) {
    throw new SimdnnArgumentError('codebook', describe(codebook), '16 distinct finite values (a Float32Array or number array)');
  }
  return t;
}

/** max |table|: the divisor of amax in the default scale. */
export const tableMax = (t: Float32Array) => t.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** code(q) for q = x / scale: table order by value, and the midpoint thresholds between neighbours. */
export function encoder(t: Float32Array): (q: number) => number {
  const order = Array.from(t.keys()).sort((a, b) => t[a] - t[b]);
  const mids = Float32Array.from({ length: 15 }, (_, k) => (t[order[k]] + t[order[k + 1]]) / 2);
  return (q) => {
    let k = 0;
    while (k < 15 && q > mids[k]) k++; // (NaN compares false: the smallest value)
    return order[k];
  };
}

/** Codes of x per element, with q = fround(x * fround(1 / scale)) as bitsandbytes multiplies. */
export function quantizeCodebook(t: Float32Array, x: ArrayLike<number>, scaleOf: (i: number) => number): Int32Array {
  const code = encoder(t);
  return Int32Array.from({ length: x.length }, (_, i) => code(Math.fround(x[i] * Math.fround(1 / scaleOf(i)))));
}

/**
 * What the kernel reads at `table`: the four byte planes of the 16 values (plane p, lane i = byte
 * p of value i: four i8x16.swizzle lookups give a code's f32 bytes), then the values themselves.
 */
export function kernelTable(t: Float32Array): Float32Array {
  const out = new Float32Array(32), b = new Uint8Array(out.buffer), v = new Uint8Array(t.buffer, t.byteOffset, 64);
  for (let i = 0; i < 16; i++) for (let p = 0; p < 4; p++) b[16 * p + i] = v[4 * i + p];
  out.set(t, 16);
  return out;
}
