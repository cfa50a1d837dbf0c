// Every row op computed in place (out = x) equals the out-of-place result, in every tier,
// on rows that exercise the fallback paths (a kernel must not re-read x after writing y).
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS } from './util';
import { randomF32, edgeRows } from './reference';

type Op = (x: Float32Array | InstanceType<typeof simdnn.Tensor>, o: { cols: number; out?: unknown }) => unknown;
const OPS: [string, Op][] = [
  ['softmax', (x, o) => simdnn.softmax(x, o as never)],
  ['softmax two-pass', (x, o) => simdnn.softmax(x, { ...o, algorithm: 'two-pass' } as never)],
  ['softmax online', (x, o) => simdnn.softmax(x, { ...o, algorithm: 'online' } as never)],
  ['logSoftmax', (x, o) => simdnn.logSoftmax(x, o as never)],
  ['ssmax', (x, o) => simdnn.ssmax(x, { ...o, n: 64 } as never)],
  ['softpick', (x, o) => simdnn.softpick(x, o as never)],
  ['stablemax', (x, o) => simdnn.stablemax(x, o as never)],
  ['logStablemax', (x, o) => simdnn.logStablemax(x, o as never)],
  ['taylorSoftmax', (x, o) => simdnn.taylorSoftmax(x, o as never)],
  ['softplusNorm', (x, o) => simdnn.softplusNorm(x, o as never)],
  ['reluNorm', (x, o) => simdnn.reluNorm(x, o as never)],
  ['sigmoidNorm', (x, o) => simdnn.sigmoidNorm(x, o as never)],
  ['sparsemax', (x, o) => simdnn.sparsemax(x, o as never)],
  ['entmax15', (x, o) => simdnn.entmax15(x, o as never)],
  ['sigmoidNorm normalized', (x, o) => simdnn.sigmoidNorm(x, { ...o, normalize: true } as never)],
  ['selfAdjustSoftmax', (x, o) => simdnn.selfAdjustSoftmax(x, o as never)],
  ['selfAdjustSoftmax normalized', (x, o) => simdnn.selfAdjustSoftmax(x, { ...o, normalized: true } as never)],
  ['gumbelSoftmax', (x, o) => simdnn.gumbelSoftmax(x, { ...o, seed: 4 } as never)],
  ['gumbelSoftmax hard', (x, o) => simdnn.gumbelSoftmax(x, { ...o, seed: 4, hard: true } as never)],
];

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const [name, op] of OPS) {
      it(`${name}: in place equals out of place`, () => {
        for (const cols of [1, 5, 17, 65]) {
          const rows = [randomF32(cols, cols), randomF32(cols, cols + 1).map((v) => v * 40 - 200),
            ...edgeRows(cols).map((r) => Float32Array.from(r.row))];
          for (const x of rows) {
            // truly out of place: a Tensor input without `out` writes to a separate block
            // (a Float32Array input is itself computed in place in its scratch copy)
            const src = simdnn.tensor(x);
            const want = op(src, { cols }) as Float32Array;
            src.dispose();
            const copy = x.slice();
            expect(op(copy, { cols, out: copy })).toBe(copy);
            expect(copy, `${name} cols ${cols}`).toEqual(want);
            const t = simdnn.tensor(x);
            op(t, { cols, out: t });
            expect(t.data, `${name} tensor cols ${cols}`).toEqual(want);
            t.dispose();
          }
        }
      });
    }
  });
}
