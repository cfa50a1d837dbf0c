// ggml block formats: bytes bit-exact against an independent statement of ggml's reference
// quantizers (quantize_row_*_ref, in f32 arithmetic; f16 by float64 rounding, not bit tricks),
// dequantization against ggml's dequantize_row_* loops, round-trip bounds, and gemv / gemm with
// q8_0 activations in every tier against float64 over the same quantized values, and with f32
// activations against gemv over the dequantized weights (bit for bit) and float64.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS } from './util';
import { randomF32 } from './reference';

const fr = Math.fround;
const HALF_F16_ULP = 2 ** -25;

/** f16 bits of a finite f32 by rounding |v| to the half grid in float64 (nearest, ties to even). */
function f16(v: number): number {
  const sign = v < 0 || Object.is(v, -0) ? 0x8000 : 0, a = Math.abs(v);
  if (a === 0) return sign;
  const e = Math.max(-14, Math.floor(Math.log2(a))), quantum = 2 ** (e - 10);
  let q = a / quantum;
  const f = Math.floor(q);
  q = q - f > 0.5 || (q - f === 0.5 && f % 2 === 1) ? f + 1 : f;
  const r = q * quantum;
  if (r >= 65520) return sign | 0x7c00;
  if (r < 2 ** -14) return sign | Math.round(r / 2 ** -24); // subnormal
  const E = Math.floor(Math.log2(r));
  return sign | ((E + 15) << 10) | Math.round((r / 2 ** E - 1) * 1024);
}
const unf16 = (h: number) => { const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023; return e === 31 ? (m ? NaN : s * Infinity) : e ? s * (1 + m / 1024) * 2 ** (e - 15) : s * m * 2 ** -24; };
const roundf = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);
const KV = [-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113];
const FORMATS = { q8_0: [32, 34], q4_0: [32, 18], q4_1: [32, 20], q5_0: [32, 22], q5_1: [32, 24], iq4_nl: [32, 18], tq2_0: [256, 66], tq1_0: [256, 54], q4_k: [256, 144], q6_k: [256, 210], mxfp4: [32, 17] } as const;
type F = keyof typeof FORMATS;
const QUANTIZABLE: F[] = ['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'iq4_nl', 'tq2_0', 'tq1_0', 'mxfp4'];
/** The e2m1 magnitudes by code 0..7. */
const E2M1 = [0, 0.5, 1, 1.5, 2, 3, 4, 6];

/** One block of ggml's quantize_row_<format>_ref, statement by statement. */
function refBlock(format: F, x: number[], o: Uint8Array): void {
  const put16 = (at: number, v: number) => { const h = f16(v); o[at] = h & 255; o[at + 1] = h >> 8; };
  let amax = 0, max = 0, min = 3.4028234663852886e38, hi = -3.4028234663852886e38;
  for (const v of x) { if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; } if (v < min) min = v; if (v > hi) hi = v; }
  const nib = (at: number, q: number[]) => { for (let j = 0; j < 16; j++) o[at + j] = (q[j] & 15) | ((q[j + 16] & 15) << 4); };
  const qh = (at: number, q: number[]) => { let h = 0; q.forEach((v, j) => { h |= ((v & 0x10) >> 4) << j; }); for (let k = 0; k < 4; k++) o[at + k] = (h >>> (8 * k)) & 255; };
  if (format === 'q8_0') {
    const d = fr(amax / 127), id = d ? fr(1 / d) : 0;
    put16(0, d); x.forEach((v, j) => { o[2 + j] = roundf(fr(v * id)) & 255; });
  } else if (format === 'q4_0' || format === 'q5_0') {
    const n = format === 'q4_0' ? 8 : 16, d = fr(max / -n), id = d ? fr(1 / d) : 0;
    const q = x.map((v) => Math.min(2 * n - 1, Math.trunc(fr(fr(v * id) + n + 0.5))));
    put16(0, d);
    if (format === 'q5_0') { qh(2, q); nib(6, q); } else nib(2, q);
  } else if (format === 'q4_1' || format === 'q5_1') {
    const n = format === 'q4_1' ? 15 : 31, d = fr(fr(hi - min) / n), id = d ? fr(1 / d) : 0;
    const q = x.map((v) => { const t = Math.trunc(fr(fr(fr(v - min) * id) + 0.5)); return format === 'q4_1' ? Math.min(15, t) : t & 255; });
    put16(0, d); put16(2, min);
    if (format === 'q5_1') { qh(4, q); nib(8, q); } else nib(4, q);
  } else if (format === 'iq4_nl') {
    if (amax < fr(1e-15)) { put16(0, 0); return; }
    const id = fr(1 / fr(max / KV[0]));
    let sumqx = 0, sumq2 = 0;
    const l = x.map((v) => {
      const a = fr(id * v);
      let best = 0;
      if (a >= KV[15]) best = 15;
      else if (a > KV[0]) { let ml = 0, mu = 15; while (mu - ml > 1) { const m = (ml + mu) >> 1; if (a < KV[m]) mu = m; else ml = m; } best = fr(a - KV[mu - 1]) < fr(KV[mu] - a) ? mu - 1 : mu; }
      const w = fr(v * v), q = KV[best];
      sumqx = fr(sumqx + fr(fr(w * q) * v)); sumq2 = fr(sumq2 + fr(fr(w * q) * q));
      return best;
    });
    put16(0, fr(sumqx / sumq2)); nib(2, l);
  } else if (format === 'mxfp4') { // OCP MX: shared exponent floor(log2 amax) - emax(e2m1) = 2; nearest e2m1, ties to even code, saturate
    let e = 0;
    if (amax > 0) { e = 0; while (2 ** (e - 127 + 1) <= amax) e++; while (e > 0 && 2 ** (e - 127) > amax) e--; e = Math.max(0, e - 2); }
    o[0] = e;
    const q = x.map((v) => {
      const a = Math.abs(v) / 2 ** (e - 127);
      let best = 0;
      for (let c = 1; c < 8; c++) { const d = Math.abs(E2M1[c] - a), db = Math.abs(E2M1[best] - a); if (d < db || (d === db && c % 2 === 0)) best = c; }
      if (a > 6) best = 7;
      return (v < 0 ? 8 : 0) | best;
    });
    nib(1, q);
  } else if (format === 'tq2_0' || format === 'tq1_0') {
    const d = fr(amax), id = d ? fr(1 / d) : 0, t = (j: number) => roundf(fr(x[j] * id)) + 1;
    if (format === 'tq2_0') {
      for (let j = 0; j < 64; j += 32) for (let m = 0; m < 32; m++) { let q = 0; for (let n = 0; n < 4; n++) q += (t(4 * j + m + 32 * n) & 3) << (2 * n); o[j + m] = q; }
      put16(64, d);
    } else {
      const ceil = (q: number) => Math.floor((q * 256 + 242) / 243) & 255;
      for (let m = 0; m < 32; m++) { let q = 0; for (let n = 0; n < 5; n++) q = q * 3 + t(m + 32 * n); o[m] = ceil(q); }
      for (let m = 0; m < 16; m++) { let q = 0; for (let n = 0; n < 5; n++) q = q * 3 + t(160 + m + 16 * n); o[32 + m] = ceil(q); }
      for (let j = 0; j < 4; j++) { let q = 0; for (let m = 0; m < 4; m++) q = q * 3 + t(240 + j + 4 * m); o[48 + j] = ceil(q * 3); }
      put16(52, d);
    }
  }
}

