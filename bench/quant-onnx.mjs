// GEMV 4096x4096 over the ONNX integer and float formats, the codebook formats and binary (and q4_0 for comparison), single thread:
// ms per call per tier and x over the js tier, and per wasm tier the throughput of one 32-token gemm
// over 32 gemv calls (timed alternately). Each wasm result is checked against the js tier
// before timing. Run: node --experimental-wasm-relaxed-simd bench/quant-onnx.mjs
import * as s from '../dist/node.js';
import { measure, interleaved, table } from './timing.mjs';

const N = 4096, K = 4096;
const w = new Float32Array(N * K), x = new Float32Array(K);
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
for (let i = 0; i < w.length; i++) w[i] = rnd();
for (let i = 0; i < K; i++) x[i] = rnd();
const TOKENS = 32, X = Float32Array.from({ length: TOKENS * K }, rnd);

const cases = [
  ['int8 per row (legacy)', { format: 'int8' }, {}],
  ['int8 g128 asym', { format: 'int8', groupSize: 128, symmetric: false }, {}],
  ['uint8 g128 asym', { format: 'uint8', groupSize: 128, symmetric: false }, {}],
  ['int4 g32 sym', { format: 'int4', groupSize: 32 }, {}],
  ['int4 g128 sym', { format: 'int4', groupSize: 128 }, {}],
  ['uint4 g32 asym', { format: 'uint4', groupSize: 32, symmetric: false }, {}],
  ['uint4 g128 asym', { format: 'uint4', groupSize: 128, symmetric: false }, {}],
  ['int4 g32, f32 activations', { format: 'int4', groupSize: 32 }, { activations: 'f32' }],
  ['fp8_e4m3 per row', { format: 'fp8_e4m3' }, {}],
  ['fp8_e5m2 per row', { format: 'fp8_e5m2' }, {}],
  ['fp4_e2m1 g32', { format: 'fp4_e2m1', groupSize: 32 }, {}],
  ['fp4_e2m1 g32, int8 activations', { format: 'fp4_e2m1', groupSize: 32 }, { activations: 'int8' }],
  ['nf4 g64', { format: 'nf4', groupSize: 64 }, {}],
  ['codebook g64 (16 values)', { format: 'codebook', groupSize: 64, codebook: Array.from({ length: 16 }, (_, i) => Math.sign(i - 7.5) * 2 ** (Math.abs(i - 7.5) / 2)) }, {}],
  ['mxfp4 (ggml)', { format: 'mxfp4' }, {}],
  ['q4_0 (ggml)', { format: 'q4_0' }, {}],
  ['binary per row, f32 activations', { format: 'binary' }, {}],
  ['binary g128, f32 activations', { format: 'binary', groupSize: 128 }, {}],
  ['binary per row, binary activations', { format: 'binary' }, { activations: 'binary' }],
  ['binary g128, binary activations', { format: 'binary', groupSize: 128 }, { activations: 'binary' }],
];
const tiers = ['relaxed', 'simd', 'js'], res = {};
for (const tier of tiers) {
  await s.init({ tier });
  for (const [name, qo, go] of cases) {
    const q = s.quantize(w, { cols: K, ...qo }), y = new Float32Array(N);
    s.gemv(q, x, { ...go, out: y });
    (res[name] ??= {})[tier] = { y: y.slice(), ms: tier === 'js' && name !== cases[0][0] && !name.startsWith('int4 g32') ? NaN : measure(() => s.gemv(q, x, { ...go, out: y }), { samples: 7 }).median };
    if (tier !== 'js') { // prefill: 32 tokens in one gemm call against 32 gemv calls (its first token checked against gemv bit for bit)
      const Y = new Float32Array(TOKENS * N), y0 = s.gemv(q, X.subarray(0, K), go);
      s.gemm(q, X, { ...go, out: Y });
      for (let i = 0; i < N; i++) if (!Object.is(Y[i], y0[i])) throw new Error(`${name} ${tier}: gemm token 0 differs from gemv at row ${i}`);
      const y1 = new Float32Array(N), gemvs = () => { for (let t = 0; t < TOKENS; t++) s.gemv(q, X.subarray(t * K, (t + 1) * K), { ...go, out: y1 }); };
      const m = interleaved(() => s.gemm(q, X, { ...go, out: Y }), gemvs); // one gemm call against 32 gemv calls, alternately
      res[name][`gemm_${tier}`] = { ms: m.a, x: m.b / m.a };
    }
    q.dispose();
  }
}
const rows = [];
for (const [name] of cases) {
  const r = res[name], js = r.js;
  for (const t of ['relaxed', 'simd']) {
    let worst = 0, big = 0;
    for (let i = 0; i < N; i++) { worst = Math.max(worst, Math.abs(r[t].y[i] - js.y[i])); big = Math.max(big, Math.abs(js.y[i])); }
    worst /= big; // relative to the largest output: the f32 lanes and the js tier's float64 sums differ in rounding
    if (!(worst < 1e-4)) throw new Error(`${name} ${t}: differs from the js tier (${worst})`);
  }
  const f = (v) => (Number.isNaN(v) ? '-' : v.toFixed(3));
  rows.push([name, f(r.relaxed.ms), f(r.simd.ms), f(js.ms), Number.isNaN(js.ms) ? '-' : `${(js.ms / r.relaxed.ms).toFixed(0)}x / ${(js.ms / r.simd.ms).toFixed(0)}x`, `${r.gemm_relaxed.x.toFixed(2)}x (${r.gemm_relaxed.ms.toFixed(1)} ms) / ${r.gemm_simd.x.toFixed(2)}x`]);
}
console.log(`GEMV ${N}x${K}, single thread, median ms per call (js tier timed for a few rows only)\n`);
console.log(table(['weights', 'relaxed ms', 'simd ms', 'js ms', 'x over js (relaxed / simd)', `gemm ${TOKENS} tokens vs ${TOKENS} gemv: relaxed (ms) / simd`], rows));
