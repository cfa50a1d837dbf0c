// ggml block formats with ggml's byte layout and reference rounding, so GGUF tensors can be used
// as they are. A row is cols / qk blocks; every block splits into 32-element sub-blocks whose
// values are small integers q times a scale (one per 16 elements) plus, for some formats, a bias:
//   q8_0    34 B / 32:  f16 d, 32 i8 q                                  x = d q
//   q4_0    18 B / 32:  f16 d, 16 B nibbles                             x = d (q - 8)
//   q4_1    20 B / 32:  f16 d, f16 m, 16 B nibbles                      x = d q + m
//   q5_0    22 B / 32:  f16 d, u32 fifth bits, 16 B nibbles             x = d (q - 16)
//   q5_1    24 B / 32:  f16 d, f16 m, u32 fifth bits, 16 B nibbles      x = d q + m
//   iq4_nl  18 B / 32:  f16 d, 16 B nibbles indexing a 16-entry table   x = d T[q]
//   tq2_0   66 B / 256: 64 B of 2-bit codes, f16 d                      x = d (q - 1)
//   tq1_0   54 B / 256: 48 + 4 B of base-3 packed trits, f16 d          x = d (q - 1)
//   q4_k   144 B / 256: f16 d, f16 dmin, 12 B of 6-bit scales/mins, 128 B nibbles
//                       x = (d sc) q - (dmin m) per 32
//   q6_k   210 B / 256: 128 B low nibbles, 64 B 2-bit highs, 16 i8 scales, f16 d
//                       x = (d sc) (q - 32) per 16
//   mxfp4   17 B / 32:  e8m0 e, 16 B nibbles of e2m1 codes              x = 2^(e - 127) e2m1(q)
//                       (OCP Microscaling MXFP4 in ggml's block layout; e = 255 is NaN; the
//                       codes are read as 2 e2m1(q), so the block scale is 2^(e - 128))
// Nibble formats: byte j of a 32-block holds element j (low nibble) and j + 16 (high nibble); the
// fifth bit of element j is bit j of the u32. Quantizers follow ggml's quantize_row_*_ref in f32
// arithmetic (q4_k and q6_k: bytes from GGUF files only, via QTensor.from). mxfp4 quantizes as the
// OCP spec: shared exponent floor(log2 amax) - 2 (emax of e2m1), clamped to e >= 0, elements
// rounded to nearest e2m1 with ties to even and saturated at +-6 (ggml's own quantizer breaks ties
// differently; its bytes dequantize identically here).

import { encodeFloat, exponent } from './onnx-float.js';

export const GGML = {
  q8_0: { qk: 32, bytes: 34, code: 0 },
  q4_0: { qk: 32, bytes: 18, code: 1 },
  q4_1: { qk: 32, bytes: 20, code: 2 },
  q5_0: { qk: 32, bytes: 22, code: 3 },
  q5_1: { qk: 32, bytes: 24, code: 4 },
  iq4_nl: { qk: 32, bytes: 18, code: 5 },
  tq2_0: { qk: 256, bytes: 66, code: 6 },
  tq1_0: { qk: 256, bytes: 54, code: 7 },
  q4_k: { qk: 256, bytes: 144, code: 8 },
  q6_k: { qk: 256, bytes: 210, code: 9 },
  mxfp4: { qk: 32, bytes: 17, code: 10 },
} as const;
export type GgmlFormat = keyof typeof GGML;
export const GGML_FORMATS = Object.keys(GGML) as GgmlFormat[];
/** Formats that only wrap existing bytes (ggml's K-quant quantizers search scales; not reproduced). */
export const FROM_BYTES_ONLY: readonly GgmlFormat[] = ['q4_k', 'q6_k'];

/** The iq4_nl table (ggml's kvalues_iq4nl: a non-uniform grid fitted to normal weights). */
export const IQ4_NL = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
/** e2m1 codes as twice their value (ggml's kvalues_mxfp4; code 8 is -0). */
export const MXFP4 = [0, 1, 2, 3, 4, 6, 8, 12, -0, -1, -2, -3, -4, -6, -8, -12];
/** An e8m0 exponent byte as the f32 2^(e - 128) (half the block scale; 255: NaN). */
export const e8m0Half = (e: number) => (e === 255 ? NaN : 2 ** (e - 128));

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);
const fr = Math.fround;
const FLT_MAX = 3.4028234663852886e38;

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

/**
 * Activations x ([tokens, cols], finite) as q8_0 blocks for the ggml kernels: codes xq, scales
 * xd (f16-rounded, as f32), and xs per token: the code sums per 32, then those of each block's
 * first 16 (the kernels' zero-point terms). The js tier's quantize_q8_0 kernel: false if x held
 * a NaN or an infinity.
 */
