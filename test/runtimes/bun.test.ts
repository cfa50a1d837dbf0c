// Bun (JavaScriptCore): the Node entry, the one-file inline build, and `simdnn` by name from a
// consumer with node_modules (the "bun" export condition).
import { describe, it, expect } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, checkReport, consumerDir, dist, esmScript, logTier, missing, skipIf, runJson, type Report } from './probe';

const bun = bin('bun');

describe('bun', () => {
  it('dist/node.js, dist/simdnn.inline.js and "simdnn" by name pick relaxed and compute correctly', (ctx) => {
    skipIf(ctx, missing(bun, 'the npm package "bun" is a devDependency: run npm ci'));
    const dir = consumerDir('bun');
    try {
      const cases = [
        ['node.mjs', pathToFileURL(dist('node.js')).href],
        ['inline.mjs', pathToFileURL(dist('simdnn.inline.js')).href],
        ['by-name.mjs', 'simdnn'],
      ];
      for (const [file, specifier] of cases) {
        writeFileSync(join(dir, file), esmScript(specifier, `report.resolved = import.meta.resolve(${JSON.stringify(specifier)});`));
        const r = runJson<Report & { resolved: string }>(bun, ['run', file], dir);
        logTier(`bun ${file} (${r.resolved})`, r);
        checkReport(r, 'relaxed');
        if (specifier === 'simdnn') expect(r.resolved).toBe(pathToFileURL(dist('node.js')).href);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
