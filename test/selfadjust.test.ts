// selfAdjustSoftmax (plain and normalized) in every tier against its float64 definition.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { logits, refSoftmax, randomF32, edgeRows, type RefOptions } from './reference';

/** z * softmax(z), or (z - lo) / (hi - lo) * softmax(z), lo = min(z_min, 0), hi = max(0, z_max), in float64. */
function refSelfAdjust(x: ArrayLike<number>, o: RefOptions, normalized: boolean): Float64Array {
  const p = refSoftmax(x, o);
  return Float64Array.from(logits(x, o).flatMap((row, r) => {
    const finite = [...row].filter((v) => v > -Infinity);
    const lo = finite.reduce((a, b) => Math.min(a, b), 0), hi = finite.reduce((a, b) => Math.max(a, b), 0);
    return [...row].map((z, i) => {
      const q = p[r * o.cols + i];
      if (Number.isNaN(q) || q === 0) return q;
      if (z === Infinity) return normalized ? q : Infinity;
      return normalized ? (hi > lo ? ((z - lo) / (hi - lo)) * q : 0) : z * q;
    });
  }));
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const normalized of [false, true]) {
      const name = normalized ? 'normalized' : 'plain';
      const check = (x: Float32Array, o: RefOptions, label: string, rel = 2e-6) =>
        expectClose(simdnn.selfAdjustSoftmax(x, { ...o, normalized }), refSelfAdjust(x, o, normalized), rel, 1e-12, `${name} ${label}`);

      it(`${name}: random rows, temperatures, masks, long rows`, () => {
        for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
          check(randomF32(2 * cols, cols, -20, 20), { cols }, `cols ${cols}`);
          check(randomF32(2 * cols, cols + 1, -20, 20), { cols, temperature: 0.3 }, `T ${cols}`);
          check(randomF32(2 * cols, cols + 2, 0.5, 3), { cols }, `all positive ${cols}`);
          check(randomF32(2 * cols, cols + 3, -3, -0.5), { cols }, `all negative ${cols}`);
        }
        const mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 4 ? 1 : 0));
        check(randomF32(3 * 17, 5), { cols: 17, mask }, 'mask');
        check(randomF32(1 << 20, 6, -30, 30), { cols: 1 << 20 }, '1M', 1e-5);
      });

      it(`${name}: edge rows, huge values, zeros`, () => {
        for (const cols of [1, 3, 17, 65]) {
          for (const { name: edge, row } of edgeRows(cols)) check(Float32Array.from(row), { cols }, `${edge} ${cols}`);
        }
        check(Float32Array.from([3e38, 1, 2e38, -5, -3e38]), { cols: 5 }, 'near f32 max');
        check(Float32Array.from([3e38, 1, -3e38, -Infinity]), { cols: 4, temperature: 4 }, 'huge with T');
        check(new Float32Array(8), { cols: 8 }, 'all zero');
        check(Float32Array.from([1e-40, -2e-39, 0, 3e-41]), { cols: 4 }, 'denormals');
      });

      it(`${name}: properties, unaligned input, Tensor in/out, in place`, () => {
        fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 50, noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }), (x) => {
          const y = simdnn.selfAdjustSoftmax(x, { normalized });
          const p = simdnn.softmax(x);
          y.forEach((v, i) => {
            if (normalized) { expect(v).toBeGreaterThanOrEqual(0); expect(v).toBeLessThanOrEqual(p[i] * (1 + 1e-5) + 1e-30); }
            else expect(Math.sign(v) * Math.sign(x[i])).toBeGreaterThanOrEqual(0); // the sign of z
          });
        }));
        const x = randomF32(34, 2), buf = new Float32Array(35); buf.set(x, 1);
        expect(simdnn.selfAdjustSoftmax(buf.subarray(1), { cols: 17, normalized })).toEqual(simdnn.selfAdjustSoftmax(x, { cols: 17, normalized }));
        const t = simdnn.tensor(x), out = simdnn.tensor([34]);
        expect(simdnn.selfAdjustSoftmax(t, { cols: 17, out, normalized })).toBe(out);
        expectClose(out.data, refSelfAdjust(x, { cols: 17 }, normalized), 2e-6, 1e-12, 'tensor');
        simdnn.selfAdjustSoftmax(t, { cols: 17, out: t, normalized });
        expectClose(t.data, refSelfAdjust(x, { cols: 17 }, normalized), 2e-6, 1e-12, 'in place');
        t.dispose(); out.dispose();
      });
    }

    it('bad arguments', () => {
      expect(() => simdnn.selfAdjustSoftmax(new Float32Array(4), { normalized: 1 } as never)).toThrow(/normalized/);
      expect(() => simdnn.selfAdjustSoftmax(new Float32Array(4), { temperature: 0 })).toThrow(/temperature/);
    });
  });
}
