// linearAttention and linearState in every tier against a float64 reference that materializes the
// quadratic form: out_i = sum_j w_ij v_j / (sum_j w_ij + eps), w_ij = phi(q_i) . phi(k_j) (times
// gamma^(i-j) with a decay), with cosFormer written directly as relu.relu cos(pi (i - j) / 2M).
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { randomF32 } from './reference';

type Map = 'elu1' | 'relu' | 'cosformer' | 'hedgehog';
interface Case {
  heads: number; kvHeads?: number; batch?: number; seqQ: number; seqK: number; headDim: number; valueDim?: number;
  featureMap: Map; causal?: boolean; decay?: Float32Array; weights?: Float32Array; featureDim?: number; maxLength?: number; eps?: number;
}

function phi(x: number[], map: Map, w?: Float32Array, df = 0, kvh = 0): number[] {
  if (map === 'elu1') return x.map((v) => (v > 0 ? v + 1 : Math.exp(v)));
  if (map === 'relu' || map === 'cosformer') return x.map((v) => Math.max(v, 0));
  const d = x.length, off = w!.length === d * df ? 0 : kvh * d * df;
  const t = Array.from({ length: df }, (_, f) => x.reduce((a, v, c) => a + v * w![off + c * df + f], 0));
  const sm = (u: number[]) => { const m = Math.max(...u), e = u.map((v) => Math.exp(v - m)), s = e.reduce((a, b) => a + b); return e.map((v) => v / s); };
  return [...sm(t), ...sm(t.map((v) => -v))];
}

function refLinear(q: Float32Array, k: Float32Array, v: Float32Array, o: Case): Float64Array {
  const batch = o.batch ?? 1, kvHeads = o.kvHeads ?? o.heads, d = o.headDim, dv = o.valueDim ?? d, g = o.heads / kvHeads;
  const M = o.maxLength ?? o.seqK, eps = o.eps ?? 1e-6, out = new Float64Array(batch * o.heads * o.seqQ * dv);
  for (let b = 0; b < batch; b++) for (let h = 0; h < o.heads; h++) for (let i = 0; i < o.seqQ; i++) {
    const kvh = Math.floor(h / g), pos = i + o.seqK - o.seqQ;
    const fq = phi(Array.from(q.subarray(((b * o.heads + h) * o.seqQ + i) * d, ((b * o.heads + h) * o.seqQ + i + 1) * d)), o.featureMap, o.weights, o.featureDim, kvh);
    let den = eps;
    const num = new Float64Array(dv);
    for (let j = 0; j < o.seqK; j++) {
      if (o.causal && j > pos) break;
      const kr = ((b * kvHeads + kvh) * o.seqK + j);
      const fk = phi(Array.from(k.subarray(kr * d, (kr + 1) * d)), o.featureMap, o.weights, o.featureDim, kvh);
      let w = fq.reduce((a, x, c) => a + x * fk[c], 0);
      if (o.featureMap === 'cosformer') w *= Math.cos((Math.PI * (pos - j)) / (2 * M));
      if (o.decay) w *= o.decay[kvh] ** (pos - j);
      den += w;
      for (let c = 0; c < dv; c++) num[c] += w * v[kr * dv + c];
    }
    for (let c = 0; c < dv; c++) out[((b * o.heads + h) * o.seqQ + i) * dv + c] = num[c] / den;
  }
  return out;
}

function inputs(o: Case, seed: number) {
  const batch = o.batch ?? 1, kvHeads = o.kvHeads ?? o.heads, dv = o.valueDim ?? o.headDim;
  return {
    q: randomF32(batch * o.heads * o.seqQ * o.headDim, seed, -1.5, 1.5),
    k: randomF32(batch * kvHeads * o.seqK * o.headDim, seed + 1, -1.5, 1.5),
    v: randomF32(batch * kvHeads * o.seqK * dv, seed + 2, -2, 2),
  };
}

const check = (o: Case, label: string, seed = 1) => {
  const { q, k, v } = inputs(o, seed);
  expectClose(simdnn.linearAttention({ q, k, v, ...o }), refLinear(q, k, v, o), 1e-5, 2e-6, label);
};

