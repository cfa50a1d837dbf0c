// entmax(alpha) in every tier against a float64 bisection written from the definition, with
// exact zeros, the edge rows, and the properties of the family.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { logits, refSparsemax, refEntmax15, randomF32, edgeRows, type RefOptions } from './reference';

/** [(alpha - 1) z - tau]_+^(1 / (alpha - 1)), tau by 300 bisection steps on sum = 1, float64. */
function refEntmax(x: ArrayLike<number>, o: RefOptions, alpha: number): Float64Array {
  const P = 1 / (alpha - 1);
  return Float64Array.from(logits(x, o).flatMap((row) => {
    if (row.some(Number.isNaN)) return [...row].map(() => NaN);
    const inf = row.filter((v) => v === Infinity).length;
    if (inf) return [...row].map((v) => (v === Infinity ? 1 / inf : 0));
    const m = row.reduce((a, b) => Math.max(a, b), -Infinity);
    if (m === -Infinity) return [...row].map(() => 0);
    const u = [...row].map((v) => (alpha - 1) * (v - m));
    const f = (t: number) => u.reduce((a, v) => a + Math.max(v - t, 0) ** P, 0);
    let lo = -1, hi = 0;
    for (let i = 0; i < 300; i++) { const mid = (lo + hi) / 2; if (f(mid) > 1) lo = mid; else hi = mid; }
    return u.map((v) => Math.max(v - lo, 0) ** P);
  }));
}

const ALPHAS = [1.05, 1.2, 1.33, 1.7, 2.5, 4];
const absTol = (_alpha: number) => 1e-7; // also for alpha > 2: u - tau is formed in float64

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('random rows over lengths, alphas, temperatures and a mask', () => {
      for (const alpha of ALPHAS) {
        for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
          for (const [lo, hi] of [[-3, 3], [-30, 30]]) {
            const x = randomF32(2 * cols, cols + lo, lo, hi);
            expectClose(simdnn.entmax(x, { cols, alpha }), refEntmax(x, { cols }, alpha), 1e-5, absTol(alpha), `alpha ${alpha} cols ${cols} range ${hi}`);
          }
          const x = randomF32(cols, 3 * cols);
          expectClose(simdnn.entmax(x, { alpha, temperature: 0.4 }), refEntmax(x, { cols, temperature: 0.4 }, alpha), 1e-5, absTol(alpha), `T ${alpha} ${cols}`);
        }
        const mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 3 ? 1 : 0)), x = randomF32(3 * 17, 8);
        expectClose(simdnn.entmax(x, { cols: 17, alpha, mask }), refEntmax(x, { cols: 17, mask }, alpha), 1e-5, absTol(alpha), `mask ${alpha}`);
      }
      // entries just inside the support, where t^(1/(alpha-1)) is steep for alpha > 2 (caught the
      // f32-only tau of an earlier version at 1e-9 absolute)
      const dense = Float32Array.from({ length: 64 * 1024 }, (_, i) => Math.sin(i * 0.37) * 6 + Math.cos(i * 0.011) * 3);
      for (const alpha of [2.5, 3, 6]) expectClose(simdnn.entmax(dense, { cols: 1024, alpha }), refEntmax(dense, { cols: 1024 }, alpha), 1e-5, 1e-9, `near the support edge, alpha ${alpha}`);
      const long = randomF32(1 << 16, 12, -5, 5);
      expectClose(simdnn.entmax(long, { alpha: 1.25 }), refEntmax(long, { cols: 1 << 16 }, 1.25), 1e-5, 1e-9, '64k');
    });

    it('agrees with the exact kernels next to alpha 1.5 and 2; 1.5 and 2 themselves use them', () => {
      const x = randomF32(4 * 65, 2, -6, 6);
      expectClose(simdnn.entmax(x, { cols: 65, alpha: 1.5 + 1e-9 }), refEntmax15(x, { cols: 65 }), 1e-5, 1e-7, 'near 1.5');
      expectClose(simdnn.entmax(x, { cols: 65, alpha: 2 + 1e-9 }), refSparsemax(x, { cols: 65 }), 1e-5, 1e-7, 'near 2');
      expect(simdnn.entmax(x, { cols: 65 })).toEqual(simdnn.entmax15(x, { cols: 65 }));
      expect(simdnn.entmax(x, { cols: 65, alpha: 2 })).toEqual(simdnn.sparsemax(x, { cols: 65 }));
    });

    it('exact zeros outside the support', () => {
      for (const alpha of ALPHAS) {
        const x = randomF32(8 * 63, 21, -10, 10), got = simdnn.entmax(x, { cols: 63, alpha }), want = refEntmax(x, { cols: 63 }, alpha);
        let zeros = 0;
        want.forEach((w, i) => {
          if (w === 0) { expect(got[i], `alpha ${alpha} index ${i}`).toBe(0); zeros++; }
        });
        if (alpha >= 1.33) expect(zeros).toBeGreaterThan(0);
      }
    });

    it('edge rows', () => {
      for (const alpha of [1.2, 3]) {
        for (const cols of [1, 3, 17, 65]) {
          for (const { name, row } of edgeRows(cols)) {
            const x = Float32Array.from(row);
            expectClose(simdnn.entmax(x, { alpha }), refEntmax(x, { cols }, alpha), 1e-5, absTol(alpha), `${name} ${cols} alpha ${alpha}`);
          }
        }
      }
    });

    it('properties: sums to 1, order preserved, support shrinks as alpha grows; Tensor and unaligned', () => {
      fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 60, noNaN: true, noDefaultInfinity: true, min: -100, max: 100 }), fc.double({ min: 1.01, max: 6, noNaN: true }), (x, alpha) => {
        const y = simdnn.entmax(x, { alpha });
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        for (let i = 1; i < x.length; i++) if (x[i] < x[0]) expect(y[i]).toBeLessThanOrEqual(y[0]);
        const support = (v: Float32Array) => v.filter((p) => p > 1e-6).length;
        expect(support(simdnn.entmax(x, { alpha: alpha + 0.5 }))).toBeLessThanOrEqual(support(y));
      }));
      const x = randomF32(34, 5), buf = new Float32Array(35); buf.set(x, 1);
      expect(simdnn.entmax(buf.subarray(1), { cols: 17, alpha: 1.3 })).toEqual(simdnn.entmax(x, { cols: 17, alpha: 1.3 }));
      const t = simdnn.tensor(x), out = simdnn.tensor([34]);
      expect(simdnn.entmax(t, { cols: 17, alpha: 1.3, out })).toBe(out);
      expect(out.data).toEqual(simdnn.entmax(x, { cols: 17, alpha: 1.3 }));
      simdnn.entmax(t, { cols: 17, alpha: 1.3, out: t });
      expect(t.data).toEqual(out.data);
      t.dispose(); out.dispose();
    });

    it('bad arguments', () => {
      for (const alpha of [1, 0.5, -2, Infinity, NaN, '1.5']) expect(() => simdnn.entmax(new Float32Array(4), { alpha } as never)).toThrow(/alpha/);
      expect(() => simdnn.entmax(new Float32Array(4), { alpha: 1.3, cols: 3 })).toThrow(/cols/);
      expect(() => simdnn.entmax([1, 2] as never, { alpha: 1.3 })).toThrow(/x/);
    });
  });
}
