// stablemax in every tier against its float64 definition.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refStablemax, randomF32, edgeRows } from './reference';

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('random rows, temperatures, masks, long rows', () => {
      for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
        const x = randomF32(2 * cols, cols, -50, 50);
        expectClose(simdnn.stablemax(x, { cols }), refStablemax(x, { cols }), 2e-6, 1e-12, `cols ${cols}`);
        expectClose(simdnn.stablemax(x, { cols, temperature: 0.3 }), refStablemax(x, { cols, temperature: 0.3 }), 2e-6, 1e-12, `T ${cols}`);
      }
      const x = randomF32(3 * 17, 5), mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 4 ? 1 : 0));
      expectClose(simdnn.stablemax(x, { cols: 17, mask }), refStablemax(x, { cols: 17, mask }), 2e-6, 1e-12, 'mask');
      const long = randomF32(1 << 20, 6, -100, 100);
      expectClose(simdnn.stablemax(long), refStablemax(long, { cols: 1 << 20 }), 1e-5, 1e-12, '1M');
    });

    it('edge rows, and finite rows that overflow only after scaling by 1/T', () => {
      for (const cols of [1, 3, 17, 65]) {
        for (const { name, row } of edgeRows(cols)) {
          const x = Float32Array.from(row);
          expectClose(simdnn.stablemax(x, { cols }), refStablemax(x, { cols }), 2e-6, 1e-12, `${name} ${cols}`);
        }
      }
      const x = Float32Array.from([3e38, 1, 2e38, -5, -3e38]);
      expectClose(simdnn.stablemax(x, { temperature: 0.5 }), refStablemax(x, { cols: 5, temperature: 0.5 }), 2e-6, 1e-12, 'overflow after scaling');
    });

    it('properties: rows sum to 1, order preserved', () => {
      fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 60, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), (x) => {
        const y = simdnn.stablemax(x);
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        for (let i = 1; i < x.length; i++) if (x[i] < x[0]) expect(y[i]).toBeLessThanOrEqual(y[0]);
      }));
    });
  });
}
