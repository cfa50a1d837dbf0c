// GEMV 4096x4096 over the ggml block formats, and gemm with 32 tokens against 32 gemv calls,
// single thread, median ms per call, with q8_0 activations (default) and with f32 activations
// (gemm and 32 gemv calls timed alternately for their ratio).
// Each wasm result is checked against the js tier first.
// Run: node --experimental-wasm-relaxed-simd bench/quant-ggml.mjs
import * as s from '../dist/node.js';
import { measure, interleaved, table } from './timing.mjs';

const N = 4096, K = 4096, T = 32;
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const w = Float32Array.from({ length: N * K }, rnd), X = Float32Array.from({ length: K * T }, rnd);
const x = X.subarray(0, K);
// q4_k / q6_k have no quantizer (they come from GGUF files): random bytes with sane f16 scales
const kBytes = (bb, halves) => {
  const b = Uint8Array.from({ length: (N * K / 256) * bb }, () => (rnd() + 1) * 127.9);
  for (let k = 0; k < N * K / 256; k++) for (const p of halves) { b[k * bb + p] = 0x00; b[k * bb + p + 1] = 0x1c; } // 2^-8
  return b;
};
const q4k = kBytes(144, [0, 2]), q6k = kBytes(210, [208]); // once: every tier sees the same bytes
const weights = {
  f32: () => w,
  int8: () => s.quantize(w, { format: 'int8', cols: K }),
  q8_0: () => s.quantize(w, { format: 'q8_0', cols: K }),
  q4_0: () => s.quantize(w, { format: 'q4_0', cols: K }),
  q4_1: () => s.quantize(w, { format: 'q4_1', cols: K }),
  q5_0: () => s.quantize(w, { format: 'q5_0', cols: K }),
  q5_1: () => s.quantize(w, { format: 'q5_1', cols: K }),
  iq4_nl: () => s.quantize(w, { format: 'iq4_nl', cols: K }),
  mxfp4: () => s.quantize(w, { format: 'mxfp4', cols: K }),
  tq2_0: () => s.quantize(w, { format: 'tq2_0', cols: K }),
  tq1_0: () => s.quantize(w, { format: 'tq1_0', cols: K }),
  q4_k: () => s.QTensor.from('q4_k', q4k, N, K),
  q6_k: () => s.QTensor.from('q6_k', q6k, N, K),
};
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const names = Object.keys(weights).filter((n) => !only || only.includes(n));
const res = {};
for (const tier of ['js', 'relaxed', 'simd']) {
  await s.init({ tier });
  for (const name of names) {
    const q = weights[name](), y = new Float32Array(N), Y = new Float32Array(N * T);
    const r = (res[name] ??= {});
    r[tier] = {};
    for (const activations of [undefined, 'f32']) {
      const key = activations ?? 'default';
      s.gemv(q, x, { out: y, activations });
      r[tier][key] = { y: y.slice() };
      if (tier === 'js') continue;
      const ref = r.js[key].y;
      let worst = 0, big = 0;
      for (let i = 0; i < N; i++) { worst = Math.max(worst, Math.abs(y[i] - ref[i])); big = Math.max(big, Math.abs(ref[i])); }
      if (!(worst / big < 1e-4)) throw new Error(`${name} ${tier} ${key}: differs from the js tier (${worst / big})`);
      r[tier][key].gemv = measure(() => s.gemv(q, x, { out: y, activations }), { samples: 7 }).median;
      const gemvs = () => { for (let t = 0; t < T; t++) s.gemv(q, X.subarray(t * K, (t + 1) * K), { out: y, activations }); };
      const m = interleaved(() => s.gemm(q, X, { tokens: T, out: Y, activations }), gemvs); // one gemm call against 32 gemv calls, alternately
      Object.assign(r[tier][key], { gemm: m.a, x: m.b / m.a });
    }
    if (q.dispose) q.dispose();
  }
}
const f = (v) => v.toFixed(3);
const rows = names.map((n) => {
  const r = res[n].relaxed.default, a = res[n].relaxed.f32;
  return [n, f(r.gemv), f(res[n].simd.default.gemv), f(r.gemm), `${r.x.toFixed(2)}x`, `${(r.gemv / res.q4_0?.relaxed.default.gemv || NaN).toFixed(2)}`,
    f(a.gemv), f(a.gemm), `${a.x.toFixed(2)}x`];
});
console.log(`GEMV ${N}x${K} and gemm with ${T} tokens, single thread, median ms per call (default activations: q8_0 blocks for the ggml formats)\n`);
console.log(table(['weights', 'gemv relaxed', 'gemv simd', `gemm ${T} relaxed`, `gemm vs ${T} gemv`, 'gemv / q4_0', 'f32 act: gemv', `gemm ${T}`, `gemm vs ${T} gemv`], rows));
