// `simdnn demo`: what this machine runs, then a small softmax benchmark per tier, each
// checked against a float64 reference so the speed shown is for correct results.
import { init, capabilities, softmax, tensor, type Tier } from '../entry/node.js';

const SHAPES: [number, number][] = [[4096, 64], [256, 1024], [8, 32768], [1, 1 << 20]];

export async function info(): Promise<void> {
  await init();
  console.log(JSON.stringify(capabilities(), null, 2));
}

/** Median ms per call of fn, after warm-up, over samples of at least 20 ms each. */
function time(fn: () => void): number {
  const t0 = performance.now();
  let reps = 0;
  while (performance.now() - t0 < 60) { fn(); reps++; }
  const per = Math.max(1, Math.ceil(reps / 3));
  const samples: number[] = [];
  for (let s = 0; s < 7; s++) {
    const a = performance.now();
    for (let i = 0; i < per; i++) fn();
    samples.push((performance.now() - a) / per);
  }
  return samples.sort((a, b) => a - b)[3];
}

/** Max relative error of y against a float64 softmax of x. */
function maxRelError(x: Float32Array, y: Float32Array, cols: number): number {
  let worst = 0;
  for (let o = 0; o < x.length; o += cols) {
    let m = -Infinity, s = 0;
    for (let i = 0; i < cols; i++) m = Math.max(m, x[o + i]);
    for (let i = 0; i < cols; i++) s += Math.exp(x[o + i] - m);
    for (let i = 0; i < cols; i++) {
      const ref = Math.exp(x[o + i] - m) / s;
      worst = Math.max(worst, Math.abs(y[o + i] - ref) / (Math.abs(ref) + 1e-30));
    }
  }
  return worst;
}

export async function demo(): Promise<void> {
  const caps = await init();
  console.log('simdnn capabilities on this machine:');
  console.log(JSON.stringify(caps, null, 2));
  const tiers: Tier[] = [...(caps.relaxedSimd ? ['relaxed' as const] : []), ...(caps.simd ? ['simd' as const] : []), 'js'];
  const runs: { tier: Tier; shape: string; inOut: number; resident: number; err: number }[] = [];
  for (const tier of tiers) {
    try { await init({ tier }); } catch (e) { console.log(`tier ${tier}: ${(e as Error).message}`); continue; }
    for (const [r, c] of SHAPES) {
      const x = new Float32Array(r * c);
      for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 0.7) * 8;
      const y = new Float32Array(x.length);
      const err = maxRelError(x, softmax(x, { cols: c, out: y }), c);
      const inOut = time(() => softmax(x, { cols: c, out: y }));
      const tx = tensor(x), ty = tensor([r, c]);
      const resident = time(() => softmax(tx, { cols: c, out: ty }));
      tx.dispose(); ty.dispose();
      runs.push({ tier, shape: `${r}x${c}`, inOut, resident, err });
    }
  }
  await init(); // leave the best tier in place
  const js = new Map(runs.filter((r) => r.tier === 'js').map((r) => [r.shape, r.inOut]));
  const head = ['tier', 'shape', 'ms in/out', 'ms resident', 'vs js', 'max rel err'];
  const rows = runs.map((r) => [r.tier, r.shape, r.inOut.toFixed(3), r.resident.toFixed(3), `${(js.get(r.shape)! / r.inOut).toFixed(1)}x`, r.err.toExponential(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log('\nsoftmax, Float32Array in/out and on resident Tensors (median ms per call):\n');
  console.log(line(head));
  console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  for (const r of rows) console.log(line(r));
}
