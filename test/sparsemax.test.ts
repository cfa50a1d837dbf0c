// sparsemax in every tier against an independent float64 bisection reference.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSparsemax, randomF32, edgeRows } from './reference';

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('random rows (sparse and dense supports), temperatures, masks, long rows, exact zeros', () => {
      for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
        for (const [lo, hi] of [[-10, 10], [-0.05, 0.05], [-1, 1]]) {
          const x = randomF32(2 * cols, cols + lo, lo, hi);
          const y = simdnn.sparsemax(x, { cols }), want = refSparsemax(x, { cols });
          expectClose(y, want, 2e-6, 1e-12, `cols ${cols} range ${hi}`);
          want.forEach((w, i) => { if (w === 0) expect(y[i]).toBe(0); });
        }
        const x = randomF32(2 * cols, cols, -3, 3);
        expectClose(simdnn.sparsemax(x, { cols, temperature: 0.2 }), refSparsemax(x, { cols, temperature: 0.2 }), 2e-6, 1e-12, `T ${cols}`);
      }
      const x = randomF32(3 * 17, 5, -1, 1), mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 4 ? 1 : 0));
      expectClose(simdnn.sparsemax(x, { cols: 17, mask }), refSparsemax(x, { cols: 17, mask }), 2e-6, 1e-12, 'mask');
      const long = randomF32(1 << 16, 6, -0.01, 0.01);
      expectClose(simdnn.sparsemax(long), refSparsemax(long, { cols: 1 << 16 }), 2e-6, 1e-12, '64k dense');
    });

    it('edge rows and ties at huge magnitudes', () => {
      for (const cols of [1, 3, 17, 65]) {
        for (const { name, row } of edgeRows(cols)) {
          const x = Float32Array.from(row);
          expectClose(simdnn.sparsemax(x, { cols }), refSparsemax(x, { cols }), 2e-6, 1e-12, `${name} ${cols}`);
        }
      }
      expectClose(simdnn.sparsemax(Float32Array.from([3e38, 3e38, -3e38, 1])), [0.5, 0.5, 0, 0], 2e-6, 1e-12, 'tie at 3e38');
    });

    it('properties: sums to 1, non-negative, shift invariant, order kept', () => {
      fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 40, noNaN: true, noDefaultInfinity: true, min: -5, max: 5 }), (x) => {
        const y = simdnn.sparsemax(x);
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        for (let i = 0; i < x.length; i++) {
          expect(y[i]).toBeGreaterThanOrEqual(0);
          if (x[i] < x[0]) expect(y[i]).toBeLessThanOrEqual(y[0]);
        }
      }));
    });
  });
}
