// Linear attention (Katharopoulos et al., "Transformers are RNNs", 2020): with a feature map phi,
// out_i = phi(q_i)^T S / (phi(q_i) . z + eps), S = sum_j phi(k_j) v_j^T, z = sum_j phi(k_j), over all
// keys or, causally, over j <= i (a running state, optionally decayed by gamma per kv head:
// S <- gamma S + phi(k) v^T, z <- gamma z + phi(k)). The same state carries over between calls
// for token-by-token decoding (linearState). Parameters come as one struct (L below).
// Feature maps: elu(x) + 1; relu(x); cosFormer (Qin et al. 2022): [relu(x) cos(pi p / 2M),
// relu(x) sin(pi p / 2M)] at position p, whose dot products give relu.relu cos(pi (i - j) / 2M);
// Hedgehog (Zhang et al. 2024): [softmax(x W), softmax(-x W)] with caller weights W [d, df].
import { vexp } from '../simd/vexp';
import { fma4, hsum4 } from '../simd/fma';
import { softmaxRow3 } from '../softmax/softmax';

export const enum L {
  Q = 0, K, V, Out, State, Scratch, Batch, Heads, KvHeads, SeqQ, SeqK, D, DV,
  Map, Causal, Decay, Eps, W, DF, WPerHead, M, PosBase,
  Count,
}
export const enum Map { Elu1 = 0, Relu, CosFormer, Hedgehog }

