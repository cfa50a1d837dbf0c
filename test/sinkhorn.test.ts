// sinkhorn in every tier against an independent float64 statement (log P updated in place,
// alternating row and column log-sum-exp normalizations), with edges and properties.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftmax, randomF32 } from './reference';

function refSinkhorn(x: ArrayLike<number>, rows: number, cols: number, iters: number, T = 1): Float64Array {
  const size = rows * cols, out = new Float64Array(x.length);
  // log-sum-exp as [max, log sum exp(v - max)], subtracted in that order: at |v| ~ 1e38 the sum
  // of the two would round the second away
  const lse = (v: number[]): [number, number] => {
    const m = Math.max(...v);
    return [m, m === -Infinity ? 0 : Math.log(v.reduce((a, b) => a + Math.exp(b - m), 0))];
  };
  for (let b = 0; b * size < x.length; b++) {
    const L = Array.from({ length: size }, (_, i) => x[b * size + i] / T);
    if (L.some((v) => Number.isNaN(v) || v === Infinity)) { out.fill(NaN, b * size, (b + 1) * size); continue; }
    for (let s = 0; s < iters; s++) {
      if (s % 2 === 0) {
        for (let r = 0; r < rows; r++) {
          const [m, l] = lse(L.slice(r * cols, (r + 1) * cols));
          if (m > -Infinity) for (let c = 0; c < cols; c++) L[r * cols + c] = L[r * cols + c] - m - l;
        }
      } else {
        for (let c = 0; c < cols; c++) {
          const [m, l] = lse(Array.from({ length: rows }, (_, r) => L[r * cols + c]));
          if (m > -Infinity) for (let r = 0; r < rows; r++) L[r * cols + c] = L[r * cols + c] - m - (l - Math.log(rows / cols));
        }
      }
    }
    L.forEach((v, i) => { out[b * size + i] = Math.exp(v); });
  }
  return out;
}

