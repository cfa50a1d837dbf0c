// Tropical attention (Hashemi, Pasque, Teska & Yoshida, "Tropical Attention: Neural Algorithmic
// Reasoning for Combinatorial Algorithms", 2025), the core in the max-plus semiring: scores are
// minus the tropical Hilbert projective distance, s_ij = -(max_c (q_ic - k_jc) - min_c (q_ic - k_jc))
// (or the asymmetric form -(sum_c (q_ic - k_jc) - d min_c (q_ic - k_jc))), and the output is the
// max-plus product out_ic = max_j (s_ij + v_jc). Masked or invisible keys are the tropical zero
// (-Inf): a query that sees none gets -Inf. The paper's valuation map (log1p relu), tropical
// linear projections and output map stay with the caller.
import { hmax4 } from '../simd/fma';

/** -d(q, k) for one pair over d coordinates. */
function score(q: usize, k: usize, d: i32, symmetric: bool): f32 {
  let mx = f32x4.splat(-Infinity), mn = f32x4.splat(Infinity), sm = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= d; c += 4) {
    const t = f32x4.sub(v128.load(q + (<usize>c << 2)), v128.load(k + (<usize>c << 2)));
    mx = f32x4.max(mx, t); mn = f32x4.min(mn, t); sm = f32x4.add(sm, t);
  }
  let a = hmax4(mx), b = -hmax4(f32x4.neg(mn));
  let s = f32x4.extract_lane(sm, 0) + f32x4.extract_lane(sm, 1) + f32x4.extract_lane(sm, 2) + f32x4.extract_lane(sm, 3);
  let nan = s != s; // a NaN lane makes the lane sum NaN
  for (; c < d; c++) {
    const t = load<f32>(q + (<usize>c << 2)) - load<f32>(k + (<usize>c << 2));
    if (t != t) nan = true;
    a = max(a, t); b = min(b, t); s += t;
  }
  if (nan || a != a || b != b) return NaN; // (hmax4 skips NaN lanes)
  return symmetric ? b - a : <f32>d * b - s;
}

export function tropical_attention_f32(q: usize, k: usize, v: usize, out: usize, batch: i32, heads: i32, kvHeads: i32,
  seqQ: i32, seqK: i32, d: i32, causal: i32, symmetric: bool, mask: usize, maskRows: i32): void {
  const g = heads / kvHeads;
  for (let b = 0; b < batch; b++) for (let h = 0; h < heads; h++) for (let i = 0; i < seqQ; i++) {
    const kvh = h / g, qr = q + (<usize>(((b * heads + h) * seqQ + i) * d) << 2), o = out + (<usize>(((b * heads + h) * seqQ + i) * d) << 2);
    const kb = k + (<usize>((b * kvHeads + kvh) * seqK * d) << 2), vb = v + (<usize>((b * kvHeads + kvh) * seqK * d) << 2);
    for (let c = 0; c < d; c++) store<f32>(o + (<usize>c << 2), -Infinity);
    const j1 = causal ? min(seqK, i + seqK - seqQ + 1) : seqK;
    const mr = mask + <usize>(maskRows > 1 ? i * seqK : 0);
    for (let j = 0; j < j1; j++) {
      if (mask && !load<u8>(mr + <usize>j)) continue;
      const s = score(qr, kb + (<usize>(j * d) << 2), d, symmetric), vs = f32x4.splat(s), vr = vb + (<usize>(j * d) << 2);
      let c = 0;
      for (; c + 4 <= d; c += 4) {
        const oc = o + (<usize>c << 2);
        v128.store(oc, f32x4.max(v128.load(oc), f32x4.add(vs, v128.load(vr + (<usize>c << 2))))); // max: NaN propagates
      }
      for (; c < d; c++) {
        const oc = o + (<usize>c << 2);
        store<f32>(oc, max(load<f32>(oc), s + load<f32>(vr + (<usize>c << 2))));
      }
    }
  }
}
