// Deno: the Node entry (read from disk) and the one-file inline build, no network.
import { describe, it } from 'vitest';
import { PROBE, checkReport, runJson, root, bin, requireBinary } from './probe';

const deno = bin('deno');

describe('deno', () => {
  it('dist/node.js and dist/simdnn.inline.js pick relaxed and compute correctly', () => {
    requireBinary(deno);
    for (const entry of ['dist/node.js', 'dist/simdnn.inline.js']) {
      const code = `import * as s from '${root}${entry}';\n${PROBE}\nconsole.log(JSON.stringify(report));`;
      checkReport(runJson(deno, ['eval', '--ext=js', code], { cwd: root }), 'relaxed');
    }
  });
});