// @ts-ignore: decorator
@inline function gi(p: usize, slot: L): i32 { return load<i32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline function gf(p: usize, slot: L): f32 { return load<f32>(p + (<usize>slot << 2)); }
// @ts-ignore: decorator
@inline function gp(p: usize, slot: L): usize { return <usize>load<u32>(p + (<usize>slot << 2)); }

/** The feature dimension of a map. */
export function featureDim(map: i32, d: i32, df: i32): i32 {
  return map == Map.CosFormer ? 2 * d : map == Map.Hedgehog ? 2 * df : d;
}

/** phi(x) of one d-vector at position pos into y (featureDim floats); kv head h picks per-head hedgehog weights. */
function features(p: usize, x: usize, y: usize, pos: i32, h: i32): void {
  const d = gi(p, L.D), map = gi(p, L.Map);
  if (map == Map.Hedgehog) {
    const df = gi(p, L.DF);
    const w = gp(p, L.W) + (gi(p, L.WPerHead) ? <usize>(h * d * df) << 2 : 0);
    for (let f = 0; f < df; f++) { // t = x W, then [softmax(t), softmax(-t)]
      let t: f32 = 0;
      for (let c = 0; c < d; c++) t += load<f32>(x + (<usize>c << 2)) * load<f32>(w + (<usize>(c * df + f) << 2));
      store<f32>(y + (<usize>f << 2), t);
      store<f32>(y + (<usize>(df + f) << 2), -t);
    }
    softmaxRow3(y, y, df, 1);
    softmaxRow3(y + (<usize>df << 2), y + (<usize>df << 2), df, 1);
    return;
  }
  let c = 0;
  const zero = f32x4.splat(0), one = f32x4.splat(1);
  for (; c + 4 <= d; c += 4) {
    const v = v128.load(x + (<usize>c << 2));
    const r = map == Map.Elu1 ? v128.bitselect(f32x4.add(v, one), vexp(f32x4.min(v, zero)), f32x4.gt(v, zero)) : f32x4.max(v, zero);
    v128.store(y + (<usize>c << 2), r);
  }
  for (; c < d; c++) {
    const v = load<f32>(x + (<usize>c << 2));
    store<f32>(y + (<usize>c << 2), map == Map.Elu1 ? (v > 0 ? v + 1 : f32x4.extract_lane(vexp(f32x4.splat(v)), 0)) : (v > 0 ? v : 0));
  }
  if (map == Map.CosFormer) {
    const th = <f64>pos * (Math.PI / 2) / <f64>gi(p, L.M);
    const cs = <f32>Math.cos(th), sn = <f32>Math.sin(th);
    for (c = 0; c < d; c++) {
      const r = load<f32>(y + (<usize>c << 2));
      store<f32>(y + (<usize>c << 2), r * cs);
      store<f32>(y + (<usize>(d + c) << 2), r * sn);
    }
  }
}

/** y += a * x over n floats. */
function axpy(y: usize, a: f32, x: usize, n: i32): void {
  const va = f32x4.splat(a);
  let c = 0;
  for (; c + 4 <= n; c += 4) v128.store(y + (<usize>c << 2), fma4(va, v128.load(x + (<usize>c << 2)), v128.load(y + (<usize>c << 2))));
  for (; c < n; c++) store<f32>(y + (<usize>c << 2), load<f32>(y + (<usize>c << 2)) + a * load<f32>(x + (<usize>c << 2)));
}

/** y *= a over n floats. */
function scaleBy(y: usize, a: f32, n: i32): void {
  const va = f32x4.splat(a);
  let c = 0;
  for (; c + 4 <= n; c += 4) v128.store(y + (<usize>c << 2), f32x4.mul(va, v128.load(y + (<usize>c << 2))));
  for (; c < n; c++) store<f32>(y + (<usize>c << 2), a * load<f32>(y + (<usize>c << 2)));
}

/** out = phi_q^T S / (phi_q . z + eps) for the query at qx (features computed into fq). */
function emit(p: usize, qx: usize, o: usize, s: usize, z: usize, fq: usize, fd: i32, dv: i32, pos: i32, h: i32): void {
  features(p, qx, fq, pos, h);
  for (let c = 0; c < dv; c++) store<f32>(o + (<usize>c << 2), 0);
  let den: f64 = 0;
  for (let a = 0; a < fd; a++) {
    const w = load<f32>(fq + (<usize>a << 2));
    if (w == 0) continue;
    den += <f64>w * <f64>load<f32>(z + (<usize>a << 2));
    axpy(o, w, s + (<usize>(a * dv) << 2), dv);
  }
  const inv = <f32>(1 / (den + <f64>gf(p, L.Eps)));
  scaleBy(o, inv, dv);
}

export function linear_attention_f32(p: usize): void {
  const batch = gi(p, L.Batch), heads = gi(p, L.Heads), kvHeads = gi(p, L.KvHeads), g = heads / kvHeads;
  const seqQ = gi(p, L.SeqQ), seqK = gi(p, L.SeqK), d = gi(p, L.D), dv = gi(p, L.DV);
  const fd = featureDim(gi(p, L.Map), d, gi(p, L.DF)), causal = gi(p, L.Causal), base = gi(p, L.PosBase);
  const stateBytes = <usize>(fd * dv + fd) << 2, state = gp(p, L.State), decay = gp(p, L.Decay);
  const scr = gp(p, L.Scratch), fk = scr + stateBytes, fq = fk + (<usize>fd << 2);
  const shift = seqK - seqQ; // query i sits at key position i + shift
  for (let b = 0; b < batch; b++) {
    for (let kvh = 0; kvh < kvHeads; kvh++) {
      const s = state ? state + <usize>(b * kvHeads + kvh) * stateBytes : scr, z = s + (<usize>(fd * dv) << 2);
      if (!state) for (let a = 0; a < fd * dv + fd; a++) store<f32>(s + (<usize>a << 2), 0);
      const gamma: f32 = decay ? load<f32>(decay + (<usize>kvh << 2)) : 1;
      const kb = gp(p, L.K) + (<usize>((b * kvHeads + kvh) * seqK * d) << 2), vb = gp(p, L.V) + (<usize>((b * kvHeads + kvh) * seqK * dv) << 2);
      for (let t = 0; t < seqK; t++) {
        features(p, kb + (<usize>(t * d) << 2), fk, base + t, kvh);
        if (causal && gamma != 1) scaleBy(s, gamma, fd * dv + fd);
        for (let a = 0; a < fd; a++) {
          const w = load<f32>(fk + (<usize>a << 2));
          if (w != 0) axpy(s + (<usize>(a * dv) << 2), w, vb + (<usize>(t * dv) << 2), dv);
        }
        axpy(z, 1, fk, fd);
        const i = t - shift;
        if (!causal || i < 0) continue;
        for (let h = kvh * g; h < kvh * g + g; h++) {
          const row = (b * heads + h) * seqQ + i;
          emit(p, gp(p, L.Q) + (<usize>(row * d) << 2), gp(p, L.Out) + (<usize>(row * dv) << 2), s, z, fq, fd, dv, base + t, kvh);
        }
      }
      if (causal) continue;
      for (let h = kvh * g; h < kvh * g + g; h++) {
        for (let i = 0; i < seqQ; i++) {
          const row = (b * heads + h) * seqQ + i;
          emit(p, gp(p, L.Q) + (<usize>(row * d) << 2), gp(p, L.Out) + (<usize>(row * dv) << 2), s, z, fq, fd, dv, base + i + shift, kvh);
        }
      }
    }
  }
}
