// Attention at the shapes (batch 1, 8 heads, headDim 64, single thread), resident
// tensors, per tier, against the targets; every wasm result is checked against the js
// tier first (WRONG instead of a time, and a non-zero exit, if it differs).
import { spawnSync } from 'node:child_process';
import { measure, table } from './timing.mjs';
import { fmaPeak } from './fma-peak.mjs';

const s = await import('../dist/node.js');
if (!s.capabilities().relaxedSimd && !process.env.SIMDNN_BENCH_CHILD) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, SIMDNN_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}
const caps = await s.init();
const tiers = [...(caps.relaxedSimd ? ['relaxed'] : []), ...(caps.simd ? ['simd'] : []), 'js'];
const H = 8, D = 64;
const CASES = [
  ['decode MHA L=4096', 8, 1, 4096, false, 0.8],
  ['decode GQA 8/2 L=4096', 2, 1, 4096, false, 0.4],
  ['decode MHA L=1024', 8, 1, 1024, false, undefined],
  ['causal prefill 512', 8, 512, 512, true, 6],
  ['causal prefill 512 GQA 8/2', 2, 512, 512, true, undefined],
];
const fill = (n, f) => Float32Array.from({ length: n }, (_, i) => f(i));
const rows = [], ref = new Map();
for (const tier of ['js', ...tiers.filter((t) => t !== 'js')]) {
  await s.init({ tier });
  for (const [name, kv, S, L, causal, target] of CASES) {
    const q = s.tensor(fill(S * H * D, (i) => Math.sin(i))), k = s.tensor(fill(kv * L * D, (i) => Math.cos(i * 0.3)));
    const v = s.tensor(fill(kv * L * D, (i) => Math.sin(i * 0.7))), out = s.tensor([S * H * D]);
    const run = () => s.attention({ q, k, v, heads: H, kvHeads: kv, headDim: D, causal, out });
    run();
    const got = out.toArray();
    if (tier === 'js') ref.set(name, got);
    const ok = got.every((x, i) => Math.abs(x - ref.get(name)[i]) <= 1e-5 * Math.abs(ref.get(name)[i]) + 3e-6);
    if (!ok) process.exitCode = 1;
    const ms = ok ? measure(run, tier === 'js' ? { warmMs: 50, sampleMs: 50, samples: 3 } : {}).median : NaN;
    rows.push({ tier, name, ms, target, ok });
    [q, k, v, out].forEach((t) => t.dispose());
    process.stderr.write('.');
  }
}
const js = Object.fromEntries(rows.filter((r) => r.tier === 'js').map((r) => [r.name, r.ms]));
console.log(`\nattention, resident tensors, median ms per call (${new Date().toISOString()}, Node ${process.version})\n\n` + table(
  ['tier', 'case', 'ms', 'vs js', 'target'],
  rows.map((r) => [r.tier, r.name, r.ok ? r.ms.toFixed(3) : 'WRONG', r.tier === 'js' || !r.ok ? '-' : `${(js[r.name] / r.ms).toFixed(1)}x faster`,
    r.target === undefined || r.tier === 'js' ? '' : `${r.ms <= r.target ? 'meets' : 'misses'} <= ${r.target}`])));

// The floor under the causal prefill: its q.k and p.v multiply-adds at this machine's f32x4 FMA peak.
const peak = fmaPeak(), pairs = (512 * 513) / 2, flops = 2 * 2 * H * D * pairs, pre = rows.find((r) => r.tier === 'relaxed' && r.name === 'causal prefill 512');
if (peak && pre) {
  console.log(`\ncausal prefill 512: ${(flops / 1e6).toFixed(0)} MFLOP of multiply-adds; f32x4 FMA peak here ${peak.toFixed(1)} GFLOP/s, ` +
    `so no f32 kernel can go below ${(flops / peak / 1e6).toFixed(2)} ms; the relaxed tier runs at ${(flops / pre.ms / 1e6).toFixed(1)} GFLOP/s ` +
    `(${((100 * flops) / pre.ms / 1e6 / peak).toFixed(0)}% of the peak)`);
}

// Linear attention (elu1 feature map, causal prefix form) and one recurrent decode step.
const lrows = [];
for (const tier of ['js', ...tiers.filter((t) => t !== 'js')]) {
  await s.init({ tier });
  const S = 512, q = s.tensor(fill(S * H * D, (i) => Math.sin(i))), k = s.tensor(fill(S * H * D, (i) => Math.cos(i * 0.3)));
  const v = s.tensor(fill(S * H * D, (i) => Math.sin(i * 0.7))), out = s.tensor([S * H * D]);
  const pre = measure(() => s.linearAttention({ q, k, v, heads: H, headDim: D, featureMap: 'elu1', causal: true, out }), tier === 'js' ? { warmMs: 50, sampleMs: 50, samples: 3 } : {}).median;
  const st = s.linearState({ heads: H, headDim: D, featureMap: 'elu1' }), o1 = new Float32Array(H * D);
  const q1 = fill(H * D, (i) => Math.sin(i)), k1 = fill(H * D, (i) => Math.cos(i)), v1 = fill(H * D, (i) => Math.sin(2 * i));
  const step = measure(() => st.step(q1, k1, v1, o1)).median;
  lrows.push([tier, pre.toFixed(3), step.toFixed(4)]);
  [q, k, v, out].forEach((t) => t.dispose()); st.dispose();
}
console.log('\nlinear attention (elu1), B=1 H=8 D=64, ms\n\n' + table(['tier', 'causal prefill 512', 'linearState.step'], lrows));
