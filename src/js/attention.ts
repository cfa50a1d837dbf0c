// Attention in plain TypeScript (semantics: assembly/attention/attention.ts), reading the same
// parameter struct. Scores of one query are materialized (O(seqK)), in float64.
import type { Kernels } from '../runtime/kernels.js';

const enum P {
  Q = 0, K, V, Out, Lse, Scratch, Batch, Heads, KvHeads, SeqQ, SeqK, HeadDim,
  QB, QH, QS, KB, KH, KS, VB, VH, VS, OB, OH, OS,
  Scale, Causal, Offset, Window, Softcap, Alibi, KvLengths, Mask, MaskB, MaskH, MaskQ, Bias, BiasB, BiasH, BiasQ,
  Ring, RingStart, Fox, KScale, VScale, ScaleSlots,
}

/**
 * Calls visit(b, h, i, j0, j1, s, vAt, out) for every query, with s[j] its score for the visible
 * keys [j0, j1) (-Infinity where masked), vAt(j, c) element c of value row j (dequantized from an
 * int8 cache) and out the f32 index of its output row.
 */
function eachQuery(buffer: ArrayBuffer, p: number, visit: (b: number, h: number, i: number, j0: number, j1: number, s: Float64Array, vAt: (j: number, c: number) => number, out: number) => void): void {
  const I = new Int32Array(buffer, p, 45), F = new Float32Array(buffer, p, 45), i8 = new Int8Array(buffer);
  const f32 = new Float32Array(buffer), i32 = new Int32Array(buffer), u8 = new Uint8Array(buffer), f64 = new Float64Array(buffer);
  const slot = (j: number) => (I[P.Ring] ? (I[P.RingStart] + j) % I[P.Ring] : j); // ring-buffer cache
  const [batch, heads, kvHeads, seqQ, seqK, d] = [I[P.Batch], I[P.Heads], I[P.KvHeads], I[P.SeqQ], I[P.SeqK], I[P.HeadDim]];
  const at = (slot: P) => I[slot] >> 2; // f32 index of a pointer
  const g = heads / kvHeads, scale = F[P.Scale], cap = F[P.Softcap];
  const s = new Float64Array(seqK);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      const kvh = Math.floor(h / g);
      for (let i = 0; i < seqQ; i++) {
        const pos = i + I[P.Offset];
        let j0 = 0, j1 = seqK;
        if (I[P.KvLengths]) j1 = Math.min(j1, i32[at(P.KvLengths) + b]);
        if (I[P.Causal]) j1 = Math.min(j1, pos + 1);
        if (I[P.Window] > 0) j0 = Math.max(0, pos - I[P.Window] + 1);
        const q = at(P.Q) + b * I[P.QB] + h * I[P.QH] + i * I[P.QS];
        const sc = (I[P.KScale] >> 2) + (b * kvHeads + kvh) * I[P.ScaleSlots], vsc = (I[P.VScale] >> 2) - (I[P.KScale] >> 2);
        for (let j = j0; j < j1; j++) {
          let dot = 0;
          if (I[P.KScale]) { // int8 K: byte strides, one scale per row
            const k = I[P.K] + b * I[P.KB] + kvh * I[P.KH] + slot(j) * I[P.KS];
            for (let c = 0; c < d; c++) dot += f32[q + c] * i8[k + c];
            dot *= f32[sc + slot(j)];
          } else {
            const k = at(P.K) + b * I[P.KB] + kvh * I[P.KH] + slot(j) * I[P.KS];
            for (let c = 0; c < d; c++) dot += f32[q + c] * f32[k + c];
          }
          let v = dot * scale;
          if (cap > 0) v = cap * Math.tanh(v / cap);
          if (I[P.Alibi]) v += f32[at(P.Alibi) + h] * (j - pos);
          if (I[P.Fox]) { const c = (I[P.Fox] >> 3) + (b * heads + h) * seqK; v += Math.fround(f64[c + pos] - f64[c + j]); }
          if (I[P.Bias]) v += f32[at(P.Bias) + b * I[P.BiasB] + h * I[P.BiasH] + i * I[P.BiasQ] + j];
          if (I[P.Mask] && !u8[I[P.Mask] + b * I[P.MaskB] + h * I[P.MaskH] + i * I[P.MaskQ] + j]) v = -Infinity;
          s[j] = v;
        }
        const vAt = I[P.KScale]
          ? (j: number, c: number) => i8[I[P.V] + b * I[P.VB] + kvh * I[P.VH] + slot(j) * I[P.VS] + c] * f32[sc + vsc + slot(j)]
          : (j: number, c: number) => f32[at(P.V) + b * I[P.VB] + kvh * I[P.VH] + slot(j) * I[P.VS] + c];
        visit(b, h, i, j0, j1, s, vAt, at(P.Out) + b * I[P.OB] + h * I[P.OH] + i * I[P.OS]);
      }
    }
  }
}

