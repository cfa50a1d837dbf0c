// Node: ESM and CommonJS through the package name (exports map), with and without relaxed SIMD.
import { describe, it, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE, checkReport, runJson, root } from './probe';

let dir = '';
beforeAll(() => {
  // a consumer project that depends on simdnn by name
  dir = mkdtempSync(join(tmpdir(), 'simdnn-node-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(root, join(dir, 'node_modules/simdnn'), 'dir');
  writeFileSync(join(dir, 'esm.mjs'), `import * as s from 'simdnn';\n${PROBE}\nconsole.log(JSON.stringify(report));`);
  writeFileSync(join(dir, 'cjs.cjs'), `const s = require('simdnn');\n(async () => {${PROBE}\nconsole.log(JSON.stringify(report)); })();`);
  writeFileSync(join(dir, 'sync.cjs'), `const s = require('simdnn');\ns.initSync();\nconsole.log(JSON.stringify({ tier: s.capabilities().tier, y: Array.from(s.softmax(new Float32Array([0, Math.log(3)]))) }));`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('node', () => {
  it('import("simdnn") picks simd on plain Node 20 and relaxed with the flag', () => {
    checkReport(runJson(process.execPath, ['esm.mjs'], { cwd: dir }), 'simd');
    checkReport(runJson(process.execPath, ['--experimental-wasm-relaxed-simd', 'esm.mjs'], { cwd: dir }), 'relaxed');
  });

  it('require("simdnn") works (CommonJS build, no top-level await), async and initSync', () => {
    checkReport(runJson(process.execPath, ['cjs.cjs'], { cwd: dir }), 'simd');
    const r = runJson(process.execPath, ['sync.cjs'], { cwd: dir }) as unknown as { tier: string; y: number[] };
    if (r.tier !== 'simd' || Math.abs(r.y[1] - 0.75) > 1e-6) throw new Error(JSON.stringify(r));
  });
});
