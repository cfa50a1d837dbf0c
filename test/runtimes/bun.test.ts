// Bun (JavaScriptCore): the Node entry and the inline build.
import { describe, it } from 'vitest';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROBE, checkReport, runJson, root, bin, requireBinary } from './probe';

const bun = bin('bun');

describe('bun', () => {
  it('dist/node.js and dist/simdnn.inline.js pick relaxed and compute correctly', () => {
    requireBinary(bun);
    const dir = mkdtempSync(join(tmpdir(), 'simdnn-bun-'));
    try {
      for (const entry of ['dist/node.js', 'dist/simdnn.inline.js']) {
        const file = join(dir, 'probe.mjs');
        writeFileSync(file, `import * as s from '${root}${entry}';\n${PROBE}\nconsole.log(JSON.stringify(report));`);
        checkReport(runJson(bun, ['run', file]), 'relaxed');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