export function quantizeActivations(x: Float32Array, xq: Int8Array, xd: Float32Array, xs: Int32Array, cols: number): boolean {
  if (!x.every(Number.isFinite)) return false;
  const blk = new Uint8Array(34), codes = new Int8Array(blk.buffer, 2, 32), per = cols / 32;
  for (let b = 0; b < xd.length; b++) {
    quantizeBlock('q8_0', x, b * 32, blk, 0);
    xd[b] = fromF16(blk[0] | (blk[1] << 8));
    xq.set(codes, b * 32);
    let s0 = 0, s1 = 0;
    for (let j = 0; j < 16; j++) { s0 += codes[j]; s1 += codes[j + 16]; }
    const k = Math.floor(b / per) * 2 * per + (b % per);
    xs[k] = s0 + s1; xs[k + per] = s0;
  }
  return true;
}

/** C roundf / lroundf: half away from zero. */
const roundf = (x: number) => (x < 0 ? -Math.floor(-x + 0.5) : Math.floor(x + 0.5));
const putF16 = (out: Uint8Array, at: number, v: number) => { const h = toF16(v); out[at] = h & 0xff; out[at + 1] = h >>> 8; };
const getF16 = (b: Uint8Array, at: number) => fromF16(b[at] | (b[at + 1] << 8));

/** The value of largest magnitude (the first one on ties), as ggml's "max" with amax. */
function signedMax(x: ArrayLike<number>, o: number, n: number): { amax: number; max: number } {
  let amax = 0, max = 0;
  for (let j = 0; j < n; j++) { const v = x[o + j]; if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; } }
  return { amax, max };
}

/** Nibbles q[j] | q[j + 16] << 4 for j < 16, and the fifth bits (bit j of the u32) if `fifth`. */
function packNibbles(q: number[], out: Uint8Array, at: number, fifthAt = -1): void {
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    out[at + j] = (q[j] & 15) | ((q[j + 16] & 15) << 4);
    qh |= ((q[j] >> 4) << j) | ((q[j + 16] >> 4) << (j + 16));
  }
  if (fifthAt >= 0) for (let k = 0; k < 4; k++) out[fifthAt + k] = (qh >>> (8 * k)) & 0xff;
}

/** ggml's best_index_int8: the nearest table entry (the upper one unless strictly nearer below). */
function nearestIq4(x: number): number {
  const t = IQ4_NL;
  if (x <= t[0]) return 0;
  if (x >= t[15]) return 15;
  let lo = 0, hi = 15;
  while (hi - lo > 1) { const mid = (lo + hi) >> 1; if (x < t[mid]) hi = mid; else lo = mid; }
  return fr(x - t[hi - 1]) < fr(t[hi] - x) ? hi - 1 : hi;
}

/** Ternary block of 256 (tq1_0 / tq2_0): d = amax, codes lroundf(x / d) + 1 in {0, 1, 2}. */
function ternary(x: ArrayLike<number>, o: number): { d: number; t: (j: number) => number } {
  let amax = 0;
  for (let j = 0; j < 256; j++) amax = Math.max(amax, Math.abs(x[o + j]));
  const d = fr(amax), id = d ? fr(1 / d) : 0;
  return { d, t: (j) => roundf(fr(x[o + j] * id)) + 1 };
}

