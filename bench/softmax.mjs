// npm run bench: softmax per tier (relaxed, simd, js), Float32Array in/out and resident
// Tensors, as ratios to the js tier, each result checked against float64 first.
// `npm run bench -- --peers` then runs the shared peer harness (tfjs-wasm, onnxruntime-web,
// native C) with simdnn plugged in through bench/peers-adapter.mjs.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { measure, table } from './timing.mjs';

// Node 20 runs relaxed SIMD only behind a flag: re-run under it so all three tiers are measured.
if (!process.env.SIMDNN_BENCH_CHILD && !process.execArgv.includes('--experimental-wasm-relaxed-simd')) {
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, SIMDNN_BENCH_CHILD: '1' } });
  process.exit(r.status ?? 1);
}

const s = await import('../dist/node.js');
const SHAPES = [[4096, 64], [256, 1024], [8, 32768], [1, 1 << 20]];
const TARGETS = { '256x1024': { inOut: 0.17, resident: 0.12 }, '1x1048576': { inOut: 1.0 } };

function maxRelError(x, y, cols) {
  let worst = 0;
  for (let o = 0; o < x.length; o += cols) {
    let m = -Infinity, sum = 0;
    for (let i = 0; i < cols; i++) m = Math.max(m, x[o + i]);
    for (let i = 0; i < cols; i++) sum += Math.exp(x[o + i] - m);
    for (let i = 0; i < cols; i++) {
      const ref = Math.exp(x[o + i] - m) / sum;
      worst = Math.max(worst, Math.abs(y[o + i] - ref) / (ref + 1e-30));
    }
  }
  return worst;
}

const caps = await s.init();
const tiers = [...(caps.relaxedSimd ? ['relaxed'] : []), ...(caps.simd ? ['simd'] : []), 'js'];
const results = [];
for (const tier of tiers) {
  await s.init({ tier });
  for (const [rows, cols] of SHAPES) {
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 6 + Math.cos(i * 0.011) * 3;
    const y = new Float32Array(x.length);
    const err = maxRelError(x, s.softmax(x, { cols, out: y }), cols);
    const inOut = measure(() => s.softmax(x, { cols, out: y }));
    const tx = s.tensor(x), ty = s.tensor([rows, cols]);
    const resident = measure(() => s.softmax(tx, { cols, out: ty }));
    tx.dispose(); ty.dispose();
    results.push({ tier, shape: `${rows}x${cols}`, n: x.length, inOut: inOut.median, resident: resident.median, err });
    process.stderr.write('.');
  }
}
process.stderr.write('\n');

const js = Object.fromEntries(results.filter((r) => r.tier === 'js').map((r) => [r.shape, r]));
const fmt = (ms) => (ms < 0.1 ? ms.toFixed(4) : ms.toFixed(3));
const target = (shape, kind, ms) => {
  const t = TARGETS[shape]?.[kind];
  return t === undefined ? '' : `${ms <= t ? 'meets' : 'misses'} <= ${t}`;
};
const rows = results.map((r) => [
  r.tier, r.shape, fmt(r.inOut), `${(js[r.shape].inOut / r.inOut).toFixed(1)}x`, target(r.shape, 'inOut', r.inOut),
  fmt(r.resident), `${(js[r.shape].resident / r.resident).toFixed(1)}x`, target(r.shape, 'resident', r.resident),
  ((8 * r.n) / (r.resident * 1e6)).toFixed(1), // 8 bytes per element: one read, one write
  r.err.toExponential(1),
]);
const md = `softmax, median ms per call (${new Date().toISOString()}, Node ${process.version}, single thread)\n\n` + table(
  ['tier', 'shape', 'in/out ms', 'vs js', 'target', 'resident ms', 'vs js', 'target', 'resident GB/s', 'max rel err'], rows);
console.log(md);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(new URL('./results/softmax.md', import.meta.url), md + '\n');
writeFileSync(new URL('./results/softmax.json', import.meta.url), JSON.stringify({ caps, results }, null, 2));

// The rest of the family on the issue's shapes: time per call and ratios to the same tier's
// classic softmax and to the js tier (inputs are Float32Arrays, outputs new arrays).
const VARIANTS = {
  'softmax two-pass': (x, cols) => s.softmax(x, { cols, algorithm: 'two-pass' }),
  'softmax online': (x, cols) => s.softmax(x, { cols, algorithm: 'online' }),
  'ssmax': (x, cols) => s.ssmax(x, { cols }),
  'softpick': (x, cols) => s.softpick(x, { cols }),
  'stablemax': (x, cols) => s.stablemax(x, { cols }),
  'topk k=8': (x, cols) => s.topk(x, { k: 8, cols }),
  'topkSoftmax k=8': (x, cols) => s.topkSoftmax(x, { k: 8, cols }),
  'argmax': (x, cols) => s.argmax(x, { cols }),
};
const vres = [];
for (const tier of tiers) {
  await s.init({ tier });
  for (const [rows, cols] of [[256, 1024], [8, 32768]]) {
    const x = new Float32Array(rows * cols);
    for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.37) * 6 + Math.cos(i * 0.011) * 3;
    const base = measure(() => s.softmax(x, { cols })).median;
    for (const [name, fn] of Object.entries(VARIANTS)) vres.push({ tier, shape: `${rows}x${cols}`, name, ms: measure(() => fn(x, cols)).median, base });
  }
}
const jsv = Object.fromEntries(vres.filter((r) => r.tier === 'js').map((r) => [`${r.name} ${r.shape}`, r.ms]));
const vmd = '\nsoftmax family variants, median ms per call\n\n' + table(['tier', 'shape', 'function', 'ms', 'vs softmax (same tier)', 'vs js tier'],
  vres.map((r) => [r.tier, r.shape, r.name, fmt(r.ms), `${(r.ms / r.base).toFixed(2)}x`, `${(jsv[`${r.name} ${r.shape}`] / r.ms).toFixed(1)}x faster`]));
console.log(vmd);
writeFileSync(new URL('./results/softmax.md', import.meta.url), md + '\n' + vmd + '\n');

if (process.argv.includes('--peers')) await import('./peers.mjs');
