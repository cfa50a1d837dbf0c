// Deno and Bun (JavaScriptCore): the Node entry (reads its .wasm from disk), the one-file inline
// build, and `simdnn` by name from a consumer with node_modules (their "deno"/"bun" export
// conditions). Deno runs with read access to dist/ only: no network, no prompts.
import { describe, it, expect } from 'vitest';
import { writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bin, checkReport, consumerDir, dist, esmScript, logTier, missing, skipIf, root, runJson, type Report } from './probe';

const RUNTIMES = [
  { name: 'deno', run: (file: string) => ['run', '--no-prompt', `--allow-read=${root}dist`, file] },
  { name: 'bun', run: (file: string) => ['run', file] },
];

for (const rt of RUNTIMES) {
  describe(rt.name, () => {
    it('dist/node.js, dist/simdnn.inline.js and "simdnn" by name pick relaxed and compute correctly', (ctx) => {
      const exe = bin(rt.name);
      skipIf(ctx, missing(exe, `the npm package "${rt.name}" is a devDependency: run npm ci`));
      const dir = consumerDir(rt.name);
      try {
        const cases = [
          ['node.mjs', pathToFileURL(dist('node.js')).href],
          ['inline.mjs', pathToFileURL(dist('simdnn.inline.js')).href],
          ['by-name.mjs', 'simdnn'],
        ];
        for (const [file, specifier] of cases) {
          writeFileSync(join(dir, file), esmScript(specifier, `report.resolved = import.meta.resolve(${JSON.stringify(specifier)});`));
          const r = runJson<Report & { resolved: string }>(exe, rt.run(file), dir);
          logTier(`${rt.name} ${file} (${r.resolved})`, r);
          checkReport(r, 'relaxed');
          if (specifier === 'simdnn') expect(r.resolved).toBe(pathToFileURL(dist('node.js')).href);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
