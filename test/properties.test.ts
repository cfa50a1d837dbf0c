// Property tests (fast-check) in every tier: rows sum to 1, shift invariance, order is kept,
// logSoftmax = x - logSumExp, logSumExp >= max.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS } from './util';

const finite = fc.float({ min: -50, max: 50, noNaN: true, noDefaultInfinity: true });
const batch = fc.integer({ min: 1, max: 70 }).chain((cols) =>
  fc.tuple(fc.constant(cols), fc.integer({ min: 1, max: 4 })).chain(([c, rows]) =>
    fc.tuple(fc.constant(c), fc.float32Array({ minLength: c * rows, maxLength: c * rows, min: -50, max: 50, noNaN: true, noDefaultInfinity: true }))));

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('each row sums to 1 and entries lie in [0, 1]', () => {
      fc.assert(fc.property(batch, ([cols, x]) => {
        const y = simdnn.softmax(x, { cols });
        for (let r = 0; r < x.length / cols; r++) {
          let s = 0;
          for (let i = 0; i < cols; i++) { const v = y[r * cols + i]; expect(v >= 0 && v <= 1).toBe(true); s += v; }
          expect(Math.abs(s - 1)).toBeLessThan(1e-5);
        }
      }));
    });

    it('adding a constant to a row changes nothing (shift invariance)', () => {
      // x on a 1/64 grid and integer c: x + c is exact in f32, so the property is tested every time
      const grid = fc.integer({ min: 1, max: 40 }).chain((cols) => fc.tuple(fc.constant(cols),
        fc.array(fc.integer({ min: -3200, max: 3200 }), { minLength: cols, maxLength: 3 * cols }).map((a) => a.slice(0, a.length - (a.length % cols)))));
      fc.assert(fc.property(grid, fc.integer({ min: -100, max: 100 }), ([cols, ints], c) => {
        const x = Float32Array.from(ints, (v) => v / 64), shifted = x.map((v) => v + c);
        const a = simdnn.softmax(shifted, { cols }), b = simdnn.softmax(x, { cols });
        a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(2e-6 * b[i] + 1e-12));
      }));
    });

    it('order is preserved: x_i < x_j implies y_i <= y_j', () => {
      fc.assert(fc.property(fc.array(finite, { minLength: 1, maxLength: 40 }), (arr) => {
        const x = Float32Array.from(arr), y = simdnn.softmax(x);
        for (let i = 0; i < x.length; i++) for (let j = 0; j < x.length; j++) if (x[i] < x[j]) expect(y[i]).toBeLessThanOrEqual(y[j]);
      }));
    });

    it('logSoftmax = x - logSumExp and logSumExp >= row max', () => {
      fc.assert(fc.property(batch, fc.float({ min: Math.fround(0.1), max: 10, noNaN: true }), ([cols, x], temperature) => {
        const ls = simdnn.logSoftmax(x, { cols, temperature }), lse = simdnn.logSumExp(x, { cols, temperature });
        for (let r = 0; r < x.length / cols; r++) {
          let m = -Infinity;
          for (let i = 0; i < cols; i++) m = Math.max(m, x[r * cols + i] / temperature);
          expect(lse[r]).toBeGreaterThanOrEqual(Math.fround(m) - 1e-5 * Math.abs(m));
          for (let i = 0; i < cols; i++) {
            const z = x[r * cols + i] / temperature, want = z - lse[r];
            // both sides carry f32 rounding of values as large as |z| and |lse|
            expect(Math.abs(ls[r * cols + i] - want)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(z) + Math.abs(lse[r])));
          }
        }
      }));
    });
  });
}
