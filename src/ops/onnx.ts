// ONNX QuantizeLinear / DequantizeLinear semantics for the integer formats int8, uint8, int4 and
// uint4, with scales per tensor, per row (ONNX per-axis, axis 0) or per group of `groupSize`
// columns of a row (ONNX blocked quantization, axis 1, block_size = groupSize).
//
//   quantize:   q = clamp(rne(fround(x / scale)) + zp, qmin, qmax)   (f32 division, as ONNX;
//               rne = round half to even; a group whose scale is 0 gives q = zp)
//   dequantize: x = fround((q - zp) * scale)
//   ranges:     int8 [-128, 127], uint8 [0, 255], int4 [-8, 7], uint4 [0, 15]
//   symmetric (default): scale = fround(amax / qm) with qm = 127 (8-bit) or 7 (4-bit) and
//               zp = 0 (int8, int4) or 128 / 8 (uint8 / uint4), so codes stay in [zp - qm, zp + qm]
//   asymmetric: rmin = min(0, min x), rmax = max(0, max x) (the range includes 0, as ONNX
//               DynamicQuantizeLinear / MatMulNBits), scale = fround((rmax - rmin) / (qmax - qmin)),
//               zp = clamp(rne(qmin - rmin / scale), qmin, qmax) (both evaluated in float64;
//               zp = 0 when scale is 0)
//   round trip: |dequantize(quantize(x)) - x| <= scale / 2 (x finite; plus f32 rounding)
//   non-finite x: refused (SimdnnArgumentError): the scales come from the data, and ONNX leaves
//               NaN -> integer undefined.
// Bytes: 8-bit codes one per byte, row-major; 4-bit codes packed as ONNX does (element 2i in the
// low nibble, element 2i + 1 in the high nibble of byte i, two's complement for int4), so a
// tensor's bytes are ONNX's. 4-bit needs even cols and groupSize (rows then start on a byte).
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { isOnnxFloat, type OnnxFloatFormat } from './onnx-float.js';
import { isCodebook, type CodebookFormat } from './codebook.js';

export type OnnxIntFormat = 'int8' | 'uint8' | 'int4' | 'uint4';
export const ONNX_INT_FORMATS: OnnxIntFormat[] = ['int8', 'uint8', 'int4', 'uint4'];
export const RANGE: Record<OnnxIntFormat, [number, number]> = { int8: [-128, 127], uint8: [0, 255], int4: [-8, 7], uint4: [0, 15] };
export const isOnnxInt = (f: string): f is OnnxIntFormat => (ONNX_INT_FORMATS as string[]).includes(f);
export const is4bit = (f: string) => f === 'int4' || f === 'uint4' || f === 'fp4_e2m1' || isCodebook(f);
/** The integer formats, the float ones of src/ops/onnx-float.ts and the codebooks of src/ops/codebook.ts: the formats with scale layouts. */
export type OnnxFormat = OnnxIntFormat | OnnxFloatFormat | CodebookFormat;
export const isOnnx = (f: string): f is OnnxFormat => isOnnxInt(f) || isOnnxFloat(f) || isCodebook(f);
const unsigned = (f: OnnxIntFormat) => f === 'uint8' || f === 'uint4';

/** How the scales are laid out: `groupsPerRow` scales per row (0 = one scale for the tensor). */
export interface ScaleLayout { groupSize: number; groupsPerRow: number; count: number }

/** Symmetric int8 of one row into out[to..]: scale = max|x| / 127 (f32), q = rne(x / scale); returns the scale. */
export function quantizeRow(row: ArrayLike<number>, out: Int8Array, to: number): number {
  let m = 0;
  for (let c = 0; c < row.length; c++) m = Math.max(m, Math.abs(row[c]));
  const scale = Math.fround(m / 127);
  for (let c = 0; c < row.length; c++) out[to + c] = scale ? Math.max(-127, Math.min(127, rne(row[c] / scale))) : 0;
  return scale;
}

