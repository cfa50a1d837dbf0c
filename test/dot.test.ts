// The dot kernels of the ABI (dot_i8 also backs the init self-test) in every tier: i8 exact over
// the full range including -128 * -128, f32 against float64.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, kernels } from './util';
import { randomF32 } from './reference';

const LENGTHS = [1, 3, 5, 15, 16, 17, 63, 64, 65, 4097];

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('dot_i8 is exact, including -128 and 127 everywhere', () => {
      for (const n of LENGTHS) {
        const a = simdnn.tensor([n]), b = simdnn.tensor([n]);
        for (const fillWith of ['random', 'extremes'] as const) {
          const heap = new Int8Array(a.data.buffer);
          let want = 0;
          for (let i = 0; i < n; i++) {
            const u = fillWith === 'random' ? ((i * 73 + n) % 256) - 128 : -128;
            const v = fillWith === 'random' ? ((i * 151 + 7) % 256) - 128 : i % 2 ? 127 : -128;
            heap[a.ptr + i] = u; heap[b.ptr + i] = v; want += u * v;
          }
          expect(kernels().dot_i8(a.ptr, b.ptr, n), `${fillWith} n=${n}`).toBe(want);
        }
        a.dispose(); b.dispose();
      }
    });

    it('dot_f32 matches float64 within its rounding', () => {
      for (const n of LENGTHS) {
        const x = randomF32(n, n, -2, 2), y = randomF32(n, n + 1, -2, 2);
        const a = simdnn.tensor(x), b = simdnn.tensor(y);
        let want = 0, mag = 0;
        for (let i = 0; i < n; i++) { want += x[i] * y[i]; mag += Math.abs(x[i] * y[i]); }
        const got = kernels().dot_f32(a.ptr, b.ptr, n) as number;
        expect(Math.abs(got - want), `n=${n}`).toBeLessThanOrEqual(1e-6 * mag + 1e-30);
        a.dispose(); b.dispose();
      }
    });
  });
}
