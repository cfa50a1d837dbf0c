// Tropical attention in plain TypeScript (semantics: assembly/attention/tropical.ts).
export function tropicalAttention(q: Float32Array, k: Float32Array, v: Float32Array, out: Float32Array, batch: number, heads: number, kvHeads: number,
  seqQ: number, seqK: number, d: number, causal: boolean, symmetric: boolean, mask: Uint8Array | undefined, maskRows: number): void {
  const g = heads / kvHeads;
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) {
    const kvh = Math.floor(h / g), qr = ((b * heads + h) * seqQ + i) * d, kb = (b * kvHeads + kvh) * seqK * d;
    out.fill(-Infinity, qr, qr + d);
    const j1 = causal ? Math.min(seqK, i + seqK - seqQ + 1) : seqK;
    for (let j = 0; j < j1; j++) {
      if (mask && !mask[(maskRows > 1 ? i * seqK : 0) + j]) continue;
      let mx = -Infinity, mn = Infinity, sum = 0, nan = false;
      for (let c = 0; c < d; c++) {
        const t = Math.fround(q[qr + c] - k[kb + j * d + c]);
        if (t !== t) nan = true;
        mx = Math.max(mx, t); mn = Math.min(mn, t); sum += t;
      }
      const s = nan ? NaN : symmetric ? mn - mx : d * mn - sum;
      for (let c = 0; c < d; c++) out[qr + c] = Math.max(out[qr + c], s + v[kb + j * d + c]);
    }
  }
}
