// attention({ normalizer }) in every tier: equal to the float64 scores of the visible, unmasked
// keys passed through the matching softmax-family function (itself tested against float64),
// then multiplied by V.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refScoreRows, inputs, type Case } from './attention-ref';

type Fn = (x: Float32Array) => Float32Array;
const FAMILY: Record<string, Fn> = {
  softmax: (x) => simdnn.softmax(x),
  ssmax: (x) => (x.length > 1 ? simdnn.ssmax(x, { s: 0.7 }) : simdnn.softmax(x)),
  softpick: (x) => simdnn.softpick(x),
  relu: (x) => simdnn.reluNorm(x),
  sigmoid: (x) => simdnn.sigmoidNorm(x),
  softplus: (x) => simdnn.softplusNorm(x),
  stablemax: (x) => simdnn.stablemax(x),
  sparsemax: (x) => simdnn.sparsemax(x),
  entmax15: (x) => simdnn.entmax15(x),
};

function expected(q: Float32Array, k: Float32Array, v: Float32Array, o: Case, fn: Fn): Float64Array {
  const d = o.headDim, out = new Float64Array(q.length), kvHeads = o.kvHeads ?? o.heads;
  refScoreRows(q, k, o).forEach((row, r) => {
    const h = Math.floor(r / o.seqQ) % o.heads, b = Math.floor(r / (o.seqQ * o.heads)), kvh = Math.floor(h / (o.heads / kvHeads));
    if (!row.keys.length) return;
    const w = fn(Float32Array.from(row.scores));
    row.keys.forEach((j, t) => {
      for (let c = 0; c < d; c++) out[r * d + c] += w[t] * v[((b * kvHeads + kvh) * o.seqK + j) * d + c];
    });
  });
  return out;
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const [name, fn] of Object.entries(FAMILY)) {
      it(`normalizer ${name}: GQA, causal, masks, padding, a cache`, () => {
        const cases: Case[] = [
          { heads: 4, kvHeads: 2, seqQ: 3, seqK: 40, headDim: 8 },
          { heads: 4, kvHeads: 2, seqQ: 5, seqK: 70, headDim: 17, causal: true },
          { heads: 2, seqQ: 2, seqK: 33, headDim: 4, mask: Uint8Array.from({ length: 33 }, (_, j) => (j % 3 ? 1 : 0)), window: 20 },
          { heads: 2, batch: 2, seqQ: 1, seqK: 9, headDim: 4, kvLengths: Int32Array.from([9, 0]) },
        ];
        for (const [n, o] of cases.entries()) {
          const { q, k, v } = inputs(o, 40 + n);
          const got = simdnn.attention({ q, k, v, ...o, normalizer: name as never, s: 0.7 });
          expectClose(got, expected(q, k, v, o, fn), 1e-5, 3e-6, `${name} case ${n}`);
        }
      });
    }

    it('normalizer arguments', () => {
      const o = { heads: 2, seqQ: 1, seqK: 4, headDim: 2 }, { q, k, v } = inputs(o, 1);
      expect(() => simdnn.attention({ q, k, v, ...o, normalizer: 'max' as never })).toThrow(/normalizer/);
      expect(() => simdnn.attention({ q, k, v, ...o, normalizer: 'relu', returnLse: true })).toThrow(/returnLse/);
      expect(() => simdnn.attention({ q, k, v, ...o, normalizer: 'ssmax', s: 0 })).toThrow(/\bs\b/);
    });
  });
}
