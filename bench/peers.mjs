// Runs the shared peer harness for softmax with simdnn plugged in (bench/peers-adapter.mjs), next
// to naive-js, tfjs-wasm (+ resident), onnxruntime-web and native C, without copying the harness
// into the project: /work/shared is read-only, so it is copied to a temp dir and installed there
// with `npm ci`. The install is reused while the harness's package-lock is unchanged (the dir name
// carries its hash).
//   node bench/peers.mjs [--quick] [--reps=N] [--only=softmax,attention]      or      npm run bench -- --peers [--quick]
// The report (softmax tables) goes to stdout, progress to stderr; also written to
// bench/results/peers-softmax.md and .json.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { capabilities } from '../dist/node.js';

const shared = fileURLToPath(new URL('../../shared/peers/', import.meta.url));
if (!existsSync(join(shared, 'bench.mjs'))) throw new Error(`peer harness not found at ${shared}`);

/** The copy must be writable: the originals are read-only, and the harness builds native/ into build/. */
function writable(p) {
  const st = statSync(p);
  chmodSync(p, st.mode | 0o200);
  if (st.isDirectory()) for (const f of readdirSync(p)) if (f !== 'node_modules') writable(join(p, f));
}

const lock = createHash('sha256').update(readFileSync(join(shared, 'package-lock.json'))).digest('hex').slice(0, 12);
const dir = join(tmpdir(), `simdnn-peers-${lock}`);
// Refresh the harness's own files every run (cheap). Keeping timestamps stops the native
// reference from being recompiled each time (the harness rebuilds it when kernels.c is newer).
if (existsSync(dir)) writable(dir);
cpSync(shared, dir, { recursive: true, preserveTimestamps: true });
writable(dir);
// npm writes node_modules/.package-lock.json at the end of a successful install.
if (!existsSync(join(dir, 'node_modules', '.package-lock.json'))) {
  console.error(`installing the peer harness in ${dir}`);
  const r = spawnSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) throw new Error(`npm ci in ${dir} failed (${r.status ?? r.signal})`);
}

// simdnn's best tier is relaxed; Node 20 validates it only behind this flag (it also reaches the
// peers, which load SIMD128 builds either way). Passed on when this process has or needs it.
const FLAG = '--experimental-wasm-relaxed-simd';
const flag = process.execArgv.includes(FLAG) || !capabilities().relaxedSimd ? [FLAG] : [];
const results = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(results, { recursive: true });
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7) ?? 'softmax,attention';
const args = [
  '--max-old-space-size=8192', ...flag, 'bench.mjs', `--only=${only}`,
  `--adapter=${fileURLToPath(new URL('./peers-adapter.mjs', import.meta.url))}`,
  // ruvector (no SIMD) and tfjs-cpu (~50 ms a call) only cost time
  '--skip=ruvector-wasm,ruvector-wasm MHA,tfjs-cpu',
  `--md=${join(results, `peers-${only.replace(/,/g, '-')}.md`)}`, `--json=${join(results, `peers-${only.replace(/,/g, '-')}.json`)}`,
  ...process.argv.slice(2).filter((a) => a === '--quick' || a.startsWith('--reps=')),
];
console.error(`cd ${dir} && node ${args.join(' ')}`);
const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
if (r.status !== 0) process.exitCode = r.status ?? 1;
