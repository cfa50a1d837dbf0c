// The dot kernels of the ABI (dot_i8 also backs the init self-test) in every tier: i8 exact over
// the full range including -128 * -128, u8 x i8 exact including 255 * -128, f32 against float64.
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

    it('dot_u8i8 is exact, including 255 * -128 and 255 * 127 everywhere, past the i32 range', () => {
      // 2^19 + 33: two full i32-lane blocks of 2^18 and a tail; 255 * -128 * n is far below -2^31
      for (const n of [...LENGTHS, 2 ** 19 + 33]) {
        const a = simdnn.tensor([Math.ceil(n / 4)]), b = simdnn.tensor([Math.ceil(n / 4)]);
        for (const fillWith of ['random', 'extremes', 'max'] as const) {
          const u8 = new Uint8Array(a.data.buffer, a.ptr, n), i8 = new Int8Array(b.data.buffer, b.ptr, n);
          let want = 0;
          for (let i = 0; i < n; i++) {
            u8[i] = fillWith === 'random' ? (i * 73 + n) % 256 : 255;
            i8[i] = fillWith === 'random' ? ((i * 151 + 7) % 256) - 128 : fillWith === 'max' || i % 2 ? 127 : -128;
            want += u8[i] * i8[i];
          }
          if (fillWith === 'extremes' && n > 4097) { i8.fill(-128); want = -32640 * n; }
          expect(kernels().dot_u8i8(a.ptr, b.ptr, n), `${fillWith} n=${n}`).toBe(want);
        }
        a.dispose(); b.dispose();
      }
    });

    it('dot(): Uint8Array . Int8Array in either order is the exact integer; other pairs are refused', () => {
      for (const n of LENGTHS) {
        const u8 = Uint8Array.from({ length: n }, (_, i) => (i % 3 ? 255 : (i * 37) % 256));
        const i8 = Int8Array.from({ length: n }, (_, i) => (i % 2 ? -128 : ((i * 59) % 256) - 128));
        const want = u8.reduce((s, v, i) => s + v * i8[i], 0);
        expect(simdnn.dot(u8, i8), `n=${n}`).toBe(want);
        expect(simdnn.dot(i8, u8), `n=${n} swapped`).toBe(want);
      }
      const off = new Uint8Array(18).fill(255).subarray(1, 18), w = new Int8Array(17).fill(-128);
      expect(simdnn.dot(off, w)).toBe(-32640 * 17);
      expect(simdnn.dot(new Int8Array([-128, 127]), new Int8Array([-128, 1]))).toBe(16384 + 127);
      expect(() => simdnn.dot(new Uint8Array(4), new Uint8Array(4))).toThrow(simdnn.SimdnnArgumentError);
      expect(() => simdnn.dot(new Uint8Array(4), new Float32Array(4) as never)).toThrow(simdnn.SimdnnArgumentError);
      expect(() => simdnn.dot(new Uint8Array(4), new Int8Array(5))).toThrow(/b: got length 5/);
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
