// attention in every tier against a float64 reference that materializes the scores: explicit
// q.k * scale, softcap, ALiBi, bias, mask, visibility, softmax, times V.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refAttention, inputs, type Case } from './attention-ref';
import { randomF32 } from './reference';

function check(o: Case, label: string, seed = 1, rel = 1e-5): void {
  const { q, k, v } = inputs(o, seed);
  const got = simdnn.attention({ q, k, v, ...o, returnLse: true });
  const want = refAttention(q, k, v, o);
  // 1e-5 relative, plus 1e-6 x max|V| (3) absolute for outputs that cancel to near 0
  expectClose(got.out, want.out, rel, 3e-6, `${label} out`);
  expectClose(got.lse, want.lse, rel, 1e-6, `${label} lse`);
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('head sizes and sequence lengths, MHA / GQA / MQA, both layouts', () => {
      for (const headDim of [1, 3, 17, 64, 80, 128]) {
        for (const [seqQ, seqK] of [[1, 1], [1, 33], [2, 2], [33, 33], [3, 1000]]) {
          check({ heads: 4, kvHeads: 2, seqQ, seqK, headDim }, `d ${headDim} ${seqQ}x${seqK}`, headDim + seqK);
        }
      }
      check({ heads: 8, kvHeads: 1, seqQ: 5, seqK: 70, headDim: 16 }, 'MQA');
      check({ heads: 6, seqQ: 5, seqK: 70, headDim: 16, batch: 3 }, 'MHA batch 3');
      check({ heads: 8, kvHeads: 2, seqQ: 7, seqK: 130, headDim: 16, batch: 2, layout: 'bshd' }, 'bshd');
      check({ heads: 2, seqQ: 4, seqK: 9, headDim: 8, scale: 0.3 }, 'scale');
      { // q and out [seq, heads, d], k and v [kvHeads, seq, d] (the peer harness's layout)
        const o = { heads: 4, kvHeads: 2, seqQ: 6, seqK: 20, headDim: 8 }, { q, k, v } = inputs(o, 7);
        const qT = new Float32Array(q.length), want = refAttention(q, k, v, o).out, wantT = new Float64Array(want.length);
        for (let h = 0; h < 4; h++) for (let s = 0; s < 6; s++) for (let c = 0; c < 8; c++) { qT[(s * 4 + h) * 8 + c] = q[(h * 6 + s) * 8 + c]; wantT[(s * 4 + h) * 8 + c] = want[(h * 6 + s) * 8 + c]; }
        expectClose(simdnn.attention({ q: qT, k, v, ...o, layout: 'bshd', kvLayout: 'bhsd' }), wantT, 1e-5, 3e-6, 'mixed layouts');
      }
      check({ heads: 2, seqQ: 1000, seqK: 1000, headDim: 8, causal: true }, 'seq 1000 causal');
    });

    it('causal alignments, windows, kvLengths (zeros when nothing is visible)', () => {
      for (const causal of [true, 'bottom-right', 'top-left'] as const) {
        for (const [seqQ, seqK] of [[5, 5], [3, 9], [9, 3], [1, 70]]) {
          check({ heads: 4, kvHeads: 2, seqQ, seqK, headDim: 8, causal }, `${causal} ${seqQ}x${seqK}`);
          check({ heads: 2, seqQ, seqK, headDim: 8, causal, window: 2 }, `${causal} window ${seqQ}x${seqK}`);
        }
      }
      check({ heads: 2, seqQ: 4, seqK: 100, headDim: 8, window: 10 }, 'window without causal');
      check({ heads: 2, batch: 3, seqQ: 4, seqK: 20, headDim: 8, kvLengths: Int32Array.from([20, 7, 0]) }, 'kvLengths');
      const { q, k, v } = inputs({ heads: 2, seqQ: 9, seqK: 3, headDim: 4 }, 3);
      const r = simdnn.attention({ q, k, v, heads: 2, headDim: 4, causal: true, returnLse: true });
      // bottom-right with seqQ > seqK: the first 6 queries of each head see nothing
      for (let h = 0; h < 2; h++) for (let i = 0; i < 6; i++) {
        expect(Array.from(r.out.subarray((h * 9 + i) * 4, (h * 9 + i + 1) * 4))).toEqual([0, 0, 0, 0]);
        expect(r.lse[h * 9 + i]).toBe(-Infinity);
      }
    });

    it('blocks of four query rows: partial blocks, the causal diagonal, GQA rows across positions', () => {
      // rows are (position, head) pairs of a kv group, four at a time: seqQ not a multiple of the
      // block, head sizes off the 8-column step, groups of 1, 2, 3 (blocks straddle positions) and 4
      for (const [heads, kvHeads] of [[2, 2], [4, 2], [6, 2], [8, 2]]) {
        for (const headDim of [1, 3, 17, 80]) {
          for (const seqQ of [1, 2, 3, 5, 33, 65]) {
            for (const causal of [true, 'top-left'] as const) {
              const seqK = causal === true ? seqQ + 7 : seqQ;
              check({ heads, kvHeads, seqQ, seqK, headDim, causal }, `${heads}/${kvHeads} d ${headDim} ${seqQ}x${seqK} ${causal}`, seqQ + headDim);
            }
          }
        }
      }
      for (const window of [1, 3, 64, 70]) check({ heads: 4, kvHeads: 2, seqQ: 70, seqK: 140, headDim: 8, causal: true, window }, `window ${window}`);
      check({ heads: 4, seqQ: 67, seqK: 67, headDim: 12, causal: true, alibi: true, softcap: 2 }, 'block + alibi + softcap');
      check({ heads: 4, seqQ: 9, seqK: 70, headDim: 8, causal: true, mask: Uint8Array.from({ length: 9 * 70 }, (_, i) => (i % 3 ? 1 : 0)) }, 'block + mask');
    });

    it('a NaN in a V row reaches only the queries that see its key', () => {
      const o = { heads: 1, seqQ: 8, seqK: 8, headDim: 8, causal: true } as const, { q, k, v } = inputs(o, 4);
      v[5 * 8 + 2] = NaN; // key 5: visible from query 5 on
      const r = simdnn.attention({ q, k, v, ...o });
      for (let i = 0; i < 8; i++) expect(r.subarray(i * 8, i * 8 + 8).some(Number.isNaN), `query ${i}`).toBe(i >= 5);
    });

    it('a NaN in a K row makes exactly the queries that see its key NaN (vector lanes and tails of a tile)', () => {
      for (const key of [2, 37, 66, 70]) { // lanes 2 and 1 of a 4-key vector, past the first 64-key tile, the scalar tail
        const o = { heads: 4, kvHeads: 4, seqQ: 71, seqK: 71, headDim: 16, causal: true } as const, { q, k, v } = inputs(o, 6);
        for (let h = 0; h < 4; h++) k[(h * 71 + key) * 16 + 3] = NaN;
        const r = simdnn.attention({ q, k, v, ...o });
        for (let h = 0; h < 4; h++) for (let i = 0; i < 71; i++) {
          expect(r.subarray((h * 71 + i) * 16, (h * 71 + i + 1) * 16).some(Number.isNaN), `key ${key} head ${h} query ${i}`).toBe(i >= key);
        }
      }
    });

    it('a NaN in a masked-out V row reaches no query (head sizes with and without a column tail)', () => {
      for (const headDim of [3, 8, 16, 17]) {
        const o = { heads: 4, seqQ: 6, seqK: 8, headDim } as const, { q, k, v } = inputs(o, 5);
        v[5 * headDim + headDim - 1] = NaN; // key 5, last column (the scalar tail when headDim % 16 != 0)
        const mask = Uint8Array.from({ length: 8 }, (_, j) => (j === 5 ? 0 : 1));
        const r = simdnn.attention({ q, k, v, mask, ...o });
        expect(r.some(Number.isNaN), `headDim ${headDim}`).toBe(false);
      }
    });

    it('masks (boolean and additive, every broadcast shape), bias, ALiBi, softcap', () => {
      const base = { heads: 4, kvHeads: 2, batch: 2, seqQ: 3, seqK: 37, headDim: 8 };
      for (const len of [37, 3 * 37, 2 * 3 * 37, 2 * 4 * 3 * 37]) {
        const bool = Uint8Array.from({ length: len }, (_, i) => ((i * 7) % 5 ? 1 : 0));
        const addv = Float32Array.from({ length: len }, (_, i) => ((i * 7) % 5 ? Math.sin(i) : -Infinity));
        check({ ...base, mask: bool }, `bool mask ${len}`);
        check({ ...base, mask: addv }, `additive mask ${len}`);
        check({ ...base, bias: Float32Array.from({ length: len }, (_, i) => Math.cos(i)), mask: addv }, `bias + mask ${len}`);
        check({ ...base, bias: Float32Array.from({ length: len }, (_, i) => Math.cos(i)), mask: bool, causal: true }, `bias + bool ${len}`);
      }
      const none = new Uint8Array(37);
      const r = simdnn.attention({ ...inputs(base, 5), ...base, mask: none });
      expect(r.every((x) => x === 0)).toBe(true);
      check({ heads: 6, seqQ: 5, seqK: 40, headDim: 8, alibi: true, causal: true }, 'alibi (6 heads: not a power of two)');
      check({ heads: 4, seqQ: 5, seqK: 40, headDim: 8, alibi: Float32Array.from([0.5, 0.25, 0.1, 0]) }, 'alibi slopes');
      check({ heads: 2, seqQ: 5, seqK: 40, headDim: 8, softcap: 1.5, scale: 3 }, 'softcap');
      // Forgetting Attention: log forget gates in [-3, 0]
      const gates = (n: number) => Float32Array.from({ length: n }, (_, t) => -3 * Math.abs(Math.sin(t * 1.7)));
      check({ heads: 4, kvHeads: 2, batch: 2, seqQ: 7, seqK: 150, headDim: 8, causal: true, forgetGates: gates(2 * 4 * 150) }, 'FoX causal');
      check({ heads: 2, seqQ: 150, seqK: 150, headDim: 8, causal: true, forgetGates: gates(2 * 150) }, 'FoX prefill');
      check({ heads: 2, seqQ: 3, seqK: 20, headDim: 8, causal: 'top-left', forgetGates: gates(2 * 20) }, 'FoX top-left');
      expect(() => simdnn.attention({ ...inputs({ heads: 2, seqQ: 3, seqK: 2, headDim: 4 }, 1), heads: 2, headDim: 4, forgetGates: new Float32Array(4) })).toThrow(/forgetGates/);
      expect(() => simdnn.attention({ ...inputs({ heads: 2, seqQ: 1, seqK: 2, headDim: 4 }, 1), heads: 2, headDim: 4, forgetGates: Float32Array.from([0, -Infinity, 0, 0]) })).toThrow(/forgetGates/);
      expect(() => simdnn.attention({ ...inputs({ heads: 2, seqQ: 1, seqK: 2, headDim: 4 }, 1), heads: 2, headDim: 4, forgetGates: new Float32Array(3) })).toThrow(/forgetGates/);
      expect(Array.from(simdnn.alibiSlopes(8))).toEqual(Array.from(Float32Array.from([0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625])));
    });

    it('edges: NaN reaches only its queries; huge scores; unaligned views; Tensors in and out', () => {
      const o = { heads: 2, seqQ: 3, seqK: 5, headDim: 4 };
      const { q, k, v } = inputs(o, 9);
      q[0] = NaN; // head 0, query 0
      const r = simdnn.attention({ q, k, v, ...o });
      expect(r.subarray(0, 4).every(Number.isNaN)).toBe(true);
      expect(r.subarray(4).some(Number.isNaN)).toBe(false);
      const big = inputs(o, 10);
      big.q.forEach((_, i) => { big.q[i] *= 300; });
      check({ ...o, scale: 1 }, 'plain'); // sanity before the huge one
      const want = refAttention(big.q, big.k, big.v, o);
      // scores of ~1e3 carry f32 rounding of ~6e-5 into the exponent: 1e-4 relative there
      expectClose(simdnn.attention({ ...big, ...o }), want.out, 1e-4, 1e-6, 'huge scores');
      const buf = new Float32Array(q.length + 1); buf.set(inputs(o, 9).q, 1);
      expect(simdnn.attention({ q: buf.subarray(1), k, v, ...o })).toEqual(simdnn.attention({ q: inputs(o, 9).q, k, v, ...o }));
      const tq = simdnn.tensor(inputs(o, 9).q), tk = simdnn.tensor(k), tv = simdnn.tensor(v), out = simdnn.tensor([q.length]);
      expect(simdnn.attention({ q: tq, k: tk, v: tv, ...o, out })).toBe(out);
      expect(out.data).toEqual(simdnn.attention({ q: inputs(o, 9).q, k, v, ...o }));
      [tq, tk, tv, out].forEach((t) => t.dispose());
    });

    it('split-KV: partial results merged by their log-sum-exp equal the whole', () => {
      const o = { heads: 4, kvHeads: 2, seqQ: 2, headDim: 16 };
      const { q, k, v } = inputs({ ...o, seqK: 300 }, 21);
      const part = (from: number, to: number) => {
        const pick = (x: Float32Array) => {
          const r = new Float32Array(2 * (to - from) * 16);
          for (let h = 0; h < 2; h++) r.set(x.subarray((h * 300 + from) * 16, (h * 300 + to) * 16), h * (to - from) * 16);
          return r;
        };
        return simdnn.attention({ q, k: pick(k), v: pick(v), ...o, seqK: to - from, returnLse: true });
      };
      const a = part(0, 170), b = part(170, 300), whole = simdnn.attention({ q, k, v, ...o, returnLse: true });
      const merged = new Float32Array(whole.out.length);
      for (let r = 0; r < 8; r++) {
        const L = Math.max(a.lse[r], b.lse[r]) + Math.log(Math.exp(a.lse[r] - Math.max(a.lse[r], b.lse[r])) + Math.exp(b.lse[r] - Math.max(a.lse[r], b.lse[r])));
        for (let c = 0; c < 16; c++) merged[r * 16 + c] = Math.exp(a.lse[r] - L) * a.out[r * 16 + c] + Math.exp(b.lse[r] - L) * b.out[r * 16 + c];
      }
      expectClose(merged, whole.out, 1e-5, 1e-6, 'merged');
    });

    it('causal prefill of 4096 runs in O(tile) memory (no seqQ x seqK buffer)', () => {
      const n = 4096, d = 16;
      const t = simdnn.tensor(randomF32(n * d, 4, -1, 1)), out = simdnn.tensor([n * d]);
      simdnn.trimMemory();
      const before = simdnn.capabilities().memoryBytes;
      simdnn.attention({ q: t, k: t, v: t, heads: 1, headDim: d, causal: true, out });
      // a materialized score matrix alone would be 64 MB
      expect(simdnn.capabilities().memoryBytes - before).toBeLessThan(1 << 20);
      const last = out.data.subarray((n - 1) * d);
      expect(last.every(Number.isFinite)).toBe(true);
      t.dispose(); out.dispose();
    });

    it('bad arguments', () => {
      const o = { heads: 2, seqQ: 3, seqK: 5, headDim: 4 };
      const { q, k, v } = inputs(o, 1);
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ heads: 0 }, /heads/], [{ heads: 3, kvHeads: 2, headDim: 4 }, /kvHeads|q/], [{ headDim: 5 }, /q/],
        [{ v: v.subarray(1) }, /v/], [{ k: 'x' }, /k/], [{ layout: 'sbhd' }, /layout/], [{ scale: NaN }, /scale/],
        [{ causal: 'left' }, /causal/], [{ window: 0 }, /window/], [{ softcap: -1 }, /softcap/],
        [{ alibi: new Float32Array(3) }, /alibi/], [{ kvLengths: Int32Array.from([9]) }, /kvLengths/],
        [{ mask: new Uint8Array(4) }, /mask/], [{ bias: new Float32Array(4) }, /bias/], [{ mask: [1] }, /mask/],
        [{ out: new Float32Array(3) }, /out/], [{ returnLse: 1 }, /returnLse/],
      ];
      for (const [extra, re] of bad) expect(() => simdnn.attention({ q, k, v, ...o, ...extra } as never), JSON.stringify(Object.keys(extra))).toThrow(re);
      for (const [extra] of bad) try { simdnn.attention({ q, k, v, ...o, ...extra } as never); } catch (e) { expect(e).toBeInstanceOf(simdnn.SimdnnArgumentError); }
    });
  });
}
