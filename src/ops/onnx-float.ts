// ONNX float formats fp8_e4m3 (FLOAT8E4M3FN), fp8_e5m2 (FLOAT8E5M2) and fp4_e2m1 (FLOAT4E2M1)
// with QuantizeLinear / DequantizeLinear semantics and the scale layouts of the integer formats:
//
//   quantize:   code = cast(fround(x / scale)): round to nearest, ties to an even mantissa, then
//               out of range ([x] > max): saturate (default) -> +-max; saturate: false -> NaN
//               (e4m3fn, which has no Infinity) or +-Inf (e5m2). +-Inf: +-max when saturating,
//               else NaN (e4m3fn) / +-Inf (e5m2). NaN -> NaN. -0 keeps its sign.
//               fp4_e2m1 (no NaN, no Inf) always saturates, as the ONNX reference: NaN -> +6,
//               +-Inf -> +-6, and the sign bit is set only for x < 0 (so -0 -> +0).
//   scales:     symmetric per group, scale = fround(amax / max), at least 2^-149 (the least f32)
//               when amax > 0 (a group of zeros: scale 0 and
//               codes +0), or given by the caller (`scales`), which also admits NaN and +-Inf x.
//   dequantize: x = fround(value(code) * scale).
//   max:        e4m3fn 448 (0x7e), e5m2 57344 (0x7b), e2m1 6 (0x7).
// Bytes: fp8 one code per byte; fp4 two per byte as ONNX packs them (element 2i low nibble).
import { rne } from './onnx.js';

export type OnnxFloatFormat = 'fp8_e4m3' | 'fp8_e5m2' | 'fp4_e2m1';
export const ONNX_FLOAT_FORMATS: OnnxFloatFormat[] = ['fp8_e4m3', 'fp8_e5m2', 'fp4_e2m1'];
export const isOnnxFloat = (f: string): f is OnnxFloatFormat => (ONNX_FLOAT_FORMATS as string[]).includes(f);

/** Mantissa bits, exponent bias, largest finite value, bits per code. */
const SPEC: Record<OnnxFloatFormat, { m: number; bias: number; max: number; bits: number }> = {
  fp8_e4m3: { m: 3, bias: 7, max: 448, bits: 8 },
  fp8_e5m2: { m: 2, bias: 15, max: 57344, bits: 8 },
  fp4_e2m1: { m: 1, bias: 1, max: 6, bits: 4 },
};
export const FLOAT_MAX = (f: OnnxFloatFormat) => SPEC[f].max;

/** floor(log2 a) for a finite a > 0, exactly. */
export function exponent(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** The code of v (an f32 value). */
export function encodeFloat(f: OnnxFloatFormat, v: number, saturate = true): number {
  const { m, bias, max, bits } = SPEC[f], fp4 = bits === 4;
  if (fp4 && Number.isNaN(v)) return 0x7;
  const s = (fp4 ? v < 0 : v < 0 || Object.is(v, -0)) ? 1 << (bits - 1) : 0;
  if (Number.isNaN(v)) return s | 0x7f;
  const a = Math.abs(v), emin = 1 - bias;
  let r = Infinity;
  if (a !== Infinity) { const q = 2 ** (Math.max(emin, exponent(a || 1)) - m); r = rne(a / q) * q; }
  if (r > max) {
    if (!saturate && !fp4) return s | (f === 'fp8_e4m3' ? 0x7f : 0x7c);
    r = max;
  }
  if (r < 2 ** emin) return s | (r / 2 ** (emin - m)); // subnormal or zero
  const e = exponent(r);
  return s | ((e + bias) << m) | (r / 2 ** (e - m) - 2 ** m);
}

/** The value of a code (NaN / +-Inf where the format has them). */
export function decodeFloat(f: OnnxFloatFormat, code: number): number {
  const { m, bias, bits } = SPEC[f], sign = code >> (bits - 1) ? -1 : 1, mag = code & ((1 << (bits - 1)) - 1);
  const e = mag >> m, man = mag & ((1 << m) - 1);
  if (f === 'fp8_e4m3' && mag === 0x7f) return NaN;
  if (f === 'fp8_e5m2' && e === 31) return man ? NaN : sign * Infinity;
  return sign * (e ? (1 + man / 2 ** m) * 2 ** (e - bias) : man * 2 ** (1 - bias - m));
}

/** Codes of x / scale per element (scaleOf gives each element's scale; 0 -> code +0). */
export function quantizeFloat(f: OnnxFloatFormat, x: ArrayLike<number>, scaleOf: (i: number) => number, saturate: boolean): Int32Array {
  return Int32Array.from({ length: x.length }, (_, i) => { const s = scaleOf(i); return s ? encodeFloat(f, Math.fround(x[i] / s), saturate) : 0; });
}
