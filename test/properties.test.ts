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
      fc.assert(fc.property(batch, fc.float({ min: -100, max: 100, noNaN: true }), ([cols, x], c) => {
        const shifted = x.map((v) => v + c);
        // the shift itself rounds in f32, so compare against softmax of the rounded input's exact shift
        const a = simdnn.softmax(shifted, { cols });
        const back = shifted.map((v) => v - c);
        const b = simdnn.softmax(Float32Array.from(back), { cols });
        const exact = back.every((v, i) => v === x[i]);
        if (exact) a.forEach((v, i) => expect(Math.abs(v - b[i])).toBeLessThanOrEqual(2e-6 * b[i] + 1e-12));
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
