// tropicalAttention in every tier against a float64 statement of the max-plus core, with its
// algebraic properties and edges.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { randomF32 } from './reference';

interface Case { heads: number; kvHeads?: number; batch?: number; seqQ: number; seqK: number; headDim: number; causal?: boolean; symmetric?: boolean; mask?: Uint8Array }

function refTropical(q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>, o: Case): Float64Array {
  const batch = o.batch ?? 1, kvHeads = o.kvHeads ?? o.heads, d = o.headDim, out = new Float64Array(batch * o.heads * o.seqQ * d).fill(-Infinity);
  for (let b = 0; b < batch; b++) for (let h = 0; h < o.heads; h++) for (let i = 0; i < o.seqQ; i++) {
    const kvh = Math.floor(h / (o.heads / kvHeads)), r = (b * o.heads + h) * o.seqQ + i;
    for (let j = 0; j < o.seqK; j++) {
      if (o.causal && j > i + o.seqK - o.seqQ) continue;
      if (o.mask && !o.mask[o.mask.length === o.seqK ? j : i * o.seqK + j]) continue;
      const t = Array.from({ length: d }, (_, c) => q[r * d + c] - k[((b * kvHeads + kvh) * o.seqK + j) * d + c]);
      const s = o.symmetric === false ? -(t.reduce((a, x) => a + x, 0) - d * Math.min(...t)) : -(Math.max(...t) - Math.min(...t));
      for (let c = 0; c < d; c++) out[r * d + c] = Math.max(out[r * d + c], s + v[((b * kvHeads + kvh) * o.seqK + j) * d + c]);
    }
  }
  return out;
}

function inputs(o: Case, seed: number) {
  const batch = o.batch ?? 1, kvHeads = o.kvHeads ?? o.heads;
  return {
    q: randomF32(batch * o.heads * o.seqQ * o.headDim, seed, -3, 3),
    k: randomF32(batch * kvHeads * o.seqK * o.headDim, seed + 1, -3, 3),
    v: randomF32(batch * kvHeads * o.seqK * o.headDim, seed + 2, -3, 3),
  };
}

const check = (o: Case, label: string, seed = 1) => {
  const { q, k, v } = inputs(o, seed);
  expectClose(simdnn.tropicalAttention({ q, k, v, ...o }), refTropical(q, k, v, o), 1e-6, 1e-5, label);
};

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('matches the max-plus reference: sizes, GQA, causal, masks, both metrics', () => {
      for (const symmetric of [true, false]) {
        for (const [seqQ, seqK, headDim] of [[1, 1, 1], [2, 2, 3], [5, 33, 17], [33, 33, 64], [3, 100, 8]]) {
          check({ heads: 4, kvHeads: 2, batch: 2, seqQ, seqK, headDim, symmetric }, `${symmetric} ${seqQ}x${seqK} d ${headDim}`);
          check({ heads: 2, seqQ, seqK, headDim, symmetric, causal: true }, `${symmetric} causal ${seqQ}x${seqK}`);
        }
      }
      check({ heads: 2, seqQ: 4, seqK: 9, headDim: 4, mask: Uint8Array.from({ length: 9 }, (_, j) => j % 2) }, 'mask [seqK]');
      check({ heads: 2, seqQ: 4, seqK: 9, headDim: 4, mask: Uint8Array.from({ length: 36 }, (_, j) => (j % 5 ? 1 : 0)) }, 'mask [seqQ, seqK]');
    });

    it('properties: v + c -> out + c; q_i + c on every coordinate changes nothing; unmasked-free queries get -Infinity; NaN propagates', () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer(), fc.double({ min: -50, max: 50, noNaN: true }), (seqK, d, seed, c) => {
        const o = { heads: 1, seqQ: 2, seqK, headDim: d }, { q, k, v } = inputs(o, seed), y = simdnn.tropicalAttention({ q, k, v, ...o });
        const cf = Math.fround(c);
        expectClose(simdnn.tropicalAttention({ q, k, v: v.map((x) => x + cf), ...o }), Array.from(y, (x) => x + cf), 1e-5, 1e-4, 'v + c');
        const q2 = q.slice(); for (let x = 0; x < d; x++) q2[x] += 0.5; // query 0, exactly representable shift
        expectClose(simdnn.tropicalAttention({ q: q2, k, v, ...o }), y, 1e-5, 1e-4, 'q + c');
      }));
      const o = { heads: 1, seqQ: 2, seqK: 3, headDim: 4 }, { q, k, v } = inputs(o, 5);
      const none = simdnn.tropicalAttention({ q, k, v, ...o, mask: new Uint8Array(3) });
      expect(none.every((x) => x === -Infinity)).toBe(true);
      const early = simdnn.tropicalAttention({ ...inputs({ ...o, seqQ: 5 }, 5), ...o, seqQ: 5, causal: true } as never);
      expect(early.subarray(0, 8).every((x) => x === -Infinity)).toBe(true); // queries 0, 1 see no key (5 queries, 3 keys)
      q[0] = NaN;
      const y = simdnn.tropicalAttention({ q, k, v, ...o });
      expect(y.subarray(0, 4).every(Number.isNaN)).toBe(true);
      expect(y.subarray(4).some(Number.isNaN)).toBe(false);
    });

    it('bad arguments', () => {
      const o = { heads: 2, seqQ: 3, seqK: 5, headDim: 4 }, { q, k, v } = inputs(o, 1);
      for (const [extra, re] of [[{ heads: 0 }, /heads/], [{ kvHeads: 3 }, /kvHeads/], [{ v: v.subarray(1) }, /v/], [{ q: q.subarray(1) }, /q/],
        [{ mask: new Uint8Array(4) }, /mask/], [{ causal: 1 }, /causal/], [{ symmetric: 'no' }, /symmetric/], [{ out: new Float32Array(1) }, /out/]] as const) {
        expect(() => simdnn.tropicalAttention({ q, k, v, ...o, ...extra } as never)).toThrow(re);
      }
    });
  });
}
