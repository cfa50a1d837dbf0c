// Shared by the runtime tests: the snippet each runtime runs against the built package, and
// the check of what it reports (softmax vs float64, edge rows, the tier it chose).
import { expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { refSoftmax } from '../reference';
import { expectClose } from '../util';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = (name: string) => `${root}node_modules/.bin/${name}`;

/** JS run inside the runtime: `s` is the imported package; leaves the report in `report`. */
export const PROBE = `
  const caps = await s.init();
  const report = {
    tier: caps.tier, reason: caps.reason,
    y: Array.from(s.softmax(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, 0.5, 0.25, 10, -10, 3]), { cols: 17 })),
    masked: Array.from(s.softmax(new Float32Array([-Infinity, -Infinity, -Infinity]))),
    nan: Array.from(s.softmax(new Float32Array([1, NaN, 2]))),
    lse: Array.from(s.logSumExp(new Float32Array([1, 2, 3, 4]), { cols: 2 })),
  };`;

export interface Report { tier: string; reason: string; y: number[]; masked: number[]; nan: number[]; lse: number[]; compiledFromBytes?: string[] }

export function checkReport(r: Report, tier: string): void {
  expect(r.tier, r.reason).toBe(tier);
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3, 0.5, 0.25, 10, -10, 3];
  expectClose(r.y, refSoftmax(x, { cols: 17 }), 2e-6, 1e-12, 'softmax');
  expect(r.masked).toEqual([0, 0, 0]);
  expect(r.nan.every((v) => v === null || Number.isNaN(v))).toBe(true); // JSON turns NaN into null
  expectClose(r.lse, [Math.log(Math.E + Math.E ** 2), Math.log(Math.E ** 3 + Math.E ** 4)], 2e-6, 1e-6, 'logSumExp');
}

/** Run a command, return the last stdout line parsed as JSON (fails the test with stderr otherwise). */
export function runJson(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): Report {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: 'utf8', timeout: 90_000, env: { ...process.env, NO_COLOR: '1' } });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(last);
}

/** The runtime's binary must exist: it is a devDependency, so its absence is a failure, not a skip. */
export function requireBinary(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: run npm ci`);
}
