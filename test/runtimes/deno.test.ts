// Deno: the Node entry (reads its .wasm from disk), the one-file inline build, and `simdnn` by
// name from a consumer with node_modules (the "deno" export condition). Permissions: read
// access to dist/ only, no network, no prompts.
import { describe, it, expect } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, checkReport, consumerDir, dist, esmScript, logTier, missing, skipIf, root, runJson, type Report } from './probe';

const deno = bin('deno');

describe('deno', () => {
  it('dist/node.js, dist/simdnn.inline.js and "simdnn" by name pick relaxed and compute correctly', (ctx) => {
    skipIf(ctx, missing(deno, 'the npm package "deno" is a devDependency: run npm ci'));
    const dir = consumerDir('deno');
    try {
      const cases = [
        ['node.mjs', pathToFileURL(dist('node.js')).href],
        ['inline.mjs', pathToFileURL(dist('simdnn.inline.js')).href],
        ['by-name.mjs', 'simdnn'],
      ];
      for (const [file, specifier] of cases) {
        writeFileSync(join(dir, file), esmScript(specifier, `report.resolved = import.meta.resolve(${JSON.stringify(specifier)});`));
        const r = runJson<Report & { resolved: string }>(deno, ['run', '--no-prompt', `--allow-read=${root}dist`, file], dir);
        logTier(`deno ${file} (${r.resolved})`, r);
        checkReport(r, 'relaxed');
        if (specifier === 'simdnn') expect(r.resolved).toBe(pathToFileURL(dist('node.js')).href);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
