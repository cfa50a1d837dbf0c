// Codebook formats nf4 and codebook in every tier: nf4 codes against bitsandbytes' decision tree
// (its published f32 thresholds, written out here), custom tables against the nearest value
// (ties to the smaller), bitsandbytes' packing (element 2i in the high nibble), scales,
// dequantize, the round-trip bound, QTensor.from, and gemv / gemm against float64.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { randomF32 } from './reference';

const NF4 = [
  -1, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635, -0.18477343022823334, -0.09105003625154495, 0,
  0.07958029955625534, 0.16093020141124725, 0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1,
].map(Math.fround);

/** bitsandbytes' dQuantizeNF4 (its thresholds are f32 constants; NaN falls through to 0). */
function bnbNf4(x: number): number {
  const t = (v: number) => x > Math.fround(v);
  if (t(0.03979014977812767)) {
    if (t(0.3893125355243683)) return t(0.6427869200706482) ? (t(0.8614784181118011) ? 15 : 14) : t(0.5016634166240692) ? 13 : 12;
    return t(0.2035212516784668) ? (t(0.2920137718319893) ? 11 : 10) : t(0.1202552504837513) ? 9 : 8;
  }
  if (t(-0.33967943489551544)) return t(-0.13791173323988914) ? (t(-0.045525018125772476) ? 7 : 6) : t(-0.23460740596055984) ? 5 : 4;
  return t(-0.6106329262256622) ? (t(-0.4599952697753906) ? 3 : 2) : t(-0.8480964004993439) ? 1 : 0;
}

/** Nearest entry of a table by value (exact ties: the smaller value). */
function nearest(table: number[], q: number): number {
  let best = -1;
  for (let k = 0; k < 16; k++) {
    if (best < 0) { best = k; continue; }
    const d = Math.abs(table[k] - q), db = Math.abs(table[best] - q);
    if (d < db || (d === db && table[k] < table[best])) best = k;
  }
  return best;
}

/** Two codes per byte, element 2i in the high nibble. */
const pack = (codes: number[]) => Uint8Array.from({ length: codes.length / 2 }, (_, i) => (codes[2 * i] << 4) | codes[2 * i + 1]);
const nextUp = (v: number) => { const b = new Float32Array([v]), u = new Int32Array(b.buffer); u[0] += v >= 0 ? 1 : -1; return b[0]; };
const nextDown = (v: number) => -nextUp(-v);

