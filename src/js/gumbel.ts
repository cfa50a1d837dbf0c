// Gumbel-softmax in plain TypeScript. The noise must be bit-identical to the wasm tiers
// (assembly/softmax/gumbel.ts): the same counter hash with Math.imul, and the same f32 log
// with every operation rounded by Math.fround (no fused multiply-add anywhere).
import { softmaxRows } from './softmax.js';

const fr = Math.fround;
const bits = new Float32Array(1);
const ints = new Int32Array(bits.buffer);
const SQRT_HALF_BITS = 0x3f3504f3;
const FLT_MIN = fr(1.17549435e-38);
const C9 = fr(2 / 9), C7 = fr(2 / 7), C5 = fr(2 / 5), C3 = fr(2 / 3);
const LN2_HI = fr(0.693359375), LN2_LO = fr(-2.1219444e-4);
const GOLDEN = 0x9e3779b9 | 0;

/** The f32 log of assembly/simd/vlog.ts (vlogStrict), operation by operation. */
export function logStrict(x: number): number {
  const den = x < FLT_MIN;
  bits[0] = den ? fr(x * 8388608) : x;
  const t = (ints[0] - SQRT_HALF_BITS) | 0;
  const e = (t >> 23) - (den ? 23 : 0);
  ints[0] = ((t & 0x7fffff) + SQRT_HALF_BITS) | 0;
  const f = fr(bits[0] - 1);
  const s = fr(f / fr(f + 2));
  const s2 = fr(s * s);
  let p = fr(fr(s2 * C9) + C7);
  p = fr(fr(p * s2) + C5);
  p = fr(fr(p * s2) + C3);
  const logm = fr(fr(fr(s * s2) * p) + fr(s + s));
  const y = fr(fr(e * LN2_HI) + fr(fr(e * LN2_LO) + logm));
  if (x === 0) return -Infinity;
  if (x === Infinity) return Infinity;
  return x >= 0 ? y : NaN;
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b | 0);
  return h ^ (h >>> 16);
}

/** The Gumbel noise of counter c (wrapped to 32 bits) under the seed halves lo, hi. */
export function gumbelNoise(c: number, lo: number, hi: number): number {
  const h = mix((mix(c ^ lo) + ((hi + GOLDEN) | 0)) | 0);
  const u = fr(((h >>> 9) + 0.5) * 2 ** -23);
  return -logStrict(-logStrict(u));
}

/** mode 0: softmax((x + g) * beta); 1: one-hot of argmax(x + g); 2: x + g. y may be x. */
export function gumbel(x: Float32Array, y: Float32Array, rows: number, cols: number, beta: number, lo: number, hi: number, mode: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let i = 0; i < cols; i++) y[o + i] = x[o + i] + gumbelNoise((o + i) | 0, lo, hi);
    if (mode === 1) hardRow(y.subarray(o, o + cols));
  }
  if (mode === 0) softmaxRows(y, y, rows, cols, beta, 'softmax');
}

function hardRow(z: Float32Array): void {
  let k = 0, nan = false;
  for (let i = 0; i < z.length; i++) {
    if (z[i] !== z[i]) nan = true;
    else if (z[i] > z[k] || z[k] !== z[k]) k = i;
  }
  const m = z[k];
  z.fill(nan ? NaN : 0);
  if (!nan && m !== -Infinity) z[k] = 1;
}