/**
 * The int8 activation path of the ONNX formats (the js tier's quantize_i8 kernel): each token's
 * row of x quantized by quantizeRow into xq (scale at sx[t]); with `four` (4-bit weights) each
 * whole 32-run of a group stored deinterleaved (16 even elements, then the 16 odd), as the
 * kernels read it; xs[t * groups + g] the code sum of group g. False if x held a NaN or an infinity.
 */
export function quantizeTokens(x: Float32Array, xq: Int8Array, xs: Int32Array, sx: Float32Array, tokens: number, cols: number, group: number, four: boolean): boolean {
  if (x.some((v) => !Number.isFinite(v))) return false;
  const q = new Int8Array(cols);
  for (let t = 0; t < tokens; t++) {
    sx[t] = quantizeRow(x.subarray(t * cols, (t + 1) * cols), q, 0);
    for (let g = 0; g < cols / group; g++) {
      const c0 = g * group, c1 = c0 + group, at = t * cols;
      let c = c0, s = 0;
      if (four) for (; c + 32 <= c1; c += 32) for (let j = 0; j < 16; j++) { xq[at + c + j] = q[c + 2 * j]; xq[at + c + 16 + j] = q[c + 2 * j + 1]; }
      for (; c < c1; c++) xq[at + c] = q[c];
      for (let i = c0; i < c1; i++) s += q[i];
      xs[t * (cols / group) + g] = s;
    }
  }
  return true;
}

/** groupSize -> blocked (cols % groupSize == 0); axis null -> per tensor; else per row. */
export function scaleLayout(format: string, rows: number, cols: number, groupSize: unknown, axis: unknown): ScaleLayout {
  if (axis !== undefined && axis !== null && axis !== 0 && axis !== 1) throw new SimdnnArgumentError('axis', describe(axis), '0 (a scale per row), 1 (with groupSize: per group of a row) or null (one scale for the tensor)');
  if (groupSize !== undefined) {
    if (typeof groupSize !== 'number' || !Number.isInteger(groupSize) || groupSize <= 0) throw new SimdnnArgumentError('groupSize', describe(groupSize), 'a positive integer');
    if (axis === 0 || axis === null) throw new SimdnnArgumentError('axis', describe(axis), '1 or undefined with groupSize (groups run along a row)');
    if (cols % groupSize !== 0) throw new SimdnnArgumentError('groupSize', `${groupSize} for cols ${cols}`, 'a divisor of cols');
    if (is4bit(format) && groupSize % 2 !== 0) throw new SimdnnArgumentError('groupSize', `${groupSize} for ${format}`, 'an even group size (4-bit groups start on a byte)');
    return { groupSize, groupsPerRow: cols / groupSize, count: rows * (cols / groupSize) };
  }
  if (axis === 1) throw new SimdnnArgumentError('groupSize', 'undefined with axis 1', 'a group size');
  if (axis === null) return { groupSize: cols, groupsPerRow: 0, count: 1 };
  return { groupSize: cols, groupsPerRow: 1, count: rows };
}

/** Round half to even. */
export function rne(y: number): number {
  const f = Math.floor(y), r = y - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v));

/** The scale index of element (r, c). */
export const scaleIndex = (l: ScaleLayout, r: number, c: number) => (l.groupsPerRow ? r * l.groupsPerRow + Math.floor(c / l.groupSize) : 0);