/** One block of qk values at x[o..] into out[at..] (ggml's reference quantizers, f32 arithmetic). */
export function quantizeBlock(format: GgmlFormat, x: ArrayLike<number>, o: number, out: Uint8Array, at: number): void {
  const q: number[] = [];
  switch (format) {
    case 'q8_0': {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
      const d = fr(amax / 127), id = d ? fr(1 / d) : 0;
      putF16(out, at, d);
      for (let j = 0; j < 32; j++) out[at + 2 + j] = roundf(fr(x[o + j] * id)) & 0xff;
      return;
    }
    case 'q4_0': case 'q5_0': {
      const levels = format === 'q4_0' ? 8 : 16, { max } = signedMax(x, o, 32);
      const d = fr(max / -levels), id = d ? fr(1 / d) : 0;
      putF16(out, at, d);
      for (let j = 0; j < 32; j++) q[j] = Math.min(2 * levels - 1, Math.trunc(fr(fr(x[o + j] * id) + levels + 0.5)));
      return packNibbles(q, out, format === 'q4_0' ? at + 2 : at + 6, format === 'q4_0' ? -1 : at + 2);
    }
    case 'q4_1': case 'q5_1': {
      let min = FLT_MAX, max = -FLT_MAX; // comparisons, as the C (Math.min would turn +0 into -0)
      for (let j = 0; j < 32; j++) { const v = x[o + j]; if (v < min) min = v; if (v > max) max = v; }
      const top = format === 'q4_1' ? 15 : 31, d = fr(fr(max - min) / top), id = d ? fr(1 / d) : 0;
      putF16(out, at, d); putF16(out, at + 2, min);
      // q5_1's reference does not clip at 31 (the scaled values stay below 31.5)
      for (let j = 0; j < 32; j++) { const t = Math.trunc(fr(fr(fr(x[o + j] - min) * id) + 0.5)); q[j] = format === 'q4_1' ? Math.min(15, t) : t; }
      return packNibbles(q, out, format === 'q4_1' ? at + 4 : at + 8, format === 'q4_1' ? -1 : at + 4);
    }
    case 'iq4_nl': { // quantize_row_iq4_nl_ref: table indices from d = max / -127, then the least-squares d (weights x^2)
      const { amax, max } = signedMax(x, o, 32);
      if (amax < fr(1e-15)) { // ggml stores d = 0 and leaves the nibbles unspecified: zeros here
        putF16(out, at, 0);
        out.fill(0, at + 2, at + 18);
        return;
      }
      const id = fr(1 / fr(max / IQ4_NL[0]));
      let sumqx = 0, sumq2 = 0;
      for (let j = 0; j < 32; j++) {
        const v = x[o + j], w = fr(v * v), l = nearestIq4(fr(id * v)), t = IQ4_NL[l];
        q[j] = l;
        sumqx = fr(sumqx + fr(fr(w * t) * v));
        sumq2 = fr(sumq2 + fr(fr(w * t) * t));
      }
      putF16(out, at, sumq2 > 0 ? fr(sumqx / sumq2) : 0);
      return packNibbles(q, out, at + 2);
    }
    case 'tq2_0': { // byte 32c + m holds elements 128c + 32l + m in bits 2l
      const { d, t } = ternary(x, o);
      for (let c = 0; c < 2; c++) for (let m = 0; m < 32; m++) {
        let b = 0;
        for (let l = 0; l < 4; l++) b |= (t(128 * c + 32 * l + m) & 3) << (2 * l);
        out[at + 32 * c + m] = b;
      }
      return putF16(out, at + 64, d);
    }
    case 'tq1_0': { // 5 trits a byte (most significant first) scaled to 256/243 steps, then 4 in qh
      const { d, t } = ternary(x, o);
      const pack = (js: number[]) => { let v = 0; for (const j of js) v = v * 3 + t(j); if (js.length === 4) v *= 3; return Math.floor((v * 256 + 242) / 243) & 0xff; };
      for (let m = 0; m < 32; m++) out[at + m] = pack([0, 1, 2, 3, 4].map((n) => m + 32 * n));
      for (let m = 0; m < 16; m++) out[at + 32 + m] = pack([0, 1, 2, 3, 4].map((n) => 160 + m + 16 * n));
      for (let j = 0; j < 4; j++) out[at + 48 + j] = pack([0, 1, 2, 3].map((n) => 240 + j + 4 * n));
      return putF16(out, at + 52, d);
    }
    case 'mxfp4': {
      let amax = 0;
      for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[o + j]));
      const e = amax > 0 ? Math.max(0, exponent(amax) - 2 + 127) : 0, s = 2 ** (e - 127);
      out[at] = e;
      for (let j = 0; j < 32; j++) q[j] = encodeFloat('fp4_e2m1', x[o + j] / s);
      return packNibbles(q, out, at + 1);
    }
    default:
      throw new Error(`no quantizer for ${format}`);
  }
}

/** A 32-element sub-block: integer codes q (signed zeros kept), the scale of each 16-element half, and a bias (x = s q + m). */
export interface Sub { q: Float64Array; s0: number; s1: number; m?: number }

/** trit n (0 = most significant) of a tq1_0 byte, as ggml's ((uint8)(b * 3^n) * 3) >> 8. */
const trit = (b: number, n: number) => ((((b * 3 ** n) & 0xff) * 3) >> 8);

/** get_scale_min_k4: the 6-bit scale and min of sub-block j from q4_k's 12 scale bytes at p. */
function scaleMinK4(b: Uint8Array, p: number, j: number): [number, number] {
  if (j < 4) return [b[p + j] & 63, b[p + j + 4] & 63];
  return [(b[p + j + 4] & 0xf) | ((b[p + j - 4] >> 6) << 4), (b[p + j + 4] >> 4) | ((b[p + j] >> 6) << 4)];
}

