// Attention in plain TypeScript (semantics: assembly/attention/attention.ts), reading the same
// parameter struct. Scores of one query are materialized (O(seqK)), in float64.
const enum P {
  Q = 0, K, V, Out, Lse, Scratch, Batch, Heads, KvHeads, SeqQ, SeqK, HeadDim,
  QB, QH, QS, KB, KH, KS, VB, VH, VS, OB, OH, OS,
  Scale, Causal, Offset, Window, Softcap, Alibi, KvLengths, Mask, MaskB, MaskH, MaskQ, Bias, BiasB, BiasH, BiasQ,
  Ring, RingStart,
}

export function attention(buffer: ArrayBuffer, p: number): void {
  const I = new Int32Array(buffer, p, 41), F = new Float32Array(buffer, p, 41);
  const slot = (j: number) => (I[P.Ring] ? (I[P.RingStart] + j) % I[P.Ring] : j); // ring-buffer cache
  const f32 = new Float32Array(buffer), i32 = new Int32Array(buffer), u8 = new Uint8Array(buffer);
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
        let m = -Infinity;
        for (let j = j0; j < j1; j++) {
          const k = at(P.K) + b * I[P.KB] + kvh * I[P.KH] + slot(j) * I[P.KS];
          let dot = 0;
          for (let c = 0; c < d; c++) dot += f32[q + c] * f32[k + c];
          let v = dot * scale;
          if (cap > 0) v = cap * Math.tanh(v / cap);
          if (I[P.Alibi]) v += f32[at(P.Alibi) + h] * (j - pos);
          if (I[P.Bias]) v += f32[at(P.Bias) + b * I[P.BiasB] + h * I[P.BiasH] + i * I[P.BiasQ] + j];
          if (I[P.Mask] && !u8[I[P.Mask] + b * I[P.MaskB] + h * I[P.MaskH] + i * I[P.MaskQ] + j]) v = -Infinity;
          s[j] = v;
          if (v > m || v !== v) m = m !== m ? m : v !== v ? NaN : v;
        }
        let sum = 0;
        for (let j = j0; j < j1; j++) { s[j] = m === -Infinity ? 0 : Math.exp(s[j] - m); sum += s[j]; }
        const o = at(P.Out) + b * I[P.OB] + h * I[P.OH] + i * I[P.OS];
        for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let j = j0; j < j1; j++) if (s[j] !== 0) acc += s[j] * f32[at(P.V) + b * I[P.VB] + kvh * I[P.VH] + slot(j) * I[P.VS] + c];
          f32[o + c] = sum > 0 || sum !== sum ? acc / sum : 0;
        }
        if (I[P.Lse]) f32[at(P.Lse) + (b * heads + h) * seqQ + i] = sum > 0 || sum !== sum ? m + Math.log(sum) : -Infinity;
      }
    }
  }
}
