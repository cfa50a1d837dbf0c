// kvCache + attention({ cache }) in every tier: decode after many appends equals attention over
// the whole K/V (float64 reference), ring buffers keep the last `window` positions in order.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refAttention } from './attention-ref';
import { randomF32 } from './reference';

const H = 4, KV = 2, D = 8;
// Tolerance: 1e-5 relative, plus 1e-6 x max|V| (here 2) absolute for outputs that cancel to near 0.

/** Positions [from, to) of a [batch, kvHeads, seq, d] tensor. */
function slice(x: Float32Array, batch: number, seq: number, from: number, to: number): Float32Array {
  const out = new Float32Array(batch * KV * (to - from) * D);
  for (let bh = 0; bh < batch * KV; bh++) out.set(x.subarray((bh * seq + from) * D, (bh * seq + to) * D), bh * (to - from) * D);
  return out;
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('decode after many appends (1, 3 and 7 positions at a time) equals attention over the whole cache', () => {
      const batch = 2, T = 150, k = randomF32(batch * KV * T * D, 1, -2, 2), v = randomF32(batch * KV * T * D, 2, -2, 2);
      const cache = simdnn.kvCache({ batch, kvHeads: KV, headDim: D, capacity: 200 });
      let t = 0, step = 0;
      while (t < T) {
        const n = Math.min([1, 3, 7][step++ % 3], T - t);
        cache.append(slice(k, batch, T, t, t + n), slice(v, batch, T, t, t + n));
        t += n;
        expect(cache.length).toBe(t);
        const seqQ = n, q = randomF32(batch * H * seqQ * D, t);
        const o = { batch, heads: H, kvHeads: KV, seqQ, seqK: t, headDim: D, causal: true as const };
        const got = simdnn.attention({ q, cache, heads: H, causal: true, returnLse: true });
        const want = refAttention(q, slice(k, batch, T, 0, t), slice(v, batch, T, 0, t), o);
        expectClose(got.out, want.out, 1e-5, 2e-6, `after ${t}`);
        expectClose(got.lse, want.lse, 1e-5, 2e-6, `lse after ${t}`);
      }
      cache.dispose();
    });

    it('a ring buffer (window) keeps the last positions, in order, across wraps', () => {
      const W = 70, T = 3 * W + 5, k = randomF32(KV * T * D, 3, -2, 2), v = randomF32(KV * T * D, 4, -2, 2);
      const cache = simdnn.kvCache({ kvHeads: KV, headDim: D, window: W });
      for (let t = 0; t < T; t++) {
        cache.append(slice(k, 1, T, t, t + 1), slice(v, 1, T, t, t + 1));
        if (t % 23 !== 0 && t !== T - 1) continue;
        const from = Math.max(0, t + 1 - W), q = randomF32(H * D, t);
        for (const extra of [{}, { alibi: true }, { causal: true as const }]) {
          const o = { heads: H, kvHeads: KV, seqQ: 1, seqK: t + 1 - from, headDim: D, ...extra };
          const got = simdnn.attention({ q, cache, heads: H, ...extra });
          expectClose(got, refAttention(q, slice(k, 1, T, from, t + 1), slice(v, 1, T, from, t + 1), o).out, 1e-5, 2e-6, `t ${t} ${JSON.stringify(extra)}`);
        }
      }
      expect([cache.length, cache.position]).toEqual([W, T]);
      // several positions at once across the wrap point, then more than the window at once
      cache.append(slice(k, 1, T, 0, 9), slice(v, 1, T, 0, 9));
      cache.append(slice(k, 1, T, 0, W + 3), slice(v, 1, T, 0, W + 3));
      const q = randomF32(H * D, 99), o = { heads: H, kvHeads: KV, seqQ: 1, seqK: W, headDim: D };
      expectClose(simdnn.attention({ q, cache, heads: H }), refAttention(q, slice(k, 1, T, 3, W + 3), slice(v, 1, T, 3, W + 3), o).out, 1e-5, 2e-6, 'bulk');
      cache.dispose();
    });

    it('int8 storage: exact against the dequantized K/V, within 5e-2 x max|V| of the f32 ones; ring and GQA', () => {
      /** The documented quantizer, written independently: scale = max|x| / 127 (f32), round half to even. */
      const dequant = (x: Float32Array) => {
        const out = new Float32Array(x.length);
        for (let r = 0; r < x.length; r += D) {
          const s = Math.fround(x.subarray(r, r + D).reduce((a, e) => Math.max(a, Math.abs(e)), 0) / 127);
          for (let c = 0; c < D; c++) {
            const y = s ? x[r + c] / s : 0, f = Math.floor(y), half = y - f === 0.5;
            out[r + c] = (half ? (f % 2 === 0 ? f : f + 1) : Math.round(y)) * s;
          }
        }
        return out;
      };
      for (const window of [undefined, 50]) {
        const batch = 2, T = 130, k = randomF32(batch * KV * T * D, 5, -2, 2), v = randomF32(batch * KV * T * D, 6, -2, 2);
        k[3] = 0.5 * Math.fround(2 / 127) * 127; // a row whose max sits exactly on the grid
        const cache = simdnn.kvCache({ batch, kvHeads: KV, headDim: D, dtype: 'int8', ...(window ? { window } : { capacity: T }) });
        for (let t = 0; t < T; t += 10) {
          cache.append(slice(k, batch, T, t, t + 10), slice(v, batch, T, t, t + 10));
          const from = window ? Math.max(0, t + 10 - window) : 0, q = randomF32(batch * H * D, t);
          const o = { batch, heads: H, kvHeads: KV, seqQ: 1, seqK: t + 10 - from, headDim: D };
          const kk = slice(k, batch, T, from, t + 10), vv = slice(v, batch, T, from, t + 10);
          const got = simdnn.attention({ q, cache, heads: H });
          expectClose(got, refAttention(q, dequant(kk), dequant(vv), o).out, 1e-5, 2e-6, `int8 exact t ${t}`);
          // the quantization error itself (K rows perturb the scores by up to |q|_1 max|k| / 254): measured
          // up to 2.3% of max|V| = 2 here, bound 5%
          expectClose(got, refAttention(q, kk, vv, o).out, 0, 0.1, `int8 vs f32 t ${t}`);
        }
        expect(() => cache.append(Float32Array.from({ length: batch * KV * D }, (_, i) => (i ? 0 : NaN)), new Float32Array(batch * KV * D))).toThrow(/finite/);
        expect(() => simdnn.attention({ q: new Float32Array(batch * H * D), cache, heads: H, normalizer: 'relu' })).toThrow(/normalizer/);
        cache.dispose();
      }
    });

    it('capacity, reset, dispose and bad arguments', () => {
      const cache = simdnn.kvCache({ kvHeads: KV, headDim: D, capacity: 4 });
      const row = new Float32Array(KV * D);
      expect(() => simdnn.attention({ q: new Float32Array(H * D), cache, heads: H })).toThrow(/empty/);
      cache.append(new Float32Array(3 * KV * D).fill(1), new Float32Array(3 * KV * D).fill(2));
      expect(() => cache.append(new Float32Array(2 * KV * D), new Float32Array(2 * KV * D))).toThrow(simdnn.SimdnnArgumentError);
      expect(cache.length).toBe(3); // nothing written
      expect(Array.from(simdnn.attention({ q: new Float32Array(H * D).fill(1), cache, heads: H }))).toEqual(new Array(H * D).fill(2));
      expect(() => cache.append(row, row.subarray(1))).toThrow(/v/);
      expect(() => cache.append(row.subarray(1), row)).toThrow(/k/);
      expect(() => simdnn.attention({ q: new Float32Array(H * D), cache, heads: H, headDim: 4 })).toThrow(/headDim/);
      expect(() => simdnn.attention({ q: new Float32Array(H * D), cache, k: row, heads: H })).toThrow(/k/);
      expect(() => simdnn.attention({ q: new Float32Array(H * D), cache: {} as never, heads: H })).toThrow(/cache/);
      cache.reset();
      expect(cache.length).toBe(0);
      cache.append(row, row);
      expect(cache.length).toBe(1);
      cache.dispose(); cache.dispose();
      expect(cache.disposed).toBe(true);
      expect(() => cache.append(row, row)).toThrow(simdnn.SimdnnDisposedError);
      for (const bad of [{ kvHeads: 0, headDim: 8, capacity: 4 }, { kvHeads: 2, headDim: 8 }, { kvHeads: 2, headDim: 8, window: 1.5 }, { kvHeads: 2, headDim: 8, capacity: 4, dtype: 'int4' }]) {
        expect(() => simdnn.kvCache(bad as never), JSON.stringify(bad)).toThrow(simdnn.SimdnnArgumentError);
      }
    });
  });
}
