// softpick in every tier against its float64 definition, with the edge rows.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftpick, randomF32, edgeRows } from './reference';

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('random rows, small values near 0 (cancellation), temperatures, eps', () => {
      for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
        const x = randomF32(2 * cols, cols);
        expectClose(simdnn.softpick(x, { cols }), refSoftpick(x, cols), 2e-6, 1e-12, `cols ${cols}`);
        const small = randomF32(2 * cols, cols + 7, -0.6, 0.6);
        expectClose(simdnn.softpick(small, { cols }), refSoftpick(small, cols), 2e-6, 1e-12, `small ${cols}`);
        expectClose(simdnn.softpick(x, { cols, temperature: 3, eps: 0.5 }), refSoftpick(x, cols, 3, 0.5), 2e-6, 1e-12, `T, eps ${cols}`);
      }
    });

    it('edge rows: -Inf, NaN, +Inf, huge, denormals', () => {
      for (const cols of [1, 3, 17, 65]) {
        for (const { name, row } of edgeRows(cols)) {
          const x = Float32Array.from(row);
          expectClose(simdnn.softpick(x, { cols }), refSoftpick(x, cols), 2e-6, 1e-12, `${name} ${cols}`);
        }
      }
      // a finite row that overflows only after scaling by 1/T
      const x = Float32Array.from([3e38, 1, 2e38, -5]);
      expectClose(simdnn.softpick(x, { temperature: 0.5 }), refSoftpick(x, 4, 0.5), 2e-6, 1e-12, 'overflow after scaling');
    });

    it('rows whose max x / T passes 80 (e^-m below e^-80): exact zeros for x <= 0, the rest against float64', () => {
      for (const top of [79.9, 80.1, 150, 3e4]) {
        const x = Float32Array.from([top, 0, -1, 0.25, top - 0.5, -0, 1e-3, top - 90, 5, -300, 17]);
        for (const temperature of [1, 1.01, 2]) {
          const y = simdnn.softpick(x, { temperature });
          expectClose(y, refSoftpick(x, 11, temperature), 2e-6, 1e-12, `top ${top} T ${temperature}`);
          x.forEach((v, i) => { if (v <= 0) expect(y[i], `top ${top} T ${temperature} index ${i}`).toBe(0); });
        }
      }
    });

    it('properties: non-negative, exact zeros for x <= 0, row sum <= 1, Tensor in/out', () => {
      fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 50, noNaN: true, min: -200, max: 200 }), (x) => {
        const y = simdnn.softpick(x);
        let s = 0;
        y.forEach((v, i) => { expect(v).toBeGreaterThanOrEqual(0); if (x[i] <= 0) expect(v).toBe(0); s += v; });
        expect(s).toBeLessThanOrEqual(1 + 1e-6);
      }));
      const t = simdnn.tensor(randomF32(34, 1)), out = simdnn.tensor([34]);
      expect(simdnn.softpick(t, { cols: 17, out })).toBe(out);
      expectClose(out.data, refSoftpick(t.data, 17), 2e-6, 1e-12, 'tensor');
      t.dispose(); out.dispose();
    });

    it('bad arguments', () => {
      expect(() => simdnn.softpick(new Float32Array(4), { eps: -1 })).toThrow(/^eps: got -1, expected a finite number >= 0$/);
      expect(() => simdnn.softpick(new Float32Array(4), { mask: new Uint8Array(4) } as never)).toThrow(/^mask: got Uint8Array\(4\), expected no mask/);
      expect(() => simdnn.softpick(new Float32Array(4), { cols: 3 })).toThrow(simdnn.SimdnnArgumentError);
    });
  });
}
