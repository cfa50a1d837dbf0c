// The float64 attention reference shared by the attention and KV-cache tests: it materializes
// the scores (q.k * scale, softcap, ALiBi, bias, mask, visibility), softmax, times V.
import { simdnn } from './util';
import { randomF32 } from './reference';

export interface Case {
  batch?: number; heads: number; kvHeads?: number; seqQ: number; seqK: number; headDim: number;
  layout?: 'bhsd' | 'bshd'; scale?: number; causal?: boolean | 'bottom-right' | 'top-left'; window?: number;
  softcap?: number; alibi?: boolean | Float32Array; kvLengths?: Int32Array; mask?: Uint8Array | Float32Array; bias?: Float32Array;
  forgetGates?: Float32Array;
}

/** Element index of (b, h, s, c) in a [batch, heads, seq, d] tensor of the given layout. */
const idx = (layout: string, heads: number, seq: number, d: number, b: number, h: number, s: number, c: number) =>
  layout === 'bshd' ? ((b * seq + s) * heads + h) * d + c : ((b * heads + h) * seq + s) * d + c;

export function refAttention(q: Float32Array, k: Float32Array, v: Float32Array, o: Case): { out: Float64Array; lse: Float64Array } {
  const { heads, seqQ, seqK, headDim: d } = o, batch = o.batch ?? 1, kvHeads = o.kvHeads ?? heads, L = o.layout ?? 'bhsd';
  const scale = o.scale ?? 1 / Math.sqrt(d), out = new Float64Array(q.length), lse = new Float64Array(batch * heads * seqQ);
  const slopes = o.alibi === true ? simdnn.alibiSlopes(heads) : o.alibi || undefined;
  const pick = (m: ArrayLike<number>, b: number, h: number, i: number, j: number) => {
    if (m.length === seqK) return m[j];
    if (m.length === seqQ * seqK) return m[i * seqK + j];
    if (m.length === batch * seqQ * seqK) return m[(b * seqQ + i) * seqK + j];
    return m[((b * heads + h) * seqQ + i) * seqK + j];
  };
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) {
    const kvh = Math.floor(h / (heads / kvHeads));
    const pos = o.causal === 'top-left' ? i : i + seqK - seqQ;
    const s: number[] = [];
    for (let j = 0; j < seqK; j++) {
      let visible = true;
      if (o.causal && j > pos) visible = false;
      if (o.window && j <= pos - o.window) visible = false;
      if (o.kvLengths && j >= o.kvLengths[b]) visible = false;
      if (o.mask instanceof Uint8Array && !pick(o.mask, b, h, i, j)) visible = false;
      let x = 0;
      for (let c = 0; c < d; c++) x += q[idx(L, heads, seqQ, d, b, h, i, c)] * k[idx(L, kvHeads, seqK, d, b, kvh, j, c)];
      x *= scale;
      if (o.softcap) x = o.softcap * Math.tanh(x / o.softcap);
      if (slopes) x += slopes[h] * (j - pos);
      if (o.bias) x += pick(o.bias, b, h, i, j);
      if (o.forgetGates) for (let l = j + 1; l <= pos; l++) x += o.forgetGates[(b * heads + h) * seqK + l]; // FoX: log f over (j, i]
      if (o.mask instanceof Float32Array) x += pick(o.mask, b, h, i, j);
      s.push(visible ? x : -Infinity);
    }
    const m = Math.max(...s);
    const p = s.map((x) => (m === -Infinity ? 0 : Math.exp(x - m)));
    const sum = p.reduce((a, c) => a + c, 0);
    lse[(b * heads + h) * seqQ + i] = sum > 0 ? m + Math.log(sum) : -Infinity;
    for (let c = 0; c < d; c++) {
      let acc = 0;
      for (let j = 0; j < seqK; j++) if (p[j]) acc += p[j] * v[idx(L, kvHeads, seqK, d, b, kvh, j, c)];
      out[idx(L, heads, seqQ, d, b, h, i, c)] = sum > 0 ? acc / sum : 0;
    }
  }
  return { out, lse };
}

export function inputs(o: Case, seed: number) {
  const batch = o.batch ?? 1, kvHeads = o.kvHeads ?? o.heads;
  return {
    q: randomF32(batch * o.heads * o.seqQ * o.headDim, seed, -2, 2),
    k: randomF32(batch * kvHeads * o.seqK * o.headDim, seed + 1, -2, 2),
    v: randomF32(batch * kvHeads * o.seqK * o.headDim, seed + 2, -3, 3),
  };
}


/**
 * Per query (b, h, i in order), its visible unmasked keys and their float64 scores, as
 * refAttention computes them: the input of a non-softmax normalizer.
 */
export function refScoreRows(q: Float32Array, k: Float32Array, o: Case): { keys: number[]; scores: number[] }[] {
  const { heads, seqQ, seqK, headDim: d } = o, batch = o.batch ?? 1, kvHeads = o.kvHeads ?? heads, L = o.layout ?? 'bhsd';
  const scale = o.scale ?? 1 / Math.sqrt(d), rows: { keys: number[]; scores: number[] }[] = [];
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) {
    const kvh = Math.floor(h / (heads / kvHeads)), pos = o.causal === 'top-left' ? i : i + seqK - seqQ;
    const row = { keys: [] as number[], scores: [] as number[] };
    for (let j = 0; j < seqK; j++) {
      if ((o.causal && j > pos) || (o.window && j <= pos - o.window) || (o.kvLengths && j >= o.kvLengths[b])) continue;
      if (o.mask instanceof Uint8Array && !o.mask[o.mask.length === seqK ? j : i * seqK + j]) continue;
      let x = 0;
      for (let c = 0; c < d; c++) x += q[idx(L, heads, seqQ, d, b, h, i, c)] * k[idx(L, kvHeads, seqK, d, b, kvh, j, c)];
      row.keys.push(j); row.scores.push(x * scale);
    }
    rows.push(row);
  }
  return rows;
}