/** Decode sub-block s (0 .. qk/32 - 1) of the block at b[at..]. */
export function decodeSub(format: GgmlFormat, b: Uint8Array, at: number, s: number): Sub {
  const q = new Float64Array(32), nib = (p: number, j: number) => (j < 16 ? b[p + j] & 15 : b[p + j - 16] >> 4);
  const fifth = (p: number, j: number) => ((b[p + (j >> 3)] >> (j & 7)) & 1) << 4;
  switch (format) {
    case 'q8_0': { for (let j = 0; j < 32; j++) q[j] = (b[at + 2 + j] << 24) >> 24; const d = getF16(b, at); return { q, s0: d, s1: d }; }
    case 'q4_0': { for (let j = 0; j < 32; j++) q[j] = nib(at + 2, j) - 8; const d = getF16(b, at); return { q, s0: d, s1: d }; }
    case 'q4_1': { for (let j = 0; j < 32; j++) q[j] = nib(at + 4, j); const d = getF16(b, at); return { q, s0: d, s1: d, m: getF16(b, at + 2) }; }
    case 'q5_0': { for (let j = 0; j < 32; j++) q[j] = (nib(at + 6, j) | fifth(at + 2, j)) - 16; const d = getF16(b, at); return { q, s0: d, s1: d }; }
    case 'q5_1': { for (let j = 0; j < 32; j++) q[j] = nib(at + 8, j) | fifth(at + 4, j); const d = getF16(b, at); return { q, s0: d, s1: d, m: getF16(b, at + 2) }; }
    case 'iq4_nl': { for (let j = 0; j < 32; j++) q[j] = IQ4_NL[nib(at + 2, j)]; const d = getF16(b, at); return { q, s0: d, s1: d }; }
    case 'mxfp4': { for (let j = 0; j < 32; j++) q[j] = MXFP4[nib(at + 1, j)]; const d = e8m0Half(b[at]); return { q, s0: d, s1: d }; }
    case 'tq2_0': { // sub-block s = 4c + l: bits 2l of bytes 32c ..
      for (let m = 0; m < 32; m++) q[m] = ((b[at + 32 * (s >> 2) + m] >> (2 * (s & 3))) & 3) - 1;
      const d = getF16(b, at + 64); return { q, s0: d, s1: d };
    }
    case 'tq1_0': { // elements 32n + m from byte m (n < 5), 160 + 16n + m from byte 32 + m, 240 + 4n + j from qh[j]
      for (let j = 0; j < 32; j++) {
        const e = 32 * s + j;
        q[j] = (e < 160 ? trit(b[at + (e & 31)], e >> 5) : e < 240 ? trit(b[at + 32 + ((e - 160) & 15)], (e - 160) >> 4) : trit(b[at + 48 + ((e - 240) & 3)], (e - 240) >> 2)) - 1;
      }
      const d = getF16(b, at + 52); return { q, s0: d, s1: d };
    }
    case 'q4_k': { // sub-block s: nibbles (s & 1) of bytes 16 + 32 (s >> 1) ..
      for (let j = 0; j < 32; j++) q[j] = (b[at + 16 + 32 * (s >> 1) + j] >> (4 * (s & 1))) & 15;
      const [sc, mn] = scaleMinK4(b, at + 4, s), d = fr(getF16(b, at) * sc);
      return { q, s0: d, s1: d, m: -fr(getF16(b, at + 2) * mn) };
    }
    case 'q6_k': { // sub-block s = 4h + k: low nibbles of ql[64h + 32 (k & 1)], shift 4 (k >> 1); high bits 2k of qh[32h]
      const h = s >> 2, k = s & 3, d = getF16(b, at + 208), sc = (i: number) => fr(d * ((b[at + 192 + 8 * h + 2 * k + i] << 24) >> 24));
      for (let l = 0; l < 32; l++) q[l] = (((b[at + 64 * h + 32 * (k & 1) + l] >> (4 * (k >> 1))) & 15) | (((b[at + 128 + 32 * h + l] >> (2 * k)) & 3) << 4)) - 32;
      return { q, s0: sc(0), s1: sc(1) };
    }
  }
}

/** The qk values of the block at b[at..] into out[o..], in ggml's f32 arithmetic (s q, then + m). */
export function dequantizeBlock(format: GgmlFormat, b: Uint8Array, at: number, out: Float32Array, o: number): void {
  for (let s = 0; s < GGML[format].qk / 32; s++) {
    const { q, s0, s1, m } = decodeSub(format, b, at, s);
    for (let j = 0; j < 32; j++) {
      const v = fr((j < 16 ? s0 : s1) * q[j]);
      out[o + 32 * s + j] = m === undefined ? v : v + m;
    }
  }
}