function refQuantize(format: F, x: ArrayLike<number>): Uint8Array {
  const [qk, bb] = FORMATS[format], out = new Uint8Array((x.length / qk) * bb);
  for (let b = 0; b < x.length / qk; b++) refBlock(format, Array.from({ length: qk }, (_, j) => x[b * qk + j]), out.subarray(b * bb, (b + 1) * bb));
  return out;
}

/**
 * ggml's dequantize_row_<format> for one block: the values as scale * q (f32) and the bias of
 * each (x = a + m in f32), so a dot's magnitude can count both.
 */
function refDequantBlock(format: F, b: Uint8Array): { a: number[]; m: number[] } {
  const g = (p: number) => unf16(b[p] | (b[p + 1] << 8)), a: number[] = [], m: number[] = [];
  const push = (i: number, v: number, bias = 0) => { a[i] = v; m[i] = bias; };
  const h32 = (p: number) => (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  switch (format) {
    case 'q8_0': for (let j = 0; j < 32; j++) push(j, fr(g(0) * ((b[2 + j] << 24) >> 24))); break;
    case 'q4_0': for (let j = 0; j < 16; j++) { push(j, fr(g(0) * ((b[2 + j] & 15) - 8))); push(j + 16, fr(g(0) * ((b[2 + j] >> 4) - 8))); } break;
    case 'q4_1': for (let j = 0; j < 16; j++) { push(j, fr(g(0) * (b[4 + j] & 15)), g(2)); push(j + 16, fr(g(0) * (b[4 + j] >> 4)), g(2)); } break;
    case 'q5_0': case 'q5_1': {
      const one = format === 'q5_1', qh = h32(one ? 4 : 2), qs = one ? 8 : 6, off = one ? 0 : 16;
      for (let j = 0; j < 16; j++) {
        const xh0 = ((qh >>> j) << 4) & 0x10, xh1 = (qh >>> (j + 12)) & 0x10;
        push(j, fr(g(0) * (((b[qs + j] & 15) | xh0) - off)), one ? g(2) : 0);
        push(j + 16, fr(g(0) * (((b[qs + j] >> 4) | xh1) - off)), one ? g(2) : 0);
      }
      break;
    }
    case 'iq4_nl': for (let j = 0; j < 16; j++) { push(j, fr(g(0) * KV[b[2 + j] & 15])); push(j + 16, fr(g(0) * KV[b[2 + j] >> 4])); } break;
    case 'mxfp4': { // 2^(e - 127) times the e2m1 value (e = 255: NaN)
      const s = b[0] === 255 ? NaN : 2 ** (b[0] - 127), v = (n: number) => (n & 8 ? -1 : 1) * E2M1[n & 7];
      for (let j = 0; j < 16; j++) { push(j, fr(s * v(b[1 + j] & 15))); push(j + 16, fr(s * v(b[1 + j] >> 4))); }
      break;
    }
    case 'tq2_0': { let y = 0; for (let j = 0; j < 64; j += 32) for (let l = 0; l < 4; l++) for (let k = 0; k < 32; k++) push(y++, fr((((b[j + k] >> (2 * l)) & 3) - 1) * g(64))); break; }
    case 'tq1_0': {
      const pow3 = [1, 3, 9, 27, 81, 243], tr = (v: number, n: number) => ((((v * pow3[n]) & 255) * 3) >> 8) - 1;
      let y = 0;
      for (let n = 0; n < 5; n++) for (let k = 0; k < 32; k++) push(y++, fr(tr(b[k], n) * g(52)));
      for (let n = 0; n < 5; n++) for (let k = 0; k < 16; k++) push(y++, fr(tr(b[32 + k], n) * g(52)));
      for (let n = 0; n < 4; n++) for (let j = 0; j < 4; j++) push(y++, fr(tr(b[48 + j], n) * g(52)));
      break;
    }
    case 'q4_k': {
      const sm = (j: number): [number, number] => j < 4 ? [b[4 + j] & 63, b[8 + j] & 63] : [(b[8 + j] & 0xf) | ((b[j] >> 6) << 4), (b[8 + j] >> 4) | ((b[4 + j] >> 6) << 4)];
      for (let j = 0, is = 0; j < 256; j += 64, is += 2) {
        const [s1, m1] = sm(is), [s2, m2] = sm(is + 1), d1 = fr(g(0) * s1), d2 = fr(g(0) * s2), n1 = fr(g(2) * m1), n2 = fr(g(2) * m2);
        for (let l = 0; l < 32; l++) { const q = b[16 + j / 2 + l]; push(j + l, fr(d1 * (q & 15)), -n1); push(j + 32 + l, fr(d2 * (q >> 4)), -n2); }
      }
      break;
    }
    case 'q6_k': {
      const d = g(208), sc = (i: number) => (b[192 + i] << 24) >> 24;
      for (let n = 0; n < 2; n++) for (let l = 0; l < 32; l++) {
        const ql = 64 * n, qh = 128 + 32 * n, is = 8 * n + (l >> 4), h = b[qh + l];
        push(128 * n + l, fr(fr(d * sc(is)) * (((b[ql + l] & 15) | ((h & 3) << 4)) - 32)));
        push(128 * n + l + 32, fr(fr(d * sc(is + 2)) * (((b[ql + l + 32] & 15) | (((h >> 2) & 3) << 4)) - 32)));
        push(128 * n + l + 64, fr(fr(d * sc(is + 4)) * (((b[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32)));
        push(128 * n + l + 96, fr(fr(d * sc(is + 6)) * (((b[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32)));
      }
      break;
    }
  }
  return { a, m };
}

function refDequantize(format: F, bytes: Uint8Array, n: number): { x: Float32Array; a: Float64Array; m: Float64Array } {
  const [qk, bb] = FORMATS[format], x = new Float32Array(n), a = new Float64Array(n), m = new Float64Array(n);
  for (let k = 0; k < n / qk; k++) {
    const r = refDequantBlock(format, bytes.subarray(k * bb, (k + 1) * bb));
    for (let j = 0; j < qk; j++) { a[k * qk + j] = r.a[j]; m[k * qk + j] = r.m[j]; x[k * qk + j] = r.m[j] === 0 ? r.a[j] : r.a[j] + r.m[j]; } // ggml adds no bias where there is none: -0 stays -0
  }
  return { x, a, m };
}

/** Random block bytes with finite, moderate f16 scales at the given offsets. */
function randomBlocks(format: F, blocks: number, seed: number): Uint8Array {
  const bb = FORMATS[format][1], r = randomF32(blocks * bb, seed, 0, 256), out = Uint8Array.from(r, Math.floor);
  const halves = format === 'q4_k' ? [0, 2] : [208];
  for (let k = 0; k < blocks; k++) for (const p of halves) { const h = f16(fr(0.001 + (out[k * bb + p] / 256) * 0.01)); out[k * bb + p] = h & 255; out[k * bb + p + 1] = h >> 8; }
  return out;
}

/** The q8_0 activations as ggml's q8 path makes them: values and f16-rounded block scales. */
function q8(x: ArrayLike<number>): { v: Int8Array; d: Float64Array } {
  const b = refQuantize('q8_0', x), v = new Int8Array(x.length), d = new Float64Array(x.length / 32);
  for (let k = 0; k < d.length; k++) { d[k] = unf16(b[34 * k] | (b[34 * k + 1] << 8)); v.set(new Int8Array(b.buffer, 34 * k + 2, 32), 32 * k); }
  return { v, d };
}

/** y = W X over dequantized weights and q8_0 activations, in float64, with |terms| per output. */
function refGemm(format: F, bytes: Uint8Array, rows: number, cols: number, X: Float32Array, tokens: number): { y: number[]; mag: number[] } {
  const { a, m } = refDequantize(format, bytes, rows * cols), y: number[] = [], mag: number[] = [];
  for (let t = 0; t < tokens; t++) {
    const { v, d } = q8(X.subarray(t * cols, (t + 1) * cols));
    for (let r = 0; r < rows; r++) {
      let s = 0, g = 0;
      for (let c = 0; c < cols; c++) { const i = r * cols + c, xv = v[c] * d[c >> 5]; s += (a[i] + m[i]) * xv; g += (Math.abs(a[i]) + Math.abs(m[i])) * Math.abs(xv); }
      y.push(s); mag.push(g);
    }
  }
  return { y, mag };
}

function expectDots(got: ArrayLike<number>, want: { y: number[]; mag: number[] }, label: string): void {
  want.y.forEach((w, i) => { if (!(Math.abs(got[i] - w) <= 1e-6 * want.mag[i] + 1e-30)) expect.fail(`${label} [${i}]: got ${got[i]}, want ${w} (magnitude ${want.mag[i]})`); });
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const format of QUANTIZABLE) {
      const [qk, bb] = FORMATS[format];
      it(`${format}: bytes bit-exact with ggml's reference (zero, constant, tiny, large blocks), dequantize, round trip, from`, () => {
        const rows = 3, cols = 3 * qk;
        for (const [lo, hi, seed] of [[-1, 1, 1], [-300, 50, 2], [-1e-6, 1e-6, 3], [-6e4, 6e4, 4], [2, 3, 5]]) {
          const x = randomF32(rows * cols, seed, lo, hi);
          x.fill(0, qk, 2 * qk); // an all-zero block
          x.fill(hi, 3 * qk, 4 * qk); // a constant block
          for (let j = 0; j < qk; j++) x[5 * qk + j] = j % 3 === 0 ? 1e-20 : -3e-30; // tiny (iq4_nl: below its 1e-15 cut)
          const q = simdnn.quantize(x, { format, cols }), bytes = q.bytes as Uint8Array;
          expect(bytes, `${lo}..${hi}`).toEqual(refQuantize(format, x));
          const back = simdnn.dequantize(q), want = refDequantize(format, bytes, rows * cols);
          expect(back).toEqual(want.x);
          // round trip: half a step of each block's grid (a whole step where a code range clips,
          // the ternary step is d itself), plus the f16 rounding of d; tiny blocks may flush
          for (let k = 0; k < rows * cols / qk; k++) {
            let bmax = 0, bmin = Infinity, amax = 0;
            for (let j = 0; j < qk; j++) { const v = x[k * qk + j]; bmax = Math.max(bmax, v); bmin = Math.min(bmin, v); amax = Math.max(amax, Math.abs(v)); }
            // (mxfp4: scale <= amax / 4, half of its widest step 2 scale, or 2 scale where (6, 8) scale saturates)
            const step = { q8_0: amax / 127, q4_0: amax / 8 * 2, q4_1: (bmax - bmin) / 15, q5_0: amax / 16 * 2, q5_1: (bmax - bmin) / 31, iq4_nl: amax * 24 / 127 * 2, tq2_0: amax * 2, tq1_0: amax * 2, q4_k: 0, q6_k: 0, mxfp4: amax }[format];
            // below f16's normal range d (and min) keep an absolute error of half a subnormal step
            const codes = { q8_0: 127, q4_0: 8, q4_1: 15, q5_0: 16, q5_1: 31, iq4_nl: 127, tq2_0: 1, tq1_0: 1, q4_k: 0, q6_k: 0, mxfp4: -1 }[format];
            for (let j = 0; j < qk; j++) expect(Math.abs(back[k * qk + j] - x[k * qk + j]), `${lo}..${hi} block ${k}`).toBeLessThanOrEqual(step / 2 * 1.002 + amax * 2e-3 + (codes + 1) * HALF_F16_ULP);
          }
          const w = simdnn.QTensor.from(format, bytes, rows, cols);
          expect(simdnn.dequantize(w)).toEqual(back);
          expect(w.bytes).toEqual(bytes);
          q.dispose(); w.dispose();
        }
      });

      it(`${format}: gemv and gemm with q8_0 activations against float64 over the same quantized values`, () => {
        for (const [rows, cols, tokens] of [[1, qk, 1], [5, 2 * qk, 3], [6, 7 * qk, 5], [17, 4096, 2], [3, 4096, 33]]) { // 7 qk: a partial last group of sub-blocks
          const w = randomF32(rows * cols, rows + cols, -1, 1), X = randomF32(cols * tokens, cols + 3, -2, 2);
          const q = simdnn.quantize(w, { format, cols }), bytes = q.bytes as Uint8Array;
          expectDots(simdnn.gemv(q, X.subarray(0, cols)), refGemm(format, bytes, rows, cols, X, 1), `gemv ${rows}x${cols}`);
          const Y = simdnn.gemm(q, X, { tokens }) as Float32Array;
          expectDots(Y, refGemm(format, bytes, rows, cols, X, tokens), `gemm ${rows}x${cols} tokens ${tokens}`);
          for (let t = 0; t < tokens; t++) { // the panel path (tokens > 1) equals the one-token path bit for bit
            expect(Y.subarray(t * rows, (t + 1) * rows), `gemm ${rows}x${cols} token ${t}`).toEqual(simdnn.gemv(q, X.subarray(t * cols, (t + 1) * cols)));
          }
          q.dispose();
        }
        void bb;
      });
    }

    it('q8_0 activations (quantized in the kernel): ties at .5 both signs, huge, tiny, subnormal and zero blocks, as ggml\'s reference', () => {
      const cols = 7 * 32, rows = 5, x = new Float32Array(cols);
      for (let j = 0; j < 32; j++) x[j] = j === 0 ? 127 : (j % 2 ? 1 : -1) * (Math.floor(j / 2) + 0.5); // d = 1: every code a tie
      for (let j = 0; j < 32; j++) x[32 + j] = (j - 16) * 3e6; // d far past the f16 range: Inf, as ggml stores it
      for (let j = 0; j < 32; j++) x[64 + j] = (j - 15.5) * 1e-5; // d a subnormal f16
      for (let j = 0; j < 32; j++) x[96 + j] = j % 3 ? 1e-38 * (j - 16) : 0; // 1 / d overflows f32: codes 0
      for (let j = 160; j < cols; j++) x[j] = Math.sin(j); // block 4: zeros; 5, 6: plain
      const w = randomF32(rows * cols, 9, -1, 1), q = simdnn.quantize(w, { format: 'q8_0', cols });
      const y = simdnn.gemv(q, x) as Float32Array;
      expect(Array.from(y).every((v) => Number.isNaN(v) || !Number.isFinite(v))).toBe(true); // the Inf scale of block 1 reaches every row
      const z = x.slice(); z.fill(0, 32, 64); // without it the rest is finite and matches float64 over ggml's codes
      expectDots(simdnn.gemv(q, z) as Float32Array, refGemm('q8_0', q.bytes as Uint8Array, rows, cols, z, 1), 'ties, subnormal, tiny, zero blocks');
      q.dispose();
    });

    for (const format of ['q4_k', 'q6_k'] as const) {
      it(`${format}: GGUF bytes wrapped (QTensor.from), dequantize as ggml's loops, gemv and gemm`, () => {
        for (const [rows, cols, tokens] of [[1, 256, 1], [5, 512, 3], [9, 4096, 5]]) {
          const bytes = randomBlocks(format, rows * cols / 256, rows * 7 + cols), q = simdnn.QTensor.from(format, bytes, rows, cols);
          expect(simdnn.dequantize(q)).toEqual(refDequantize(format, bytes, rows * cols).x);
          const X = randomF32(cols * tokens, cols, -3, 3);
          expectDots(simdnn.gemv(q, X.subarray(0, cols)), refGemm(format, bytes, rows, cols, X, 1), `gemv ${rows}x${cols}`);
          const Y = simdnn.gemm(q, X, { tokens }) as Float32Array;
          expectDots(Y, refGemm(format, bytes, rows, cols, X, tokens), `gemm ${rows}x${cols}`);
          for (let t = 0; t < tokens; t++) expect(Y.subarray(t * rows, (t + 1) * rows), `gemm token ${t}`).toEqual(simdnn.gemv(q, X.subarray(t * cols, (t + 1) * cols)));
          q.dispose();
        }
      });
    }

    for (const format of Object.keys(FORMATS) as F[]) {
      const qk = FORMATS[format][0];
      it(`${format}: gemv and gemm with f32 activations are gemv of the dequantized weights, bit for bit, and float64-accurate`, () => {
        for (const [rows, cols, tokens] of [[1, qk, 1], [3, 2 * qk, 2], [5, 3 * qk, 5], [17, 4096, 3]]) {
          const q = QUANTIZABLE.includes(format) ? simdnn.quantize(randomF32(rows * cols, rows * 31 + cols, -2, 2), { format, cols })
            : simdnn.QTensor.from(format, randomBlocks(format, rows * cols / qk, rows + cols), rows, cols);
          const wd = simdnn.dequantize(q), X = randomF32(cols * tokens, cols + tokens, -3, 3);
          const Y = simdnn.gemm(q, X, { tokens, activations: 'f32' }) as Float32Array;
          for (let t = 0; t < tokens; t++) {
            const xt = X.subarray(t * cols, (t + 1) * cols), y = simdnn.gemv(q, xt, { activations: 'f32' }) as Float32Array;
            expect(y, `${rows}x${cols} token ${t}`).toEqual(simdnn.gemv(wd, xt));
            expect(Y.subarray(t * rows, (t + 1) * rows), `gemm ${rows}x${cols} token ${t}`).toEqual(y);
            for (let r = 0; r < rows; r++) { // f32 sums: within cols * 2^-24 of sum |w x|, against float64
              let s = 0, g = 0;
              for (let c = 0; c < cols; c++) { s += wd[r * cols + c] * xt[c]; g += Math.abs(wd[r * cols + c] * xt[c]); }
              expect(Math.abs(y[r] - s), `row ${r}`).toBeLessThanOrEqual(cols * 2 ** -24 * g + 1e-30);
            }
          }
          q.dispose();
        }
      });
    }

    it('f32 activations: NaN and Infinity in x propagate to their rows only, -0 weights stay exact; out and Tensor in/out', () => {
      const cols = 64, rows = 6, w = randomF32(rows * cols, 9, -1, 1);
      w.fill(0, 0, cols); // row 0 all zero: 0 * Inf is NaN there too
      const q = simdnn.quantize(w, { format: 'q4_1', cols }), wd = simdnn.dequantize(q);
      const x = randomF32(cols, 10, -1, 1);
      x[5] = Infinity;
      const y = simdnn.gemv(q, x, { activations: 'f32' }) as Float32Array, ref = simdnn.gemv(wd, x) as Float32Array;
      expect(y).toEqual(ref);
      expect(y.some((v) => v === Infinity || v === -Infinity)).toBe(true);
      x[5] = NaN;
      expect(Array.from(simdnn.gemv(q, x, { activations: 'f32' }) as Float32Array).every(Number.isNaN)).toBe(true);
      const X = randomF32(3 * cols, 11, -1, 1), tx = simdnn.tensor(X), out = simdnn.tensor([3, rows]), o = new Float32Array(3 * rows);
      expect(simdnn.gemm(q, tx, { activations: 'f32', out })).toBe(out);
      expect(simdnn.gemm(q, X, { activations: 'f32', out: o })).toBe(o);
      expect(out.toArray()).toEqual(o);
      expect(() => simdnn.gemm(q, X, { activations: 'binary' })).toThrow(/activations/);
      expect(() => simdnn.gemv(q, x, { activations: 'binary' })).toThrow(/activations/);
      tx.dispose(); out.dispose(); q.dispose();
    });

    it('mxfp4: every e2m1 code and tie, e8m0 at 0, 1, 254 and 255 (NaN), dequantize and gemv as the OCP values', () => {
      // codes 0..15 twice over, scales 2^-128 .. 2^126 and NaN
      const cols = 32 * 4, bytes = new Uint8Array(17 * 4);
      [0, 1, 254, 255].forEach((e, k) => { bytes[17 * k] = e; for (let j = 0; j < 16; j++) bytes[17 * k + 1 + j] = j | ((15 - j) << 4); });
      const q = simdnn.QTensor.from('mxfp4', bytes, 1, cols), want = refDequantize('mxfp4', bytes, cols).x, got = simdnn.dequantize(q);
      for (let i = 0; i < cols; i++) expect(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])), `element ${i}`).toBe(true);
      expect(Number.isNaN(simdnn.gemv(q, new Float32Array(cols).fill(1))[0])).toBe(true); // the NaN scale reaches the output
      q.dispose();
      // ties: 0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5 times the scale go to the even code; 7 and beyond saturate
      const x = new Float32Array(32);
      x[0] = 7.9; // amax 7.9: e - 127 = 0, scale 1
      [0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 7, -0.25, -5, -7].forEach((v, j) => { x[1 + j] = v; });
      const t = simdnn.quantize(x, { format: 'mxfp4', cols: 32 }), d = simdnn.dequantize(t);
      expect(t.bytes[0]).toBe(127);
      expect(Array.from(d.subarray(0, 12))).toEqual([6, 0, 1, 1, 2, 2, 4, 4, 6, -0, -4, -6]);
      t.dispose();
    });

    it('ties and saturation: q8_0 rounds x.5 away from zero (C roundf); q4_0 clips at code 15; tq: sign of exact halves', () => {
      const x = new Float32Array(32).map((_, j) => [127, 0.5, -0.5, 1.5, -2.5, 126.5][j] ?? j - 20);
      expect(Array.from(new Int8Array((simdnn.quantize(x, { format: 'q8_0', cols: 32 }).bytes as Uint8Array).buffer, 2, 32)).slice(0, 6)).toEqual([127, 1, -1, 2, -3, 127]);
      const y = new Float32Array(32).fill(8); y[0] = -8; // d = 1: 8 / d + 8.5 = 16.5 -> 16 -> clipped to 15
      expect((simdnn.quantize(y, { format: 'q4_0', cols: 32 }).bytes as Uint8Array)[3]).toBe(15 | (15 << 4));
      const t = new Float32Array(256).map((_, j) => (j % 4 === 0 ? 0.5 : j % 4 === 1 ? -0.5 : j % 4 === 2 ? 1 : 0));
      expect(simdnn.dequantize(simdnn.quantize(t, { format: 'tq2_0', cols: 256 })).slice(0, 4)).toEqual(Float32Array.from([1, -1, 1, 0]));
    });

    it('bad arguments: block multiples, quantizer-less formats, bytes, activations, non-finite x, gemm shapes', () => {
      expect(() => simdnn.quantize(new Float32Array(40), { format: 'q4_0', cols: 40 })).toThrow(/cols/);
      expect(() => simdnn.quantize(new Float32Array(128), { format: 'tq1_0', cols: 128 })).toThrow(/multiple of 256/);
      expect(() => simdnn.quantize(new Float32Array(256), { format: 'q4_k', cols: 256 })).toThrow(/QTensor.from/);
      expect(() => simdnn.quantize(new Float32Array(32), { format: 'q5_2', cols: 32 } as never)).toThrow(/format/);
      expect(() => simdnn.quantize(Float32Array.from({ length: 32 }, (_, i) => (i ? 0 : Infinity)), { format: 'q5_1', cols: 32 })).toThrow(/finite/);
      expect(() => simdnn.QTensor.from('q8_0', new Uint8Array(33), 1, 32)).toThrow(/bytes/);
      expect(() => simdnn.QTensor.from('q6_k', new Uint8Array(209), 1, 256)).toThrow(/210 bytes/);
      const q = simdnn.quantize(new Float32Array(64), { format: 'q8_0', cols: 64 });
      expect(() => simdnn.gemv(q, Float32Array.from({ length: 64 }, (_, i) => (i ? 0 : NaN)))).toThrow(/finite/);
      expect(() => simdnn.gemm(q, new Float32Array(100))).toThrow(/X/);
      expect(() => simdnn.gemm(q, new Float32Array(128), { tokens: 3 })).toThrow(/tokens/);
      expect(() => simdnn.gemm(q, new Float32Array(128), { out: new Float32Array(3) })).toThrow(/out/);
      expect(Array.from(simdnn.gemm(q, new Float32Array(128)) as Float32Array)).toEqual([0, 0]);
      q.dispose();
    });
  });
}
