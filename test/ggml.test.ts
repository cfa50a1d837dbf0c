// ggml q8_0 / q4_0: bytes bit-exact against an independent statement of ggml's reference
// quantizers (f16 by float64 arithmetic, not bit tricks), dequantization, round-trip bounds,
// and gemv with q8_0 activations in every tier against float64 over the same quantized values.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS } from './util';
import { randomF32 } from './reference';

const fr = Math.fround;

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
const unf16 = (h: number) => { const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 31, m = h & 1023; return e ? s * (1 + m / 1024) * 2 ** (e - 15) : s * m * 2 ** -24; };
const roundf = (x: number) => Math.sign(x) * Math.floor(Math.abs(x) + 0.5);

/** ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref for one row, as the C does it in f32. */
function refBlocks(format: 'q8_0' | 'q4_0', x: ArrayLike<number>): Uint8Array {
  const bb = format === 'q8_0' ? 34 : 18, out = new Uint8Array((x.length / 32) * bb);
  for (let b = 0; b < x.length / 32; b++) {
    const v = Array.from({ length: 32 }, (_, j) => x[b * 32 + j]), o = b * bb;
    let d: number;
    if (format === 'q8_0') {
      d = fr(Math.max(...v.map(Math.abs)) / 127);
      const id = d ? fr(1 / d) : 0;
      v.forEach((t, j) => { out[o + 2 + j] = roundf(fr(t * id)) & 255; });
    } else {
      let amax = 0, max = 0;
      for (const t of v) if (amax < Math.abs(t)) { amax = Math.abs(t); max = t; }
      d = fr(max / -8);
      const id = d ? fr(1 / d) : 0, q = (t: number) => Math.min(15, Math.trunc(fr(fr(t * id) + 8.5)));
      for (let j = 0; j < 16; j++) out[o + 2 + j] = q(v[j]) | (q(v[j + 16]) << 4);
    }
    const h = f16(d);
    out[o] = h & 255; out[o + 1] = h >> 8;
  }
  return out;
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const format of ['q8_0', 'q4_0'] as const) {
      it(`${format}: bytes bit-exact with ggml's reference, zero and tie blocks, dequantize, round trip, from`, () => {
        const rows = 3, cols = 96;
        for (const [lo, hi, seed] of [[-1, 1, 1], [-300, 50, 2], [-1e-6, 1e-6, 3], [-6e4, 6e4, 4]]) {
          const x = randomF32(rows * cols, seed, lo, hi);
          x.fill(0, 32, 64); // an all-zero block
          const q = simdnn.quantize(x, { format, cols });
          expect(q.bytes, `${lo}..${hi}`).toEqual(refBlocks(format, x));
          const back = simdnn.dequantize(q), bb = format === 'q8_0' ? 34 : 18, bytes = q.bytes as Uint8Array;
          for (let b = 0; b < rows * cols / 32; b++) {
            const d16 = Math.abs(unf16(bytes[b * bb] | (bytes[b * bb + 1] << 8))), steps = format === 'q8_0' ? 127 : 8;
            let amax = 0;
            for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
            // half a step (q4_0: a whole step, its range [-8, 7] clips the side opposite the
            // largest value), plus the f16 rounding of d (subnormal for tiny blocks) over the steps
            const bound = (format === 'q8_0' ? d16 / 2 : d16) + steps * Math.abs(amax / steps - d16);
            for (let j = 0; j < 32; j++) expect(Math.abs(back[b * 32 + j] - x[b * 32 + j])).toBeLessThanOrEqual(bound * 1.0001 + 1e-30);
          }
          const w = simdnn.QTensor.from(format, bytes, rows, cols);
          expect(simdnn.dequantize(w)).toEqual(back);
          q.dispose(); w.dispose();
        }
        // ties: q8_0 with amax 127 has d = 1, so x.5 rounds away from zero (C roundf)
        if (format === 'q8_0') {
          const x = new Float32Array(32).map((_, j) => [127, 0.5, -0.5, 1.5, -2.5, 126.5][j] ?? j - 20);
          expect(Array.from(new Int8Array((simdnn.quantize(x, { format, cols: 32 }).bytes as Uint8Array).buffer, 2, 32)).slice(0, 6)).toEqual([127, 1, -1, 2, -3, 127]);
        }
      });

      it(`${format}: gemv with q8_0 activations against float64 over the same quantized values`, () => {
        for (const [rows, cols] of [[1, 32], [5, 64], [17, 4096]]) {
          const w = randomF32(rows * cols, rows + cols, -1, 1), x = randomF32(cols, cols + 3, -2, 2);
          const q = simdnn.quantize(w, { format, cols }), wq = simdnn.dequantize(q), xa = refBlocks('q8_0', x);
          const y = simdnn.gemv(q, x);
          for (let r = 0; r < rows; r++) {
            let want = 0, mag = 0;
            for (let b = 0; b < cols / 32; b++) {
              const dx = unf16(xa[b * 34] | (xa[b * 34 + 1] << 8));
              for (let j = 0; j < 32; j++) { const t = wq[r * cols + b * 32 + j] * ((xa[b * 34 + 2 + j] << 24) >> 24) * dx; want += t; mag += Math.abs(t); }
            }
            expect(Math.abs(y[r] - want), `${rows}x${cols} row ${r}`).toBeLessThanOrEqual(1e-6 * mag + 1e-30);
          }
          q.dispose();
        }
      });
    }

    it('bad arguments', () => {
      expect(() => simdnn.quantize(new Float32Array(40), { format: 'q4_0', cols: 40 })).toThrow(/cols/);
      expect(() => simdnn.quantize(new Float32Array(32), { format: 'q5_0', cols: 32 } as never)).toThrow(/format/);
      expect(() => simdnn.QTensor.from('q8_0', new Uint8Array(33), 1, 32)).toThrow(/bytes/);
      const q = simdnn.quantize(new Float32Array(64), { format: 'q8_0', cols: 64 });
      expect(() => simdnn.gemv(q, new Float32Array(64), { activations: 'f32' })).toThrow(/activations/);
      expect(() => simdnn.gemv(q, Float32Array.from({ length: 64 }, (_, i) => (i ? 0 : NaN)))).toThrow(/finite/);
      q.dispose();
    });
  });
}
