// ssmax = softmax(s ln(n) x / T), in every tier, against the float64 reference.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftmax, randomF32, edgeRows } from './reference';

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('matches softmax(s ln(n) x) for default and given s, n, temperature, masks and edge rows', () => {
      for (const cols of [1, 3, 17, 65, 4097]) {
        const x = randomF32(2 * cols, cols, -3, 3);
        const n = Math.max(cols, 2);
        expectClose(simdnn.ssmax(x, { cols, n }), refSoftmax(x, { cols, temperature: 1 / Math.log(n) }), 2e-6, 1e-12, `cols ${cols}`);
        expectClose(simdnn.ssmax(x, { cols, s: 0.43, n: 8192, temperature: 2 }), refSoftmax(x, { cols, temperature: 2 / (0.43 * Math.log(8192)) }), 2e-6, 1e-12, `s,n,T ${cols}`);
        for (const { name, row } of edgeRows(cols)) {
          const e = Float32Array.from(row);
          expectClose(simdnn.ssmax(e, { cols, n: 100 }), refSoftmax(e, { cols, temperature: 1 / Math.log(100) }), 2e-6, 1e-12, `${name} ${cols}`);
        }
      }
      const x = randomF32(4 * 16, 1), mask = Uint8Array.from({ length: 16 }, (_, i) => (i % 3 ? 1 : 0));
      expectClose(simdnn.ssmax(x, { cols: 16, mask }), refSoftmax(x, { cols: 16, mask, temperature: 1 / Math.log(16) }), 2e-6, 1e-12, 'mask');
    });

    it('rejects s <= 0 and n < 2 with typed errors', () => {
      expect(() => simdnn.ssmax(new Float32Array(4), { s: 0 })).toThrow(/^s: got 0, expected a finite number > 0$/);
      expect(() => simdnn.ssmax(new Float32Array(1))).toThrow(/^n: got 1, expected a finite number >= 2/);
      expect(() => simdnn.ssmax(new Float32Array(4), { n: NaN })).toThrow(simdnn.SimdnnArgumentError);
    });
  });
}
