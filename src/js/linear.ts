// Linear attention in plain TypeScript, float64 state (semantics: assembly/attention/linear.ts),
// reading the same parameter struct.
const enum L {
  Q = 0, K, V, Out, State, Scratch, Batch, Heads, KvHeads, SeqQ, SeqK, D, DV,
  Map, Causal, Decay, Eps, W, DF, WPerHead, M, PosBase,
}

export function linearAttention(buffer: ArrayBuffer, p: number): void {
  const I = new Int32Array(buffer, p, 22), F = new Float32Array(buffer, p, 22), f32 = new Float32Array(buffer);
  const [batch, heads, kvHeads, seqQ, seqK, d, dv, map] = [I[L.Batch], I[L.Heads], I[L.KvHeads], I[L.SeqQ], I[L.SeqK], I[L.D], I[L.DV], I[L.Map]];
  const df = I[L.DF], g = heads / kvHeads, fd = map === 2 ? 2 * d : map === 3 ? 2 * df : d, base = I[L.PosBase], shift = seqK - seqQ;
  const features = (x: number, pos: number, h: number): Float64Array => {
    const y = new Float64Array(fd);
    if (map === 3) {
      const w = (I[L.W] >> 2) + (I[L.WPerHead] ? h * d * df : 0);
      const t = Array.from({ length: df }, (_, f) => { let s = 0; for (let c = 0; c < d; c++) s += f32[x + c] * f32[w + c * df + f]; return s; });
      for (const [sign, at] of [[1, 0], [-1, df]]) {
        const m = Math.max(...t.map((v) => sign * v)), e = t.map((v) => Math.exp(sign * v - m)), sum = e.reduce((a, b) => a + b, 0);
        e.forEach((v, f) => { y[at + f] = v / sum; });
      }
      return y;
    }
    for (let c = 0; c < d; c++) { const v = f32[x + c]; y[c] = map === 0 ? (v > 0 ? v + 1 : Math.exp(v)) : Math.max(v, 0); }
    if (map === 2) {
      const th = (pos * Math.PI) / 2 / I[L.M];
      for (let c = 0; c < d; c++) { y[d + c] = y[c] * Math.sin(th); y[c] *= Math.cos(th); }
    }
    return y;
  };
  for (let b = 0; b < batch; b++) {
    for (let kvh = 0; kvh < kvHeads; kvh++) {
      const st = I[L.State] ? (I[L.State] >> 2) + (b * kvHeads + kvh) * (fd * dv + fd) : -1;
      const S = new Float64Array(fd * dv), z = new Float64Array(fd);
      if (st >= 0) { for (let a = 0; a < fd * dv; a++) S[a] = f32[st + a]; for (let a = 0; a < fd; a++) z[a] = f32[st + fd * dv + a]; }
      const gamma = I[L.Decay] ? f32[(I[L.Decay] >> 2) + kvh] : 1;
      const emit = (i: number, pos: number) => {
        for (let h = kvh * g; h < kvh * g + g; h++) {
          const row = (b * heads + h) * seqQ + i, fq = features((I[L.Q] >> 2) + row * d, pos, kvh);
          let den = F[L.Eps];
          for (let a = 0; a < fd; a++) den += fq[a] * z[a];
          for (let c = 0; c < dv; c++) {
            let num = 0;
            for (let a = 0; a < fd; a++) num += fq[a] * S[a * dv + c];
            f32[(I[L.Out] >> 2) + row * dv + c] = num / den;
          }
        }
      };
      for (let t = 0; t < seqK; t++) {
        const fk = features((I[L.K] >> 2) + ((b * kvHeads + kvh) * seqK + t) * d, base + t, kvh);
        const v = (I[L.V] >> 2) + ((b * kvHeads + kvh) * seqK + t) * dv;
        if (I[L.Causal] && gamma !== 1) { for (let a = 0; a < S.length; a++) S[a] *= gamma; for (let a = 0; a < fd; a++) z[a] *= gamma; }
        for (let a = 0; a < fd; a++) { z[a] += fk[a]; for (let c = 0; c < dv; c++) S[a * dv + c] += fk[a] * f32[v + c]; }
        if (I[L.Causal] && t - shift >= 0) emit(t - shift, base + t);
      }
      if (!I[L.Causal]) for (let i = 0; i < seqQ; i++) emit(i, base + i + shift);
      if (st >= 0) { for (let a = 0; a < fd * dv; a++) f32[st + a] = S[a]; for (let a = 0; a < fd; a++) f32[st + fd * dv + a] = z[a]; }
    }
  }
}
