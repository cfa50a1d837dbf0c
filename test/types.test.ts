// The published declarations resolve and type-check for consumers under moduleResolution
// node16 (ESM and CommonJS files) and bundler, through the package name and its exports map.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(root, 'node_modules/.bin/tsc');

const esm = `
import { init, softmax, logSumExp, tensor, Tensor, capabilities, SimdnnArgumentError, type Capabilities } from 'simdnn';
import * as inline from 'simdnn/inline';
const caps: Capabilities = await init({ tier: 'simd', maxMemoryBytes: 1 << 24 });
const y: Float32Array = softmax(new Float32Array(4), { cols: 2, temperature: 0.5, mask: new Uint8Array(2) });
const t: Tensor = softmax(tensor([2, 2]), { cols: 2, out: tensor([4]) });
const l: Float32Array = logSumExp(new Float32Array(4), { cols: 2 });
const e: boolean = new SimdnnArgumentError('a', 'b', 'c').argument === 'a';
inline.initSync();
// @ts-expect-error: temperature must be a number
softmax(new Float32Array(2), { temperature: 'hot' });
export { caps, y, t, l, e, capabilities };
`;
const cjs = `
import simdnn = require('simdnn');
simdnn.initSync();
const y: Float32Array = simdnn.softmax(new Float32Array([1, 2]));
export = y;
`;

function project(resolution: 'node16' | 'bundler', files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), `simdnn-types-${resolution}-`));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/simdnn'), 'dir');
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', skipLibCheck: false, types: [],
      lib: ['es2022', 'dom'], module: resolution === 'node16' ? 'node16' : 'esnext', moduleResolution: resolution,
    },
    include: Object.keys(files),
  }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function typecheck(dir: string): string {
  try {
    execFileSync(tsc, ['-p', dir], { encoding: 'utf8' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('published types', () => {
  it('node16: ESM (.mts) and CommonJS (.cts) consumers', () => {
    expect(typecheck(project('node16', { 'esm.mts': esm, 'cjs.cts': cjs }))).toBe('');
  });

  it('bundler resolution', () => {
    expect(typecheck(project('bundler', { 'app.ts': esm }))).toBe('');
  });
});
