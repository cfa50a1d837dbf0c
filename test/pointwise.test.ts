// reluNorm and sigmoidNorm in every tier against their float64 definitions.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refReluNorm, refSigmoidNorm, randomF32, edgeRows } from './reference';

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('reluNorm: lengths, n, temperature, masks, edge rows', () => {
      for (const cols of [1, 3, 5, 17, 65, 4097]) {
        const x = randomF32(2 * cols, cols);
        expectClose(simdnn.reluNorm(x, { cols }), refReluNorm(x, { cols }), 2e-6, 1e-12, `cols ${cols}`);
        expectClose(simdnn.reluNorm(x, { cols, n: 1000, temperature: 2 }), refReluNorm(x, { cols, temperature: 2 }, 1000), 2e-6, 1e-12, `n,T ${cols}`);
        for (const { name, row } of edgeRows(cols)) {
          const e = Float32Array.from(row);
          expectClose(simdnn.reluNorm(e, { cols }), refReluNorm(e, { cols }), 2e-6, 1e-12, `${name} ${cols}`);
        }
      }
      const x = randomF32(3 * 8, 2), mask = Uint8Array.from({ length: 8 }, (_, i) => i % 2);
      expectClose(simdnn.reluNorm(x, { cols: 8, mask }), refReluNorm(x, { cols: 8, mask }), 2e-6, 1e-12, 'mask');
    });

    it('sigmoidNorm: default bias -ln n, given bias, normalized, masks, edge rows, 1M', () => {
      for (const cols of [1, 3, 5, 17, 65, 4097]) {
        const x = randomF32(2 * cols, cols, -30, 30);
        expectClose(simdnn.sigmoidNorm(x, { cols }), refSigmoidNorm(x, { cols }), 2e-6, 1e-12, `cols ${cols}`);
        expectClose(simdnn.sigmoidNorm(x, { cols, bias: 1.5, temperature: 3 }), refSigmoidNorm(x, { cols, temperature: 3 }, 1.5), 2e-6, 1e-12, `bias ${cols}`);
        expectClose(simdnn.sigmoidNorm(x, { cols, normalize: true }), refSigmoidNorm(x, { cols }, -Math.log(cols), true), 2e-6, 1e-12, `normalized ${cols}`);
        for (const { name, row } of edgeRows(cols)) {
          const e = Float32Array.from(row);
          expectClose(simdnn.sigmoidNorm(e, { cols, n: 50 }), refSigmoidNorm(e, { cols }, -Math.log(50)), 2e-6, 1e-12, `${name} ${cols}`);
          expectClose(simdnn.sigmoidNorm(e, { cols, normalize: true }), refSigmoidNorm(e, { cols }, -Math.log(cols), true), 2e-6, 1e-12, `${name} normalized ${cols}`);
        }
      }
      const x = randomF32(3 * 8, 2), mask = new Float32Array(8).fill(-Infinity, 5);
      expectClose(simdnn.sigmoidNorm(x, { cols: 8, mask, normalize: true }), refSigmoidNorm(x, { cols: 8, mask }, -Math.log(8), true), 2e-6, 1e-12, 'mask');
      const long = randomF32(1 << 20, 3);
      expectClose(simdnn.sigmoidNorm(long, { normalize: true }), refSigmoidNorm(long, { cols: 1 << 20 }, -Math.log(1 << 20), true), 1e-5, 1e-12, '1M');
    });

    it('bad arguments', () => {
      expect(() => simdnn.reluNorm(new Float32Array(4), { n: 0 })).toThrow(/^n: got 0, expected a finite number >= 1$/);
      expect(() => simdnn.sigmoidNorm(new Float32Array(4), { bias: NaN })).toThrow(/^bias: got NaN, expected a finite number$/);
      expect(() => simdnn.sigmoidNorm(new Float32Array(4), { n: -2 })).toThrow(simdnn.SimdnnArgumentError);
    });
  });
}