/** Codes (as integers), scales and zero points of a [rows, cols] matrix (finite values). */
export function quantizeInt(format: OnnxIntFormat, x: ArrayLike<number>, rows: number, cols: number, l: ScaleLayout, symmetric: boolean): { q: Int32Array; scales: Float32Array; zps: Int32Array } {
  const [qmin, qmax] = RANGE[format], q = new Int32Array(rows * cols), scales = new Float32Array(l.count), zps = new Int32Array(l.count);
  const lo = new Float64Array(l.count), hi = new Float64Array(l.count);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = scaleIndex(l, r, c), v = x[r * cols + c];
    if (v < lo[k]) lo[k] = v;
    if (v > hi[k]) hi[k] = v;
  }
  const qm = is4bit(format) ? 7 : 127, zsym = unsigned(format) ? qm + 1 : 0;
  for (let k = 0; k < l.count; k++) {
    if (symmetric) { scales[k] = Math.max(-lo[k], hi[k]) / qm; zps[k] = zsym; }
    else {
      scales[k] = (hi[k] - lo[k]) / (qmax - qmin);
      zps[k] = scales[k] ? clamp(rne(qmin - lo[k] / scales[k]), qmin, qmax) : 0;
    }
  }
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = scaleIndex(l, r, c), s = scales[k];
    q[r * cols + c] = s ? clamp(rne(Math.fround(x[r * cols + c] / s)) + zps[k], qmin, qmax) : zps[k];
  }
  return { q, scales, zps };
}

/** The shift of element i's nibble: element 2i low (ONNX), or high (the codebook formats, as bitsandbytes). */
const nibShift = (format: OnnxFormat, i: number) => ((i & 1) ^ (isCodebook(format) ? 1 : 0)) * 4;

/** Bytes of n codes: one per byte, or two per byte (nibShift). */
export function packCodes(format: OnnxFormat, q: Int32Array): Int8Array | Uint8Array {
  if (format === 'int8') return Int8Array.from(q);
  if (!is4bit(format)) return Uint8Array.from(q);
  const out = new Uint8Array(Math.ceil(q.length / 2));
  for (let i = 0; i < q.length; i++) out[i >> 1] |= (q[i] & 15) << nibShift(format, i);
  return out;
}

/** Codes of n elements from the bytes. */
export function unpackCodes(format: OnnxFormat, b: Int8Array | Uint8Array, n: number): Int32Array {
  if (!is4bit(format)) return Int32Array.from(b.subarray(0, n));
  const q = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = (b[i >> 1] >> nibShift(format, i)) & 15;
    q[i] = format === 'int4' && v > 7 ? v - 16 : v;
  }
  return q;
}

export const byteLengthInt = (format: OnnxFormat, n: number) => (is4bit(format) ? Math.ceil(n / 2) : n);

/** x = fround((q - zp) * scale). */
export function dequantizeInt(format: OnnxIntFormat, b: Int8Array | Uint8Array, rows: number, cols: number, l: ScaleLayout, scales: Float32Array, zps: Int32Array): Float32Array {
  const q = unpackCodes(format, b, rows * cols), out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const k = scaleIndex(l, r, c);
    out[r * cols + c] = (q[r * cols + c] - zps[k]) * scales[k];
  }
  return out;
}

/**
 * The zero point the kernels subtract, for codes as the kernels read them: int8 codes signed;
 * uint8 codes read as b ^ 0x80 (signed, = b - 128); 4-bit nibbles read unsigned (int4 as n ^ 8 =
 * q + 8). So w = scale * (code - zpe).
 */
export function kernelZero(format: OnnxFormat, zp: number): number {
  return format === 'uint8' ? zp - 128 : format === 'int4' ? zp + 8 : format === 'fp4_e2m1' ? 12 : zp;
}
/**
 * Kernel format ids: 0 int8, 1 uint8, 2 int4, 3 uint4, 4 fp4_e2m1 (nibbles read through a table
 * as 2 value + 12, in [0, 24]; zpe 12 and a factor 1/2 in the kernel), 5 fp8_e4m3, 6 fp8_e5m2,
 * 7 the codebook formats (high nibble first, values from the kernel table; zpe 0).
 */
export const KIND: Record<OnnxFormat, number> = { int8: 0, uint8: 1, int4: 2, uint4: 3, fp4_e2m1: 4, fp8_e4m3: 5, fp8_e5m2: 6, nf4: 7, codebook: 7 };
