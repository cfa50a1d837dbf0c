// Node: the CJS and ESM builds by absolute path and through the package name (exports map),
// plain (relaxed SIMD behind a flag on Node 20: tier 'simd') and with --experimental-wasm-relaxed-simd.
import { describe, it, beforeAll, afterAll, expect } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROBE, RELAXED_PROBE_BYTES, checkReport, consumerDir, dist, esmScript, logTier, runJson, type Report } from './probe';

const node = process.execPath;
const FLAG = '--experimental-wasm-relaxed-simd';
const cjsScript = (specifier: string, extra = '') =>
  `(async () => { const s = require(${JSON.stringify(specifier)});\n${PROBE}\n${extra}\nconsole.log(JSON.stringify(report)); })()` +
  `.catch((e) => { console.error(e); process.exit(1); });`;

let dir = '';
/** What plain `node` (no flags) must choose: 'relaxed' only if this Node validates relaxed SIMD unflagged. */
let plainTier = 'simd';

beforeAll(() => {
  dir = consumerDir('node');
  const probe = `console.log(JSON.stringify({ relaxed: WebAssembly.validate(new Uint8Array(${JSON.stringify(RELAXED_PROBE_BYTES)})) }))`;
  plainTier = runJson<{ relaxed: boolean }>(node, ['-e', probe]).relaxed ? 'relaxed' : 'simd';
  console.log(`[runtimes] node ${process.version}: relaxed SIMD without flags: ${plainTier === 'relaxed'}`);
});
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

function check(what: string, r: Report, tier: string): void {
  logTier(what, r);
  checkReport(r, tier);
  if (tier === 'simd') expect(r.reason, 'reason for passing over relaxed').toMatch(/relaxed/i);
}

describe('node', () => {
  it('require(<abs>/dist/node.cjs) via node -e: plain and with the relaxed flag', () => {
    const code = cjsScript(dist('node.cjs'));
    check('node -e require(dist/node.cjs)', runJson(node, ['-e', code]), plainTier);
    check(`node ${FLAG} -e require(dist/node.cjs)`, runJson(node, [FLAG, '-e', code]), 'relaxed');
  });

  it('import(<abs>/dist/node.js) as ESM: plain and with the relaxed flag', () => {
    const code = esmScript(pathToFileURL(dist('node.js')).href);
    check('node ESM dist/node.js', runJson(node, ['--input-type=module', '-e', code]), plainTier);
    check(`node ${FLAG} ESM dist/node.js`, runJson(node, [FLAG, '--input-type=module', '-e', code]), 'relaxed');
  });

  it('import("simdnn") and require("simdnn") from a consumer resolve to dist/node.js and dist/node.cjs', () => {
    writeFileSync(join(dir, 'esm.mjs'), esmScript('simdnn', `report.resolved = import.meta.resolve('simdnn');`));
    writeFileSync(join(dir, 'cjs.cjs'), cjsScript('simdnn', `report.resolved = require.resolve('simdnn');`));
    for (const [file, target] of [['esm.mjs', pathToFileURL(dist('node.js')).href], ['cjs.cjs', dist('node.cjs')]]) {
      for (const flags of [[], [FLAG]]) {
        const r = runJson<Report & { resolved: string }>(node, [...flags, file], dir);
        expect(r.resolved, 'resolved through the symlink').toBe(target);
        check(`node ${flags.join(' ')} ${file} (simdnn by name)`, r, flags.length ? 'relaxed' : plainTier);
      }
    }
  });

  it('initSync() from require("simdnn") (no top-level await needed)', () => {
    writeFileSync(join(dir, 'sync.cjs'), `const s = require('simdnn');\nconst c = s.initSync();\n` +
      `console.log(JSON.stringify({ tier: c.tier, y: Array.from(s.softmax(new Float32Array([0, Math.log(3)]))) }));`);
    const r = runJson<{ tier: string; y: number[] }>(node, ['sync.cjs'], dir);
    expect(r.tier).toBe(plainTier);
    expect(Math.abs(r.y[0] - 0.25)).toBeLessThan(1e-6);
    expect(Math.abs(r.y[1] - 0.75)).toBeLessThan(1e-6);
  });
});
