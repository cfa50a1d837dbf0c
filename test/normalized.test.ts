// stablemax (and its log), taylorSoftmax and softplusNorm (f(z) / sum f(z) normalizers) in every tier against their
// float64 definitions.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refStablemax, refLogStablemax, refTaylor, refSoftplusNorm, randomF32, edgeRows, type RefOptions } from './reference';

// `log`: the output is a log-probability (absolute tolerance as logSoftmax's; properties on exp)
const OPS = [
  { name: 'stablemax', fn: simdnn.stablemax, ref: refStablemax, monotone: true, log: false },
  { name: 'logStablemax', fn: simdnn.logStablemax, ref: refLogStablemax, monotone: true, log: true },
  { name: 'taylorSoftmax', fn: simdnn.taylorSoftmax, ref: refTaylor, monotone: false, log: false },
  { name: 'softplusNorm', fn: simdnn.softplusNorm, ref: refSoftplusNorm, monotone: true, log: false },
] as const;

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const op of OPS) {
      const abs = op.log ? 1e-6 : 1e-12;
      const check = (x: Float32Array, o: RefOptions, label: string, rel = 2e-6) =>
        expectClose(op.fn(x, o), op.ref(x, o), rel, abs, `${op.name} ${label}`);

      it(`${op.name}: random rows, temperatures, masks, long rows`, () => {
        for (const cols of [1, 3, 5, 15, 17, 63, 65, 1024, 4097]) {
          const x = randomF32(2 * cols, cols, -50, 50);
          check(x, { cols }, `cols ${cols}`);
          check(x, { cols, temperature: 0.3 }, `T ${cols}`);
          check(randomF32(2 * cols, cols + 3, -2, 2), { cols }, `small ${cols}`);
        }
        const x = randomF32(3 * 17, 5), mask = Uint8Array.from({ length: 17 }, (_, i) => (i % 4 ? 1 : 0));
        check(x, { cols: 17, mask }, 'mask');
        check(randomF32(1 << 20, 6, -100, 100), { cols: 1 << 20 }, '1M', 1e-5);
      });

      it(`${op.name}: edge rows, and finite rows that overflow only after scaling by 1/T`, () => {
        for (const cols of [1, 3, 17, 65]) {
          for (const { name, row } of edgeRows(cols)) check(Float32Array.from(row), { cols }, `${name} ${cols}`);
        }
        check(Float32Array.from([3e38, 1, 2e38, -5, -3e38]), { cols: 5, temperature: 0.5 }, 'overflow after scaling');
        check(Float32Array.from([1e20, -3e19, 5, -Infinity]), { cols: 4 }, 'z^2 beyond f32');
        check(randomF32(4 * 17, 9, -100, -40), { cols: 17 }, 'all far below 0 (softplus: its softmax limit)');
        check(randomF32(2 * 5, 3, -3000, -800), { cols: 5 }, 'below the float64 underflow');
      });

      it(`${op.name}: z around 0, only small terms, large z (softplus: its log1p polynomial from t = 1 down to the exp flush)`, () => {
        // each row's max sets the scale: rows around 0, a row of small t (-20 .. -27.5) and large z
        check(Float32Array.from([0, -1e-8, 1e-8, -0.5, 0.5, -1, 1, -3.2, 3.2, -17, -27.5, -60, -87, -88, -100, -Infinity]), { cols: 16 }, 'z around 0');
        check(Float32Array.from([-20, -20.5, -21, -23, -25, -27, -27.5, -27.59]), { cols: 8 }, 'small t only');
        check(Float32Array.from([90, 88, 87.5, 80, 30, 17, 1, 0, -1, -17, -30]), { cols: 11 }, 'large z');
      });

      it(`${op.name}: properties (rows sum to 1${op.monotone ? ', order preserved' : ''}), Tensor in/out`, () => {
        fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 60, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), (x) => {
          const out = op.fn(x), y = op.log ? out.map(Math.exp) : out;
          expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
          y.forEach((v) => expect(v).toBeGreaterThanOrEqual(0));
          // order kept up to rounding (the vector exp / log are within 2e-6, not monotone at the last ulp)
          if (op.monotone) for (let i = 1; i < x.length; i++) if (x[i] < x[0]) expect(y[i]).toBeLessThanOrEqual(y[0] * (1 + 2e-6) + 1e-30);
        }));
        const data = randomF32(34, 2), t = simdnn.tensor(data), out = simdnn.tensor([34]);
        expect(op.fn(t, { cols: 17, out })).toBe(out);
        expectClose(out.data, op.ref(data, { cols: 17 }), 2e-6, abs, 'tensor');
        t.dispose(); out.dispose();
      });
    }
  });
}
