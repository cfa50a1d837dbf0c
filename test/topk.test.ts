// topk, topkSoftmax (full-row and renormalized), argmax, hardmax in every tier, against a
// sort-based reference and the float64 softmax, with the edge rows of the numeric contract.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftmax, refTopk, randomF32, edgeRows } from './reference';

const LENGTHS = [1, 3, 5, 15, 17, 63, 65, 4097];

function checkTopk(x: Float32Array, cols: number, k: number, label: string): void {
  const got = simdnn.topk(x, { k, cols });
  refTopk(x, cols, k).forEach((want, r) => {
    expect(Array.from(got.indices.subarray(r * k, r * k + k)), `${label} row ${r} indices`).toEqual(want.indices);
    expect(Array.from(got.values.subarray(r * k, r * k + k)), `${label} row ${r} values`).toEqual(want.values.map(Math.fround));
  });
}

function checkTopkSoftmax(x: Float32Array, cols: number, k: number, temperature: number, label: string): void {
  const full = simdnn.topkSoftmax(x, { k, cols, temperature });
  const gate = simdnn.topkSoftmax(x, { k, cols, temperature, renormalize: true });
  const probs = refSoftmax(x, { cols, temperature });
  refTopk(x, cols, k).forEach((want, r) => {
    expect(Array.from(full.indices.subarray(r * k, r * k + k)), `${label} row ${r}`).toEqual(want.indices);
    expectClose(full.values.subarray(r * k, r * k + k), want.indices.map((i) => probs[r * cols + i]), 2e-6, 1e-12, `${label} row ${r} full`);
    expectClose(gate.values.subarray(r * k, r * k + k), refSoftmax(Float32Array.from(want.values), { cols: k, temperature }), 2e-6, 1e-12, `${label} row ${r} gate`);
  });
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { expect((await simdnn.init({ tier })).tier).toBe(tier); });

    it('topk at every edge length, k = 1, 3 and cols, with many ties', () => {
      for (const cols of LENGTHS) {
        for (const k of [1, 3, cols].filter((v) => v <= cols)) {
          checkTopk(randomF32(2 * cols, cols), cols, k, `random ${cols}/${k}`);
          checkTopk(randomF32(2 * cols, cols + 1).map((v) => Math.round(v / 4)), cols, k, `ties ${cols}/${k}`);
        }
      }
    });

    it('topk and topkSoftmax on the edge rows (-Inf, NaN, +Inf, huge, denormal)', () => {
      for (const cols of LENGTHS) {
        for (const { name, row } of edgeRows(cols)) {
          const x = Float32Array.from(row);
          for (const k of [1, Math.min(3, cols)]) {
            checkTopk(x, cols, k, `${name} ${cols}/${k}`);
            checkTopkSoftmax(x, cols, k, 1, `${name} ${cols}/${k}`);
          }
        }
      }
    });

    it('topkSoftmax with temperature on batches, and long rows', () => {
      for (const temperature of [0.3, 1, 4]) checkTopkSoftmax(randomF32(4 * 65, 8), 65, 5, temperature, `T=${temperature}`);
      checkTopkSoftmax(randomF32(32768, 9, -20, 20), 32768, 8, 1, '32k');
    });

    it('argmax and hardmax', () => {
      const x = Float32Array.from([1, 5, 5, 2, /**/ -Infinity, -Infinity, -Infinity, -Infinity, /**/ 0, NaN, 3, NaN, /**/ 1, Infinity, 2, Infinity]);
      expect(Array.from(simdnn.argmax(x, { cols: 4 }))).toEqual([1, 0, 1, 1]);
      const h = simdnn.hardmax(x, { cols: 4 });
      expect(Array.from(h.subarray(0, 4))).toEqual([0, 1, 0, 0]);
      expect(Array.from(h.subarray(4, 8))).toEqual([0, 0, 0, 0]); // fully masked: zeros, like softmax
      expect(h.subarray(8, 12).every(Number.isNaN)).toBe(true);
      expect(Array.from(h.subarray(12, 16))).toEqual([0, 1, 0, 0]);
      const big = randomF32(3 * 4097, 4);
      expect(Array.from(simdnn.argmax(big, { cols: 4097 }))).toEqual(refTopk(big, 4097, 1).map((r) => r.indices[0]));
    });

    it('outputs go to the given arrays and Tensors; inputs stay untouched; views may be unaligned', () => {
      const buf = new Float32Array(2 * 17 + 1);
      buf.set(randomF32(2 * 17, 3), 1);
      const x = buf.subarray(1), before = x.slice();
      const values = new Float32Array(6), indices = new Int32Array(6);
      const r = simdnn.topk(x, { k: 3, cols: 17, out: { values, indices } });
      expect(r.values).toBe(values);
      expect(r.indices).toBe(indices);
      expect(x).toEqual(before);
      const t = simdnn.tensor(x);
      expect(simdnn.topk(t, { k: 3, cols: 17 }).indices).toEqual(indices);
      const out = simdnn.tensor([34]);
      expect(simdnn.hardmax(t, { cols: 17, out })).toBe(out);
      expect(out.data.reduce((a, b) => a + b, 0)).toBe(2);
      const idx = new Int32Array(2);
      expect(simdnn.argmax(t, { cols: 17, out: idx })).toBe(idx);
      t.dispose(); out.dispose();
    });

    it('properties: sorted, distinct indices, values read back, gate sums to 1', () => {
      fc.assert(fc.property(
        fc.integer({ min: 1, max: 40 }).chain((cols) => fc.tuple(fc.constant(cols), fc.integer({ min: 1, max: cols }),
          fc.float32Array({ minLength: cols, maxLength: cols, noNaN: true, min: -30, max: 30 }))),
        ([cols, k, x]) => {
          const { values, indices } = simdnn.topk(x, { k, cols });
          expect(new Set(indices).size).toBe(k);
          for (let j = 0; j < k; j++) {
            expect(values[j]).toBe(x[indices[j]]);
            if (j) expect(values[j - 1] >= values[j]).toBe(true);
          }
          const gate = simdnn.topkSoftmax(x, { k, cols, renormalize: true }).values;
          expect(Math.abs(gate.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-5);
        }));
    });
  });
}

describe('bad arguments', () => {
  it('k, out and x are checked with typed errors', async () => {
    await simdnn.init({ tier: 'simd' });
    const x = new Float32Array(10);
    expect(() => simdnn.topk(x, { k: 0, cols: 5 })).toThrow(/^k: got 0, expected an integer from 1 to cols \(5\)$/);
    expect(() => simdnn.topk(x, { k: 6, cols: 5 })).toThrow(simdnn.SimdnnArgumentError);
    expect(() => simdnn.topk(x, { k: 1.5 })).toThrow(/^k: got 1.5/);
    expect(() => simdnn.topk(x, {} as never)).toThrow(/^k: got undefined/);
    expect(() => simdnn.topk(x, { k: 2, cols: 5, out: { values: new Float32Array(3) } })).toThrow(/^out.values: got Float32Array\(3\), expected a Float32Array of length 4$/);
    expect(() => simdnn.topk(x, { k: 2, cols: 5, out: { indices: new Float32Array(4) as never } })).toThrow(/^out.indices: got Float32Array\(4\)/);
    expect(() => simdnn.topkSoftmax(x, { k: 2, temperature: -1 })).toThrow(/^temperature: got -1/);
    expect(() => simdnn.argmax([1, 2] as never)).toThrow(/^x: got Array\(2\)/);
    expect(() => simdnn.hardmax(x, { cols: 5, out: new Float32Array(9) })).toThrow(/^out: got length 9, expected length 10$/);
  });
});
