// sparsemax and 1.5-entmax in every tier against independent float64 bisection references,
// with exact zeros outside the support.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSparsemax, refEntmax15, randomF32, edgeRows, type RefOptions } from './reference';

const OPS = [
  { name: 'sparsemax', fn: simdnn.sparsemax, ref: refSparsemax },
  { name: 'entmax15', fn: simdnn.entmax15, ref: refEntmax15 },
] as const;

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const op of OPS) {
      const check = (x: Float32Array, o: RefOptions, label: string) => {
        const y = op.fn(x, o), want = op.ref(x, o);
        expectClose(y, want, 2e-6, 1e-12, `${op.name} ${label}`);
        want.forEach((w, i) => { if (w === 0) expect(y[i], `${op.name} ${label} zero at ${i}`).toBe(0); });
      };

      it(`${op.name}: random rows (sparse and dense supports), temperatures, masks, long rows`, () => {
        for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
          for (const [lo, hi] of [[-10, 10], [-0.05, 0.05], [-1, 1]]) check(randomF32(2 * cols, cols + lo, lo, hi), { cols }, `cols ${cols} range ${hi}`);
          check(randomF32(2 * cols, cols, -3, 3), { cols, temperature: 0.2 }, `T ${cols}`);
        }
        const mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 4 ? 1 : 0));
        check(randomF32(3 * 17, 5, -1, 1), { cols: 17, mask }, 'mask');
        check(randomF32(1 << 16, 6, -0.01, 0.01), { cols: 1 << 16 }, '64k dense');
      });

      it(`${op.name}: edge rows and ties at huge magnitudes`, () => {
        for (const cols of [1, 3, 17, 65]) {
          for (const { name, row } of edgeRows(cols)) check(Float32Array.from(row), { cols }, `${name} ${cols}`);
        }
        expectClose(op.fn(Float32Array.from([3e38, 3e38, -3e38, 1])), [0.5, 0.5, 0, 0], 2e-6, 1e-12, 'tie at 3e38');
      });

      it(`${op.name}: properties (sums to 1, non-negative, order kept)`, () => {
        fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 40, noNaN: true, noDefaultInfinity: true, min: -5, max: 5 }), (x) => {
          const y = op.fn(x);
          expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
          for (let i = 0; i < x.length; i++) {
            expect(y[i]).toBeGreaterThanOrEqual(0);
            if (x[i] < x[0]) expect(y[i]).toBeLessThanOrEqual(y[0]);
          }
        }));
      });
    }
  });
}