const SHAPES: [number, number, number][] = [[1, 1, 1], [3, 3, 2], [5, 5, 1], [17, 17, 2], [65, 65, 1], [3, 5, 3], [17, 4, 1], [4, 17, 2], [63, 65, 1]];

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('matches the float64 reference over shapes, batches, step counts and temperatures', () => {
      for (const [rows, cols, batch] of SHAPES) {
        const x = randomF32(batch * rows * cols, rows * 31 + cols, -8, 8);
        for (const iters of [1, 2, 3, 4, 5, 6, 21]) {
          expectClose(simdnn.sinkhorn(x, { rows, cols, iters }), refSinkhorn(x, rows, cols, iters), 2e-6, 1e-12, `${batch}x${rows}x${cols} iters ${iters}`);
        }
        expectClose(simdnn.sinkhorn(x, { rows, cols, temperature: 0.25 }), refSinkhorn(x, rows, cols, 5, 0.25), 1e-5, 1e-12, `${rows}x${cols} T 0.25`);
      }
      const big = randomF32(256 * 256, 5, -4, 4);
      expectClose(simdnn.sinkhorn(big, { cols: 256 }), refSinkhorn(big, 256, 256, 5), 1e-5, 1e-12, '256x256');
    });

    it('one step is the row softmax; defaults: one square matrix, 5 steps', () => {
      const x = randomF32(4 * 17, 3);
      expectClose(simdnn.sinkhorn(x, { cols: 17, rows: 4, iters: 1 }), refSoftmax(x, { cols: 17 }), 2e-6, 1e-12, 'softmax');
      const sq = randomF32(49, 4);
      expect(simdnn.sinkhorn(sq)).toEqual(simdnn.sinkhorn(sq, { rows: 7, cols: 7, iters: 5 }));
      expect(simdnn.sinkhorn(x, { rows: 4 })).toEqual(simdnn.sinkhorn(x, { rows: 4, cols: 17 }));
    });

    it('converges to doubly stochastic (rows 1, columns rows / cols)', () => {
      for (const [rows, cols] of [[16, 16], [8, 24], [24, 8]]) {
        const y = simdnn.sinkhorn(randomF32(rows * cols, rows + cols, -2, 2), { rows, cols, iters: 301 });
        for (let r = 0; r < rows; r++) expect(y.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b)).toBeCloseTo(1, 5);
        for (let c = 0; c < cols; c++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += y[r * cols + c];
          expect(s).toBeCloseTo(rows / cols, 4);
        }
      }
    });

    it('edges: masked entries, empty rows and columns, NaN and +Infinity matrices, huge values, denormals', () => {
      const x = randomF32(3 * 25, 9, -5, 5);
      x[3] = -Infinity; x[7] = -Infinity;
      for (let c = 0; c < 5; c++) x[25 + 2 * 5 + c] = -Infinity; // matrix 1, row 2 empty
      for (let r = 0; r < 5; r++) x[2 * 25 + r * 5 + 4] = -Infinity; // matrix 2, column 4 empty
      for (const iters of [1, 2, 5, 6]) expectClose(simdnn.sinkhorn(x, { rows: 5, cols: 5, iters }), refSinkhorn(x, 5, 5, iters), 2e-6, 1e-12, `masked ${iters}`);
      const y = simdnn.sinkhorn(x, { rows: 5, cols: 5 });
      expect([y[3], y[7]]).toEqual([0, 0]);
      expect(Array.from(y.subarray(35, 40))).toEqual([0, 0, 0, 0, 0]);
      for (const bad of [NaN, Infinity]) {
        const z = randomF32(3 * 25, 2); z[25 + 12] = bad;
        const w = simdnn.sinkhorn(z, { rows: 5, cols: 5 });
        expect(w.subarray(25, 50).every(Number.isNaN), `${bad}`).toBe(true);
        expectClose(w.subarray(0, 25), refSinkhorn(z.subarray(0, 25), 5, 5, 5), 2e-6, 1e-12, 'other matrices unaffected');
      }
      expect(simdnn.sinkhorn(new Float32Array(9).fill(-Infinity)).every((v) => v === 0)).toBe(true);
      expect(simdnn.sinkhorn(Float32Array.from([-Infinity, NaN, -Infinity, -Infinity])).every(Number.isNaN)).toBe(true);
      const huge = Float32Array.from([3e38, -3e38, 1, 2e38, 0, -1, -3e38, -3e38, -3e38]);
      expectClose(simdnn.sinkhorn(huge), refSinkhorn(huge, 3, 3, 5), 2e-6, 1e-12, 'huge');
      const den = Float32Array.from([1e-40, -3e-39, 0, 2e-45]);
      expectClose(simdnn.sinkhorn(den), refSinkhorn(den, 2, 2, 5), 2e-6, 1e-12, 'denormals');
    });

    it('properties: row permutation equivariance, rows sum to 1 after an odd count; Tensor, in place, unaligned', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 7 }), fc.integer(), (rows, cols, iters, seed) => {
        const x = randomF32(rows * cols, seed, -6, 6), y = simdnn.sinkhorn(x, { rows, cols, iters: 2 * iters - 1 });
        for (let r = 0; r < rows; r++) expect(Math.abs(y.subarray(r * cols, (r + 1) * cols).reduce((a, b) => a + b) - 1)).toBeLessThan(1e-5);
        const perm = Array.from({ length: rows }, (_, r) => (r + 1) % rows);
        const xp = new Float32Array(rows * cols), yp = new Float32Array(rows * cols);
        perm.forEach((p, r) => { xp.set(x.subarray(p * cols, (p + 1) * cols), r * cols); yp.set(y.subarray(p * cols, (p + 1) * cols), r * cols); });
        expectClose(simdnn.sinkhorn(xp, { rows, cols, iters: 2 * iters - 1 }), yp, 1e-5, 1e-12, 'permuted');
      }));
      const x = randomF32(2 * 36, 6), want = simdnn.sinkhorn(x, { rows: 6, cols: 6 });
      const t = simdnn.tensor(x), out = simdnn.tensor([72]);
      expect(simdnn.sinkhorn(t, { rows: 6, cols: 6, out })).toBe(out);
      expect(out.data).toEqual(want);
      simdnn.sinkhorn(t, { rows: 6, cols: 6, out: t });
      expect(t.data).toEqual(want);
      t.dispose(); out.dispose();
      const buf = new Float32Array(73); buf.set(x, 1);
      expect(simdnn.sinkhorn(buf.subarray(1), { rows: 6, cols: 6 })).toEqual(want);
    });

    it('bad arguments', () => {
      const x = new Float32Array(12);
      expect(() => simdnn.sinkhorn(x)).toThrow(/cols/);
      expect(() => simdnn.sinkhorn(x, { cols: 5 })).toThrow(/cols/);
      expect(() => simdnn.sinkhorn(x, { cols: 4, rows: 2 })).toThrow(/rows/);
      expect(() => simdnn.sinkhorn(x, { rows: 1.5 } as never)).toThrow(/rows/);
      for (const iters of [0, 1.5, -1, 'x', 1e9]) expect(() => simdnn.sinkhorn(x, { cols: 4, iters } as never)).toThrow(/iters/);
      expect(() => simdnn.sinkhorn(x, { cols: 4, temperature: 0 })).toThrow(/temperature/);
      expect(() => simdnn.sinkhorn(x, { cols: 4, mask: new Uint8Array(4) } as never)).toThrow(/mask/);
    });
  });
}
