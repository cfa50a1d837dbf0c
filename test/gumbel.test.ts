// gumbelSoftmax and addGumbelNoise: the noise against an independent float64 statement of the
// generator, the same bits in every tier, its distribution, and the softmax / hard outputs.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftmax, randomF32, edgeRows } from './reference';

/** The documented generator, written independently: hash of (seed, i) -> u -> -ln(-ln u) in float64. */
function refNoise(seed: number, n: number): Float64Array {
  const lo = BigInt(seed % 2 ** 32), hi = BigInt(Math.floor(seed / 2 ** 32));
  const M = (1n << 32n) - 1n;
  const mix = (h: bigint) => {
    h ^= h >> 16n; h = (h * 0x7feb352dn) & M;
    h ^= h >> 15n; h = (h * 0x846ca68bn) & M;
    return h ^ (h >> 16n);
  };
  return Float64Array.from({ length: n }, (_, i) => {
    const h = mix((mix(BigInt(i) ^ lo) + hi + 0x9e3779b9n) & M);
    const u = (Number(h >> 9n) + 0.5) / 2 ** 23;
    return -Math.log(-Math.log(u));
  });
}

const SEEDS = [0, 1, 42, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1];

describe('the noise is the same bits in every tier', () => {
  it('addGumbelNoise and hard gumbelSoftmax, relaxed vs simd vs js', async () => {
    const x = randomF32(4097, 3, -5, 5);
    const got: Record<string, Uint32Array[]> = {};
    for (const tier of TIERS) {
      await simdnn.init({ tier });
      got[tier] = SEEDS.flatMap((seed) => [
        new Uint32Array(simdnn.addGumbelNoise(x, { seed }).buffer),
        new Uint32Array(simdnn.gumbelSoftmax(x, { seed, hard: true, cols: 17 }).buffer),
      ]);
    }
    for (const tier of TIERS) got[tier].forEach((a, i) => expect(a, `${tier} case ${i}`).toEqual(got.js[i]));
  });
});

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('noise matches the float64 generator for every seed and length', () => {
      for (const seed of SEEDS) {
        for (const n of [1, 3, 5, 15, 17, 63, 65, 4097]) {
          expectClose(simdnn.addGumbelNoise(new Float32Array(n), { seed }), refNoise(seed, n), 1e-6, 1e-6, `seed ${seed} n ${n}`);
        }
      }
      // rows continue the flat counter: two rows of 17 are the 34 values of one row
      expect(simdnn.addGumbelNoise(new Float32Array(34), { seed: 9, cols: 17 })).toEqual(simdnn.addGumbelNoise(new Float32Array(34), { seed: 9 }));
    });

    it('noise is Gumbel(0, 1): mean, variance, CDF, and Gumbel-max samples follow softmax', () => {
      const n = 100_000, g = simdnn.addGumbelNoise(new Float32Array(n), { seed: 7 });
      const mean = g.reduce((a, b) => a + b, 0) / n;
      const variance = g.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
      expect(mean).toBeCloseTo(0.5772156649, 1.7);
      expect(Math.abs(variance - Math.PI ** 2 / 6)).toBeLessThan(0.03);
      const sorted = Float64Array.from(g).sort();
      let ks = 0;
      sorted.forEach((v, i) => { ks = Math.max(ks, Math.abs((i + 1) / n - Math.exp(-Math.exp(-v)))); });
      expect(ks).toBeLessThan(0.0052); // Kolmogorov-Smirnov, 1% level
      const p = [0.5, 0.3, 0.15, 0.05], rows = 40_000;
      const x = new Float32Array(rows * 4).map((_, i) => Math.log(p[i % 4]));
      const y = simdnn.gumbelSoftmax(x, { cols: 4, hard: true, seed: 11 });
      const freq = [0, 0, 0, 0];
      y.forEach((v, i) => { freq[i % 4] += v; });
      freq.forEach((f, i) => expect(Math.abs(f / rows - p[i]), `class ${i}`).toBeLessThan(0.01));
      expect(freq.reduce((a, b) => a + b)).toBe(rows);
    });

    it('soft and hard outputs equal softmax / argmax of the perturbed logits (temperatures, masks, lengths)', () => {
      for (const cols of [1, 3, 5, 15, 17, 63, 65, 4097]) {
        const x = randomF32(3 * cols, cols, -8, 8);
        for (const tau of [0.1, 1, 7]) {
          const z = simdnn.addGumbelNoise(x, { seed: cols, cols });
          expectClose(simdnn.gumbelSoftmax(x, { seed: cols, cols, tau }), refSoftmax(z, { cols, temperature: tau }), 2e-6, 1e-12, `soft cols ${cols} tau ${tau}`);
        }
        const z = simdnn.addGumbelNoise(x, { seed: 5, cols }), hard = simdnn.gumbelSoftmax(x, { seed: 5, cols, hard: true });
        for (let r = 0; r < 3; r++) {
          const row = Array.from(z.subarray(r * cols, (r + 1) * cols)), k = row.indexOf(Math.max(...row));
          expect(Array.from(hard.subarray(r * cols, (r + 1) * cols))).toEqual(row.map((_, i) => (i === k ? 1 : 0)));
        }
      }
      const x = randomF32(2 * 9, 4), mask = Uint8Array.from([1, 0, 1, 1, 0, 1, 1, 1, 0]);
      const additive = Float32Array.from(mask, (m) => (m ? 0 : -Infinity));
      const y = simdnn.gumbelSoftmax(x, { cols: 9, mask, seed: 3 });
      expect(y).toEqual(simdnn.gumbelSoftmax(x, { cols: 9, mask: additive, seed: 3 }));
      y.forEach((v, i) => { if (!mask[i % 9]) expect(v).toBe(0); });
      const masked = x.map((v, i) => (mask[i % 9] ? v : -Infinity));
      expectClose(y, refSoftmax(simdnn.addGumbelNoise(masked, { seed: 3 }), { cols: 9 }), 2e-6, 1e-12, 'mask = -Infinity logits');
    });

    it('edge rows: -Infinity stays masked, NaN rows, +Infinity entries share the mass', () => {
      for (const cols of [1, 3, 17, 65]) {
        for (const { name, row } of edgeRows(cols)) {
          const x = Float32Array.from(row), z = simdnn.addGumbelNoise(x, { seed: 1 });
          x.forEach((v, i) => {
            if (!Number.isFinite(v)) expect(z[i], `${name}: non-finite inputs pass through`).toBe(v);
          });
          expectClose(simdnn.gumbelSoftmax(x, { seed: 1 }), refSoftmax(z, { cols }), 2e-6, 1e-12, `${name} ${cols}`);
          const hard = simdnn.gumbelSoftmax(x, { seed: 1, hard: true });
          if (row.some(Number.isNaN)) expect(hard.every(Number.isNaN), name).toBe(true);
          else if (row.every((v) => v === -Infinity)) expect(hard.every((v) => v === 0), name).toBe(true);
          else expect(hard.reduce((a, b) => a + b), name).toBe(1);
        }
      }
    });

    it('seeds: reproducible, distinct (both halves count), random by default; unaligned and Tensor inputs', () => {
      const x = randomF32(64, 2);
      expect(simdnn.gumbelSoftmax(x, { seed: 5 })).toEqual(simdnn.gumbelSoftmax(x, { seed: 5 }));
      const a = simdnn.addGumbelNoise(x, { seed: 0 }), b = simdnn.addGumbelNoise(x, { seed: 2 ** 32 });
      expect(a).not.toEqual(b);
      expect(simdnn.addGumbelNoise(x)).not.toEqual(simdnn.addGumbelNoise(x));
      const buf = new Float32Array(65); buf.set(x, 1);
      expect(simdnn.gumbelSoftmax(buf.subarray(1), { seed: 8, tau: 0.5 })).toEqual(simdnn.gumbelSoftmax(x, { seed: 8, tau: 0.5 }));
      const t = simdnn.tensor(x), out = simdnn.tensor([64]);
      expect(simdnn.gumbelSoftmax(t, { seed: 8, tau: 0.5, out })).toBe(out);
      expect(out.data).toEqual(simdnn.gumbelSoftmax(x, { seed: 8, tau: 0.5 }));
      t.dispose(); out.dispose();
    });

    it('properties: rows sum to 1, hard is one-hot at the max of the perturbed row', () => {
      fc.assert(fc.property(fc.float32Array({ minLength: 1, maxLength: 40, noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }), fc.nat(), (x, seed) => {
        const y = simdnn.gumbelSoftmax(x, { seed });
        expect(Math.abs(y.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        const z = simdnn.addGumbelNoise(x, { seed }), h = simdnn.gumbelSoftmax(x, { seed, hard: true });
        expect(z[h.indexOf(1)]).toBe(Math.max(...z));
      }));
    });

    it('bad arguments', () => {
      const x = new Float32Array(4);
      for (const tau of [0, -1, Infinity, NaN, '1']) expect(() => simdnn.gumbelSoftmax(x, { tau } as never)).toThrow(simdnn.SimdnnArgumentError);
      for (const seed of [-1, 1.5, 2 ** 53, '3', NaN]) expect(() => simdnn.addGumbelNoise(x, { seed } as never)).toThrow(/seed/);
      expect(() => simdnn.gumbelSoftmax(x, { hard: 1 } as never)).toThrow(/hard/);
      expect(() => simdnn.gumbelSoftmax(x, { cols: 3 })).toThrow(/cols/);
    });
  });
}
