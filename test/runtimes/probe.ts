// Shared by the runtime tests: the snippet each runtime runs against the built package, the
// float64 check of what it reports, and small helpers to spawn runtimes and set up consumers.
import { expect, type TestContext } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root (with a trailing slash) and its built files. */
export const root = fileURLToPath(new URL('../..', import.meta.url));
export const dist = (file: string) => `${root}dist/${file}`;
export const bin = (name: string) => `${root}node_modules/.bin/${name}`;

/** The note for skipping when a runtime's binary is missing entirely, else undefined. */
export function missing(path: string, hint: string): string | undefined {
  return existsSync(path) ? undefined : `SKIPPED: ${path} not found (${hint})`;
}

/**
 * Skip the test, loudly (the default reporter shows no skip notes), if `note` is set. Under CI
 * every runtime is installed by .ci/run, so a missing one fails instead of skipping.
 */
export function skipIf(ctx: TestContext, note: string | undefined): void {
  if (!note) return;
  if (process.env.CI) throw new Error(`${note}; CI must have every runtime`);
  console.warn(`[runtimes] ${note}`);
  ctx.skip(note);
}

const X = [1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, 0.5, 0.25, 10, -10, 3]; // 17 columns: SIMD body + tail

/**
 * JS run inside the runtime, in an async context: `s` is the imported package. Leaves the
 * result in `report`. Non-finite numbers travel as strings ('NaN', '-Infinity'): JSON has none.
 */
export const PROBE = `
  const enc = (a) => Array.from(a, (v) => (Number.isFinite(v) ? v : String(v)));
  const caps = await s.init();
  const X = ${JSON.stringify(X)};
  const out = new Float32Array(4);
  const report = {
    tier: caps.tier, reason: caps.reason, simd: caps.simd, relaxedSimd: caps.relaxedSimd,
    small: enc(s.softmax(new Float32Array([1, 2, 3, 4]))),
    rows: enc(s.softmax(new Float32Array(X.concat(X.map((v) => -v))), { cols: 17, temperature: 0.7 })),
    masked: enc(s.softmax(new Float32Array([1, 2, 3, 4]), { mask: new Uint8Array([1, 0, 1, 1]), out })),
    outReused: out[0] !== 0,
    allNegInf: enc(s.softmax(new Float32Array(5).fill(-Infinity))),
    nanRow: enc(s.softmax(new Float32Array([1, NaN, 2, 3, 4]))),
    logSoftmax: enc(s.logSoftmax(new Float32Array([1, 2, 3, 4]))),
    logSumExp: enc(s.logSumExp(new Float32Array([1, 2, 3, 4]), { cols: 2 })),
  };`;

type Num = number | string;
export interface Report {
  tier: string; reason: string; simd: boolean; relaxedSimd: boolean;
  small: Num[]; rows: Num[]; masked: Num[]; outReused: boolean; allNegInf: Num[]; nanRow: Num[];
  logSoftmax: Num[]; logSumExp: Num[];
}

/** float64 softmax of one row, x / t, entries with keep[i] === 0 left out. */
function ref(x: number[], t = 1, keep?: number[]): number[] {
  const z = x.map((v, i) => (keep && !keep[i] ? -Infinity : v / t));
  const m = Math.max(...z), e = z.map((v) => Math.exp(v - m)), sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function close(got: Num[], want: number[], label: string, rel = 2e-6, abs = 1e-12): void {
  expect(got.length, label).toBe(want.length);
  got.forEach((g, i) => {
    if (!(typeof g === 'number' && Math.abs(g - want[i]) <= rel * Math.abs(want[i]) + abs)) {
      expect.fail(`${label}[${i}]: got ${g}, want ${want[i]} (rel ${rel})`);
    }
  });
}

/** The numeric checks, identical for every runtime, and the tier it chose. */
export function checkReport(r: Report, tier: string): void {
  expect(r.tier, `tier (reason: ${r.reason})`).toBe(tier);
  close(r.small, ref([1, 2, 3, 4]), 'softmax([1,2,3,4])');
  close(r.rows, [...ref(X, 0.7), ...ref(X.map((v) => -v), 0.7)], 'softmax 2x17 T=0.7');
  close(r.masked, ref([1, 2, 3, 4], 1, [1, 0, 1, 1]), 'softmax with Uint8Array mask');
  expect(r.outReused, 'result written into opts.out').toBe(true);
  expect(r.allNegInf, 'all -Infinity row').toEqual([0, 0, 0, 0, 0]);
  expect(r.nanRow, 'row with a NaN').toEqual(['NaN', 'NaN', 'NaN', 'NaN', 'NaN']);
  const lse = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3) + Math.exp(4));
  close(r.logSoftmax, [1 - lse, 2 - lse, 3 - lse, 4 - lse], 'logSoftmax', 2e-6, 1e-6);
  close(r.logSumExp, [Math.log(Math.E + Math.E ** 2), Math.log(Math.E ** 3 + Math.E ** 4)], 'logSumExp', 2e-6, 1e-6);
}

/** Print the tier a runtime chose, so the test log shows it. */
export function logTier(what: string, r: Report): void {
  console.log(`[runtimes] ${what}: tier=${r.tier} (simd=${r.simd}, relaxedSimd=${r.relaxedSimd}) reason="${r.reason}"`);
}

/** An ES module that imports `specifier` as `s`, runs PROBE and prints the report as JSON. */
export const esmScript = (specifier: string, extra = '') =>
  `import * as s from ${JSON.stringify(specifier)};\n${PROBE}\n${extra}\nconsole.log(JSON.stringify(report));\n`;

/** Environment for children: no inherited NODE_OPTIONS (so "plain node" really is plain), no colors, no update checks. */
export function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1' };
  delete env.NODE_OPTIONS;
  return env;
}

/** Run a command; return its last stdout line parsed as JSON (fails with stdout/stderr otherwise). */
export function runJson<T = Report>(cmd: string, args: string[], cwd?: string): T {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 90_000, env: childEnv() });
  const last = (r.stdout ?? '').trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status} ${r.signal ?? ''} ${r.error ?? ''}\n${r.stdout}\n${r.stderr}`);
  }
  return JSON.parse(last) as T;
}

/**
 * A consumer project in a temp dir that depends on simdnn by name: node_modules/simdnn is a
 * symlink to this repo (like `npm link`), so resolution goes through package.json "exports".
 */
export function consumerDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `simdnn-${prefix}-`));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/simdnn'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "type": "module" }\n');
  return dir;
}

/** (func (result v128) i32.const 0 i8x16.splat i8x16.splat i8x16.relaxed_swizzle): validates only with relaxed SIMD. */
export const RELAXED_PROBE_BYTES = [0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253, 15, 253, 128, 2, 11];