const hedgehog = (d: number, df: number, n = 1) => ({ weights: randomF32(n * d * df, d * df + n, -1, 1), featureDim: df });

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('feature maps, causal and not, GQA, batches, odd sizes', () => {
      for (const featureMap of ['elu1', 'relu', 'cosformer', 'hedgehog'] as const) {
        for (const causal of [false, true]) {
          for (const [seqQ, seqK, headDim] of [[1, 1, 1], [2, 2, 3], [33, 33, 17], [5, 40, 64], [1, 33, 8]]) {
            const extra = featureMap === 'hedgehog' ? hedgehog(headDim, 5) : {};
            check({ heads: 4, kvHeads: 2, batch: 2, seqQ, seqK, headDim, featureMap, causal, ...extra }, `${featureMap} causal ${causal} ${seqQ}x${seqK} d ${headDim}`);
          }
        }
      }
      check({ heads: 2, seqQ: 1000, seqK: 1000, headDim: 8, valueDim: 5, featureMap: 'elu1', causal: true }, 'seq 1000');
      check({ heads: 2, seqQ: 9, seqK: 9, headDim: 8, featureMap: 'hedgehog', causal: true, ...hedgehog(8, 3, 2) }, 'hedgehog per kv head');
      check({ heads: 2, seqQ: 9, seqK: 30, headDim: 8, featureMap: 'cosformer', maxLength: 64 }, 'cosformer maxLength');
      check({ heads: 2, seqQ: 9, seqK: 9, headDim: 4, featureMap: 'relu', eps: 0.5 }, 'eps');
    });

    it('decay (causal): gamma^(i-j) weights', () => {
      for (const featureMap of ['elu1', 'cosformer'] as const) {
        check({ heads: 4, kvHeads: 2, seqQ: 40, seqK: 40, headDim: 8, featureMap, causal: true, decay: Float32Array.from([0.9, 0.5]) }, `decay ${featureMap}`);
      }
      check({ heads: 2, seqQ: 3, seqK: 3, headDim: 4, featureMap: 'relu', causal: true, decay: Float32Array.from([0, 1]) }, 'decay 0 and 1');
    });

    it('linearState steps equal the causal prefix form, across resets and with decay', () => {
      for (const featureMap of ['elu1', 'relu', 'cosformer', 'hedgehog'] as const) {
        const o: Case = { heads: 4, kvHeads: 2, batch: 2, seqQ: 25, seqK: 25, headDim: 8, valueDim: 6, featureMap, causal: true,
          ...(featureMap === 'hedgehog' ? hedgehog(8, 4) : {}), ...(featureMap === 'cosformer' ? { maxLength: 32 } : {}), decay: Float32Array.from([0.95, 1]) };
        const { q, k, v } = inputs(o, 7), want = refLinear(q, k, v, o);
        const st = simdnn.linearState({ ...o });
        for (let round = 0; round < 2; round++) {
          for (let t = 0; t < 25; t++) {
            const pick = (x: Float32Array, heads: number, w: number) => {
              const r = new Float32Array(2 * heads * w);
              for (let bh = 0; bh < 2 * heads; bh++) r.set(x.subarray((bh * 25 + t) * w, (bh * 25 + t + 1) * w), bh * w);
              return r;
            };
            const y = st.step(pick(q, 4, 8), pick(k, 2, 8), pick(v, 2, 6)) as Float32Array;
            const wantT = new Float64Array(2 * 4 * 6);
            for (let bh = 0; bh < 8; bh++) for (let c = 0; c < 6; c++) wantT[bh * 6 + c] = want[(bh * 25 + t) * 6 + c];
            expectClose(y, wantT, 1e-5, 2e-6, `${featureMap} step ${t} round ${round}`);
          }
          expect(st.position).toBe(25);
          st.reset();
        }
        if (featureMap === 'cosformer') {
          const s2 = simdnn.linearState({ heads: 1, headDim: 2, featureMap, maxLength: 1 });
          s2.step(new Float32Array(2), new Float32Array(2), new Float32Array(2));
          expect(() => s2.step(new Float32Array(2), new Float32Array(2), new Float32Array(2))).toThrow(/maxLength/);
          s2.dispose();
        }
        st.dispose(); st.dispose();
      }
    });

    it('properties and edges: key order does not matter (non-causal), NaN stays in its query, no NaN from zero features', () => {
      const o: Case = { heads: 2, seqQ: 4, seqK: 12, headDim: 8, featureMap: 'elu1' };
      const { q, k, v } = inputs(o, 3), perm = [...Array(12).keys()].reverse();
      const kp = new Float32Array(k.length), vp = new Float32Array(v.length);
      for (let h = 0; h < 2; h++) perm.forEach((p, j) => { kp.set(k.subarray((h * 12 + p) * 8, (h * 12 + p + 1) * 8), (h * 12 + j) * 8); vp.set(v.subarray((h * 12 + p) * 8, (h * 12 + p + 1) * 8), (h * 12 + j) * 8); });
      expectClose(simdnn.linearAttention({ q, k: kp, v: vp, ...o }), simdnn.linearAttention({ q, k, v, ...o }), 1e-5, 1e-6, 'permuted keys');
      q[0] = NaN;
      const y = simdnn.linearAttention({ q, k, v, ...o });
      expect(y.subarray(0, 8).every(Number.isNaN)).toBe(true);
      expect(y.subarray(8).some(Number.isNaN)).toBe(false);
      const neg = Float32Array.from({ length: 2 * 4 * 8 }, () => -1); // relu features all zero
      expect(simdnn.linearAttention({ q: neg, k, v, ...o, featureMap: 'relu' }).every((x) => x === 0)).toBe(true);
      const t = simdnn.tensor(inputs(o, 3).q), out = simdnn.tensor([2 * 4 * 8]);
      expect(simdnn.linearAttention({ q: t, k, v, ...o, out })).toBe(out);
      expect(out.data).toEqual(simdnn.linearAttention({ q: inputs(o, 3).q, k, v, ...o }));
      t.dispose(); out.dispose();
    });

    it('bad arguments', () => {
      const o: Case = { heads: 2, seqQ: 3, seqK: 5, headDim: 4, featureMap: 'elu1' };
      const { q, k, v } = inputs(o, 1);
      const bad: [Record<string, unknown>, RegExp][] = [
        [{ featureMap: 'tanh' }, /featureMap/], [{ featureMap: 'hedgehog' }, /featureDim/], [{ featureMap: 'hedgehog', featureDim: 3, weights: new Float32Array(5) }, /weights/],
        [{ weights: new Float32Array(4) }, /weights/], [{ decay: Float32Array.from([0.5, 0.5]) }, /decay/], [{ causal: true, decay: Float32Array.from([2, 0.5]) }, /decay/],
        [{ kvHeads: 3 }, /kvHeads/], [{ v: v.subarray(1) }, /v/], [{ q: q.subarray(1) }, /q/], [{ eps: -1 }, /eps/], [{ causal: 'yes' }, /causal/],
        [{ featureMap: 'cosformer', maxLength: 2 }, /maxLength/], [{ out: new Float32Array(2) }, /out/], [{ valueDim: 0 }, /valueDim/],
      ];
      for (const [extra, re] of bad) expect(() => simdnn.linearAttention({ q, k, v, ...o, ...extra } as never), JSON.stringify(Object.keys(extra))).toThrow(re);
      expect(() => simdnn.linearState({ heads: 2, headDim: 4, featureMap: 'cosformer' })).toThrow(/maxLength/);
      const st = simdnn.linearState({ heads: 2, headDim: 4, featureMap: 'relu' });
      expect(() => st.step(q, new Float32Array(8), new Float32Array(8))).toThrow(/q/);
      st.dispose();
      expect(() => st.step(new Float32Array(8), new Float32Array(8), new Float32Array(8))).toThrow(simdnn.SimdnnDisposedError);
    });
  });
}