// signed powers of sqrt 2 with a zero, out of order (a logarithmic grid)
const LOG = [0, 1, -1, 2 ** 0.5, -(2 ** 0.5), 2, -2, 2 ** 1.5, -(2 ** 1.5), 4, -4, 2 ** 2.5, -(2 ** 2.5), 8, -8, 2 ** -1].map(Math.fround);
type G = { groupSize?: number; axis?: 0 | 1 | null };
const scaleKey = (g: G, cols: number) => (r: number, c: number) => (g.groupSize ? r * (cols / g.groupSize) + Math.floor(c / g.groupSize) : g.axis === null ? 0 : r);
const FORMATS = [{ format: 'nf4' as const, table: NF4 }, { format: 'codebook' as const, table: LOG }];
const opts = (f: (typeof FORMATS)[number]) => (f.format === 'codebook' ? { format: f.format, codebook: f.table } : { format: f.format });

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('nf4: every table value, every threshold and its neighbours get bitsandbytes\' code; packing is high nibble first', () => {
      const th = [0.03979014977812767, 0.3893125355243683, 0.6427869200706482, 0.8614784181118011, 0.5016634166240692, 0.2035212516784668, 0.2920137718319893,
        0.1202552504837513, -0.33967943489551544, -0.13791173323988914, -0.045525018125772476, -0.23460740596055984, -0.6106329262256622, -0.4599952697753906, -0.8480964004993439].map(Math.fround);
      const p = [1, -1, ...NF4, ...th.flatMap((t) => [t, nextUp(t), nextDown(t)]), 0, -0, 1e-30, -1e-30];
      if (p.length % 2) p.push(0.5);
      const q = simdnn.quantize(Float32Array.from(p), { format: 'nf4', cols: p.length, axis: null }); // amax 1: q = x
      expect(q.scales![0]).toBe(1);
      const codes = p.map(bnbNf4);
      expect(Array.from(q.bytes)).toEqual(Array.from(pack(codes)));
      NF4.forEach((v, k) => expect(codes[2 + k], `table value ${k}`).toBe(k));
      expect(Array.from(q.bytes.subarray(0, 1))).toEqual([0xf0]); // 1 -> code 15 in the high nibble, -1 -> 0
      const d = simdnn.dequantize(q);
      codes.forEach((c, i) => expect(d[i]).toBe(NF4[c]));
      expect(Array.from(q.codebook!)).toEqual(NF4);
      q.dispose();
    });

    for (const f of FORMATS) {
      const m = Math.max(...f.table.map(Math.abs)), sorted = [...f.table].sort((a, b) => a - b);
      const gap = Math.max(...sorted.slice(1).map((v, i) => v - sorted[i]));

      it(`${f.format}: scales amax / max |table| per tensor, row and group; codes, bytes, dequantize, round trip, QTensor.from`, () => {
        for (const [rows, cols] of [[1, 2], [3, 16], [4, 34], [2, 64], [5, 66], [2, 4098]] as const) {
          const x = randomF32(rows * cols, rows + 3 * cols, -3, 3);
          x[0] = 0; x[1] = -1e-9; x[cols - 1] = 2.5e-7;
          if (rows > 2) x.fill(0, cols, 2 * cols); // a row of zeros: scale 0, code 0 (0 * Inf is NaN), dequantized to +-0
          for (const g of [{}, { axis: null }, { groupSize: 2 }, { groupSize: cols / 2 }] as G[]) {
            if (g.groupSize && (cols / 2) % 2) continue;
            const key = scaleKey(g, cols), nk = g.groupSize ? rows * (cols / g.groupSize) : g.axis === null ? 1 : rows;
            const amax = new Array(nk).fill(0);
            for (let i = 0; i < x.length; i++) { const k = key(Math.floor(i / cols), i % cols); amax[k] = Math.max(amax[k], Math.abs(x[i])); }
            const s = Float32Array.from(amax, (a) => a / m);
            const codes = Array.from(x, (v, i) => {
              const qv = Math.fround(v * Math.fround(1 / s[key(Math.floor(i / cols), i % cols)]));
              return Number.isNaN(qv) ? f.table.indexOf(sorted[0]) : f.format === 'nf4' ? bnbNf4(qv) : nearest(f.table, qv);
            });
            const q = simdnn.quantize(x, { ...opts(f), cols, ...g });
            expect(Array.from(q.scales!), `scales ${JSON.stringify(g)}`).toEqual(Array.from(s));
            expect(Array.from(q.bytes), `bytes ${rows}x${cols} ${JSON.stringify(g)}`).toEqual(Array.from(pack(codes)));
            expect(q.zeroPoints).toBeUndefined();
            expect(q.groupSize).toBe(g.groupSize ?? cols);
            const d = simdnn.dequantize(q);
            for (let i = 0; i < x.length; i++) {
              const sk = s[key(Math.floor(i / cols), i % cols)];
              expect(d[i]).toBe(Math.fround(f.table[codes[i]] * sk));
              const bound = sk * (gap / 2) * (1 + 2 ** -20) + Math.abs(x[i]) * 2 ** -22;
              if (!(Math.abs(d[i] - x[i]) <= bound)) expect.fail(`round trip ${i}: ${x[i]} -> ${d[i]} (bound ${bound})`);
            }
            const back = simdnn.QTensor.from(f.format, q.bytes as Uint8Array, rows, cols, { scales: q.scales!, ...g, ...(f.format === 'codebook' ? { codebook: f.table } : {}) });
            expect(Array.from(back.bytes)).toEqual(Array.from(q.bytes));
            expect(Array.from(simdnn.dequantize(back))).toEqual(Array.from(d));
            back.dispose(); q.dispose();
          }
        }
      });

      it(`${f.format}: gemv and gemm with f32 activations against float64 over the decoded weights`, () => {
        for (const [rows, cols] of [[1, 2], [3, 18], [5, 32], [4, 66], [7, 256], [3, 4098]] as const) {
          const w = randomF32(rows * cols, 7 * cols + rows, -2, 2), x = randomF32(cols, cols + 1, -1, 1);
          for (const g of [{}, { groupSize: 2 }, { groupSize: cols / 2 }, { axis: null }] as G[]) {
            if (g.groupSize && (cols / 2) % 2) continue;
            const q = simdnn.quantize(w, { ...opts(f), cols, ...g }), d = simdnn.dequantize(q);
            const want = new Float64Array(rows), mag = new Float64Array(rows);
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { want[r] += d[r * cols + c] * x[c]; mag[r] += Math.abs(d[r * cols + c] * x[c]); }
            const y = simdnn.gemv(q, x) as Float32Array;
            for (let r = 0; r < rows; r++) expect(Math.abs(y[r] - want[r]), `${rows}x${cols} ${JSON.stringify(g)} row ${r}`).toBeLessThanOrEqual(2e-6 * mag[r] + 1e-30);
            const X = new Float32Array(2 * cols); X.set(x); X.set(x.map((v) => -v), cols);
            const Y = simdnn.gemm(q, X) as Float32Array;
            expect(Array.from(Y.subarray(0, rows))).toEqual(Array.from(y));
            expect(() => simdnn.gemv(q, x, { activations: 'int8' })).toThrow(/activations.*'f32'/);
            q.dispose();
          }
        }
      });
    }

    it('codebook: midpoints go to the smaller value, just above them to the larger; table order is the code order', () => {
      const sorted = [...LOG].sort((a, b) => a - b), p: number[] = [8]; // amax 8 = max |table|: scale 1
      for (let k = 0; k < 15; k++) { const t = Math.fround((sorted[k] + sorted[k + 1]) / 2); p.push(t, nextUp(t)); }
      p.push(-8, 100 / 101, 0);
      const q = simdnn.quantize(Float32Array.from(p), { format: 'codebook', codebook: Float32Array.from(LOG), cols: p.length, axis: null });
      expect(q.scales![0]).toBe(1);
      const want = [LOG.indexOf(8)];
      for (let k = 0; k < 15; k++) want.push(LOG.indexOf(sorted[k]), LOG.indexOf(sorted[k + 1]));
      want.push(LOG.indexOf(-8), LOG.indexOf(1), LOG.indexOf(0));
      expect(Array.from(q.bytes)).toEqual(Array.from(pack(want)));
      q.dispose();
      // the nf4 table as a custom codebook gives nf4's bytes
      const x = randomF32(6 * 64, 5, -1, 1), a = simdnn.quantize(x, { format: 'nf4', cols: 64 }), b = simdnn.quantize(x, { format: 'codebook', codebook: NF4, cols: 64 });
      expect(Array.from(b.bytes)).toEqual(Array.from(a.bytes));
      a.dispose(); b.dispose();
    });

    it('float and codebook QTensors hold codes, scales and the table only (no zero points): memory and results', () => {
      const rows = 64, cols = 256, w = randomF32(rows * cols, 77, -1, 1), x = randomF32(cols, 78, -1, 1);
      const align = (n: number) => Math.ceil(n / 64) * 64;
      for (const [format, bits, extra] of [['nf4', 4, 16 * 4 + 16 * 4], ['fp4_e2m1', 4, 0], ['fp8_e4m3', 8, 0]] as const) {
        const base = simdnn.capabilities().allocatedBytes;
        const q = simdnn.quantize(w, { format, cols, groupSize: 32 }), groups = rows * cols / 32;
        const used = simdnn.capabilities().allocatedBytes - base;
        expect(used, format).toBeLessThanOrEqual(align(rows * cols * bits / 8) + align(groups * 4) + align(extra)); // a zero point per group would add groups * 4
        expect(q.zeroPoints, format).toBeUndefined();
        const y = simdnn.gemv(q, x), wd = simdnn.dequantize(q);
        for (let r = 0; r < rows; r++) {
          let s = 0, g = 0;
          for (let c = 0; c < cols; c++) { s += wd[r * cols + c] * x[c]; g += Math.abs(wd[r * cols + c] * x[c]); }
          expect(Math.abs(y[r] - s), `${format} row ${r}`).toBeLessThanOrEqual(1e-6 * g + 1e-30);
        }
        q.dispose();
        expect(simdnn.capabilities().allocatedBytes, format).toBe(base);
      }
    });

    it('bad arguments are refused with typed errors', () => {
      const x = Float32Array.of(1, 2, 3, 4);
      expect(() => simdnn.quantize(x, { format: 'codebook', cols: 2 })).toThrow(/codebook.*16 distinct finite values/);
      expect(() => simdnn.quantize(x, { format: 'codebook', cols: 2, codebook: LOG.slice(1) })).toThrow(/codebook/);
      expect(() => simdnn.quantize(x, { format: 'codebook', cols: 2, codebook: [...LOG.slice(1), 1] })).toThrow(/codebook/);
      expect(() => simdnn.quantize(x, { format: 'codebook', cols: 2, codebook: [...LOG.slice(1), NaN] })).toThrow(/codebook/);
      expect(() => simdnn.quantize(x, { format: 'nf4', cols: 2, codebook: LOG })).toThrow(/codebook.*fixed/);
      expect(() => simdnn.quantize(x, { format: 'int8', cols: 2, codebook: LOG })).toThrow(/codebook.*'codebook' format/);
      expect(() => simdnn.quantize(Float32Array.of(1, NaN), { format: 'nf4', cols: 2 })).toThrow(/x.*finite/);
      expect(() => simdnn.quantize(Float32Array.of(1, 2, 3), { format: 'nf4', cols: 3 })).toThrow(/cols.*even/);
      expect(() => simdnn.quantize(new Float32Array(6), { format: 'nf4', cols: 6, groupSize: 3 })).toThrow(/groupSize.*even/);
      expect(() => simdnn.quantize(x, { format: 'nf4', cols: 2, scales: Float32Array.of(1, 1) })).toThrow(/scales/);
      expect(() => simdnn.quantize(x, { format: 'nf4', cols: 2, symmetric: false })).toThrow(/symmetric/);
      expect(() => simdnn.QTensor.from('nf4', new Uint8Array(3), 2, 2, Float32Array.of(1, 1))).toThrow(/bytes/);
      expect(() => simdnn.QTensor.from('codebook', new Uint8Array(2), 2, 2, Float32Array.of(1, 1))).toThrow(/codebook/);
      expect(() => simdnn.QTensor.from('nf4', new Uint8Array(2), 2, 2, { scales: Float32Array.of(1, 1), zeroPoints: [0, 0] })).toThrow(/zeroPoints/);
      const ok = simdnn.QTensor.from('nf4', Uint8Array.of(0xf0, 0x7f), 2, 2, Float32Array.of(2, 3));
      expect(Array.from(simdnn.dequantize(ok))).toEqual([2, -2, 0, 3]);
      ok.dispose();
    });

    it('property: nf4 dequantize(quantize(x)) is within half the widest gap (-1 to -0.6962: 0.1519 amax) of x', () => {
      const half = Math.max(...NF4.slice(1).map((v, i) => v - NF4[i])) / 2;
      fc.assert(fc.property(fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 20 }), (xs) => {
        const x = Float32Array.from([...xs, ...xs]), q = simdnn.quantize(x, { format: 'nf4', cols: x.length }), s = q.scales![0], d = simdnn.dequantize(q);
        q.dispose();
        if (s < 2 ** -126) return true; // (1 / s overflows f32: zeros take code 0, as in bitsandbytes)
        return Array.from(x).every((v, i) => Math.abs(d[i] - v) <= s * half * (1 + 2 ** -20) + Math.abs(v) * 2 ** -22 + 2 ** -149);
      }), { numRuns: 60, examples: [[[1, -0.84]], [[-1.1754943508222875e-38, -9.81202497055648e-39]]] }); // (-0.84 -> -0.6962: beyond the positive side's half gap)
    });
  });
}

describe('codebook gemv equal across tiers', () => {
  it('nf4 and codebook gemv agree with the js tier within rounding', async () => {
    const rows = 9, cols = 130, w = randomF32(rows * cols, 3, -1, 1), x = randomF32(cols, 4, -1, 1), out: Record<string, Float32Array> = {};
    for (const tier of TIERS) {
      await simdnn.init({ tier });
      for (const f of FORMATS) { const q = simdnn.quantize(w, { ...opts(f), cols, groupSize: 26 }); out[tier + f.format] = simdnn.gemv(q, x) as Float32Array; q.dispose(); }
    }
    for (const f of FORMATS) for (const t of ['relaxed', 'simd']) expectClose(out[t + f.format], out['js' + f.format], 1e-6, 1e-6, `${t} ${f.format}`);
  });
});
