// Runs the shared peer harness with simdnn plugged in, without copying it into the project:
// ../shared is read-only, so the harness is copied to a temp dir (kept between runs while its
// package-lock is unchanged), installed with npm ci, and run for the softmax workload.
// Usage: node bench/peers.mjs [--full]   (default: the harness's --quick sampling)
import { cpSync, existsSync, readFileSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shared = fileURLToPath(new URL('../../shared/peers/', import.meta.url));
if (!existsSync(shared)) {
  console.error(`peer harness not found at ${shared} (it lives in ../shared beside the repository)`);
  process.exit(1);
}
const lock = createHash('sha256').update(readFileSync(join(shared, 'package-lock.json'))).digest('hex').slice(0, 12);
const dir = join(tmpdir(), `simdnn-peers-${lock}`);
if (!existsSync(join(dir, 'node_modules'))) {
  cpSync(shared, dir, { recursive: true });
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
const results = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(results, { recursive: true });
const adapter = fileURLToPath(new URL('./peers-adapter.mjs', import.meta.url));
for (const tier of ['relaxed', 'simd']) {
  const args = ['--max-old-space-size=8192', ...(tier === 'relaxed' ? ['--experimental-wasm-relaxed-simd'] : []), 'bench.mjs',
    '--only=softmax', `--adapter=${adapter}`, '--skip=ruvector-wasm,ruvector-wasm MHA,tfjs-cpu',
    `--md=${join(results, `peers-softmax-${tier}.md`)}`, `--json=${join(results, `peers-softmax-${tier}.json`)}`,
    ...(process.argv.includes('--full') ? [] : ['--quick'])];
  console.log(`\n## peers, softmax, simdnn ${tier} tier\n`);
  const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, SIMDNN_TIER: tier } });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