/** Softmax attention, with the per-query log-sum-exp when the struct asks for it. */
export function attention(buffer: ArrayBuffer, p: number): void {
  const I = new Int32Array(buffer, p, 45), f32 = new Float32Array(buffer);
  const d = I[P.HeadDim], heads = I[P.Heads], seqQ = I[P.SeqQ];
  eachQuery(buffer, p, (b, h, i, j0, j1, s, vAt, o) => {
    let m = -Infinity;
    for (let j = j0; j < j1; j++) if (s[j] > m || s[j] !== s[j]) m = m !== m ? m : s[j] !== s[j] ? NaN : s[j];
    let sum = 0;
    for (let j = j0; j < j1; j++) { s[j] = m === -Infinity ? 0 : Math.exp(s[j] - m); sum += s[j]; }
    for (let c = 0; c < d; c++) {
      let acc = 0;
      for (let j = j0; j < j1; j++) if (s[j] !== 0) acc += s[j] * vAt(j, c);
      f32[o + c] = sum > 0 || sum !== sum ? acc / sum : 0;
    }
    if (I[P.Lse]) f32[(I[P.Lse] >> 2) + (b * heads + h) * seqQ + i] = sum > 0 || sum !== sum ? m + Math.log(sum) : -Infinity;
  });
}

/**
 * Attention with another normalizer: the visible, unmasked scores of each query are gathered
 * into the scratch block and normalized by this tier's own row kernel (kind: the Norm enum of
 * assembly/attention/attention.ts), n = their count.
 */
export function attentionNorm(buffer: ArrayBuffer, p: number, kind: number, sc: number, k: Kernels): void {
  const I = new Int32Array(buffer, p, 45), d = I[P.HeadDim], row = I[P.Scratch], w = row + I[P.SeqK] * 8;
  eachQuery(buffer, p, (_b, _h, _i, j0, j1, s, vAt, o) => {
    const f32 = new Float32Array(buffer), idx: number[] = [];
    for (let j = j0; j < j1; j++) if (s[j] !== -Infinity) { f32[(row >> 2) + idx.length] = s[j]; idx.push(j); }
    const c = idx.length;
    f32.fill(0, o, o + d);
    if (!c) return;
    switch (kind) {
      case 1: k.softmax_f32(row, w, 1, c, Math.fround(sc * Math.log(c))); break;
      case 2: k.softpick_f32(row, w, 1, c, 1, 1e-8); break;
      case 3: k.relu_norm_f32(row, w, c, 1, 1 / c); break;
      case 4: k.sigmoid_norm_f32(row, w, 1, c, 1, -Math.log(c), 0); break;
      case 5: k.softplus_norm_f32(row, w, 1, c, 1); break;
      case 6: k.stablemax_f32(row, w, 1, c, 1); break;
      case 7: k.sparsemax_f32(row, w, 1, c, 1); break;
      case 8: k.entmax15_f32(row, w, 1, c, 1); break;
      default: k.softmax_f32(row, w, 1, c, 1);
    }
    const out = new Float32Array(buffer); // (views made after the row kernel: it never grows memory, but stay safe)
    for (let t = 0; t < c; t++) {
      const wt = out[(w >> 2) + t];
      if (wt !== 0) for (let x = 0; x < d; x++) out[o + x] += wt * vAt(idx[t], x);
    }
  });
}
