// gemm with f32 activations over f32 weights (chunked, 32 tokens a pass) and the ONNX-layout and
// codebook formats (each weight row decoded once for all tokens), and with int8 activations over
// the ONNX integer formats, int8 per row and fp4 (one call, four tokens per block) in every tier:
// bit for bit gemv per token, including fp8 runs with NaN / Inf codes, group, row and token tails,
// Tensor in / out (also out over X), and within rounding of float64.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS } from './util';
import { randomF32, actQ } from './reference';

type Case = { format: string; groupSize?: number; axis?: null; symmetric?: boolean; codebook?: number[]; activations?: 'f32' };
const LOG = [0, 1, -1, 2, -2, 4, -4, 8, -8, 0.5, -0.5, 0.25, -0.25, 16, -16, 3];
const CASES: Case[] = [
  { format: 'int8', groupSize: 17, symmetric: false, activations: 'f32' },
  { format: 'uint8', axis: null, activations: 'f32' },
  { format: 'int4', groupSize: 34, activations: 'f32' },
  { format: 'uint4', symmetric: false, activations: 'f32' },
  { format: 'fp8_e4m3', groupSize: 34 },
  { format: 'fp8_e5m2' },
  { format: 'fp4_e2m1', groupSize: 2 },
  { format: 'nf4', groupSize: 34 },
  { format: 'codebook', codebook: LOG },
];
const same = (a: Float32Array, b: Float32Array, label: string) => {
  for (let i = 0; i < b.length; i++) if (!Object.is(a[i], b[i])) expect.fail(`${label} [${i}]: gemm ${a[i]}, gemv ${b[i]}`);
};

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const c of CASES) {
      const { activations, ...qo } = c;
      it(`${c.format} ${JSON.stringify(qo)}: gemm equals gemv per token and float64 within rounding`, () => {
        for (const [rows, cols, tokens] of [[1, 68, 1], [5, 136, 3], [3, 4114, 2], [17, 204, 33]] as const) {
          const w = randomF32(rows * cols, rows * 31 + cols, -2, 2), X = randomF32(tokens * cols, tokens + cols, -1, 1);
          const q = simdnn.quantize(w, { cols, ...qo } as never), d = simdnn.dequantize(q);
          const Y = simdnn.gemm(q, X, { activations }) as Float32Array;
          for (let t = 0; t < tokens; t++) {
            const xt = X.subarray(t * cols, (t + 1) * cols), y = simdnn.gemv(q, xt, { activations }) as Float32Array;
            same(Y.subarray(t * rows, (t + 1) * rows), y, `${rows}x${cols} token ${t}`);
            for (let r = 0; r < rows; r++) {
              let want = 0, mag = 0;
              for (let k = 0; k < cols; k++) { want += d[r * cols + k] * xt[k]; mag += Math.abs(d[r * cols + k] * xt[k]); }
              expect(Math.abs(Y[t * rows + r] - want), `float64 row ${r} token ${t}`).toBeLessThanOrEqual(2e-6 * mag + 1e-30);
            }
          }
          q.dispose();
        }
      });
    }

    // int8 activations: one kernel call for all tokens (four per block, eight rows per pass); shapes
    // cover row tails of the 8-row passes, token tails of the 4-token blocks, the 32-run path
    // (4-bit, groups of whole 32-runs), the general path (other groups, 32-run and scalar tails)
    const INT8: Case[] = [
      { format: 'int8' }, // int8 per row: the ONNX kernel with one group per row
      { format: 'int8', groupSize: 17, symmetric: false }, { format: 'int8', groupSize: 68 }, { format: 'uint8', axis: null }, { format: 'uint8', groupSize: 272, symmetric: false }, // 8-bit: 32-runs, 16-runs, scalar tails
      { format: 'int4', groupSize: 32 }, { format: 'int4', groupSize: 34 }, { format: 'uint4', groupSize: 64, symmetric: false }, { format: 'uint4', symmetric: false },
      { format: 'fp4_e2m1', groupSize: 32 }, { format: 'fp4_e2m1', groupSize: 2 },
    ];
    for (const qo of INT8) {
      it(`${qo.format} ${JSON.stringify(qo)}, int8 activations: gemm equals gemv per token and float64 over the quantized activations`, () => {
        for (const [rows, cols, tokens] of [[1, 2176, 1], [9, 2176, 5], [17, 2176, 9], [3, 4352, 4], [8, 4352, 7]] as const) {
          const w = randomF32(rows * cols, rows * 7 + cols, -2, 2), X = randomF32(tokens * cols, tokens * 3 + cols, -1, 1);
          X[5] = 0; if (tokens > 2) X.fill(0, 2 * cols, 3 * cols); // a zero activation row (scale 0)
          const q = simdnn.quantize(w, { cols, ...qo } as never), d = simdnn.dequantize(q);
          const Y = simdnn.gemm(q, X, { activations: 'int8' }) as Float32Array; // the default, but fp4's is 'f32'
          for (let t = 0; t < tokens; t++) {
            const xt = X.subarray(t * cols, (t + 1) * cols), a = actQ(xt);
            same(Y.subarray(t * rows, (t + 1) * rows), simdnn.gemv(q, xt, { activations: 'int8' }) as Float32Array, `${rows}x${cols} token ${t}`);
            for (let r = 0; r < rows; r++) {
              let want = 0, mag = 0;
              for (let k = 0; k < cols; k++) { const p = d[r * cols + k] * a.q[k] * a.s; want += p; mag += Math.abs(p); }
              if (!(Math.abs(Y[t * rows + r] - want) <= 1e-6 * mag + 1e-30)) expect.fail(`float64 ${rows}x${cols} row ${r} token ${t}: ${Y[t * rows + r]} vs ${want}`);
            }
          }
          q.dispose();
        }
      });
    }

    it('int8 activations: Tensor X and out, non-finite X refused with nothing written', () => {
      const rows = 6, cols = 64, tokens = 5, q = simdnn.quantize(randomF32(rows * cols, 8, -1, 1), { format: 'int4', cols, groupSize: 32 });
      const X = randomF32(tokens * cols, 9, -1, 1), want = simdnn.gemm(q, X) as Float32Array;
      const tx = simdnn.tensor(X), to = simdnn.tensor([tokens * rows]);
      expect(simdnn.gemm(q, tx, { out: to })).toBe(to);
      same(to.toArray(), want, 'tensors');
      const o = new Float32Array(tokens * rows).fill(7), bad = X.slice();
      bad[3 * cols + 1] = NaN;
      expect(() => simdnn.gemm(q, bad, { out: o })).toThrow(/X: got a non-finite value, expected finite values with activations 'int8'/);
      expect(o.every((v) => v === 7)).toBe(true);
      expect(() => simdnn.gemm(q, X, { activations: 'binary' })).toThrow(/activations/);
      tx.dispose(); to.dispose(); q.dispose();
    });

    it('fp8 runs holding NaN / Inf codes: gemm repeats gemv exactly', () => {
      const rows = 4, cols = 80, tokens = 3, w = randomF32(rows * cols, 9, -300, 300);
      w[17] = NaN; w[cols + 40] = Infinity; w[2 * cols + 79] = -Infinity; w[3 * cols + 3] = Infinity; w[3 * cols + 70] = -Infinity;
      for (const format of ['fp8_e4m3', 'fp8_e5m2']) {
        const q = simdnn.quantize(w, { format, cols, axis: null, scales: Float32Array.of(1), saturate: false } as never);
        const X = randomF32(tokens * cols, 4, -1, 1), Y = simdnn.gemm(q, X) as Float32Array;
        for (let t = 0; t < tokens; t++) same(Y.subarray(t * rows, (t + 1) * rows), simdnn.gemv(q, X.subarray(t * cols, (t + 1) * cols)) as Float32Array, `${format} token ${t}`);
        expect(Y[0]).toBeNaN();
        q.dispose();
      }
    });

    it('f32 weights: gemm equals gemv per token bit for bit (1024-column chunks, 32-token passes, row and column tails), and float64', () => {
      for (const [rows, cols, tokens] of [[1, 3, 1], [5, 17, 2], [4, 1024, 3], [7, 1040, 33], [9, 2051, 65], [13, 64, 40]] as const) {
        const w = randomF32(rows * cols, rows * 7 + cols, -2, 2), X = randomF32(tokens * cols, tokens * 3 + cols, -1, 1);
        const Y = simdnn.gemm(w, X, { tokens }) as Float32Array;
        expect(Y.length).toBe(tokens * rows);
        for (let t = 0; t < tokens; t++) {
          const xt = X.subarray(t * cols, (t + 1) * cols);
          same(Y.subarray(t * rows, (t + 1) * rows), simdnn.gemv(w, xt) as Float32Array, `${rows}x${cols} token ${t}`);
          for (let r = 0; r < rows; r++) {
            let sum = 0, mag = 0;
            for (let c = 0; c < cols; c++) { sum += w[r * cols + c] * xt[c]; mag += Math.abs(w[r * cols + c] * xt[c]); }
            expect(Math.abs(Y[t * rows + r] - sum), `${rows}x${cols} token ${t} row ${r}`).toBeLessThanOrEqual(cols * 2 ** -24 * mag + 1e-30);
          }
        }
      }
    });

    it('f32 weights: a NaN or Infinity in one token reaches only that token; Tensors, out over X and over w', () => {
      const rows = 6, cols = 40, tokens = 6, w = randomF32(rows * cols, 1, -1, 1), X = randomF32(tokens * cols, 2, -1, 1);
      X[2 * cols + 5] = NaN; X[4 * cols + 7] = Infinity;
      const Y = simdnn.gemm(w, X, { tokens }) as Float32Array;
      for (let t = 0; t < tokens; t++) {
        same(Y.subarray(t * rows, (t + 1) * rows), simdnn.gemv(w, X.subarray(t * cols, (t + 1) * cols)) as Float32Array, `token ${t}`);
        expect(Array.from(Y.subarray(t * rows, (t + 1) * rows)).some(Number.isNaN), `token ${t}`).toBe(t === 2);
      }
      const sq = randomF32(cols * cols, 3, -1, 1), Xs = randomF32(cols * cols, 4, -1, 1), want = simdnn.gemm(sq, Xs, { tokens: cols }) as Float32Array;
      const tw = simdnn.tensor(sq), tx = simdnn.tensor(Xs), to = simdnn.tensor([cols * cols]);
      expect(simdnn.gemm(tw, tx, { tokens: cols, out: to })).toBe(to);
      same(to.toArray(), want, 'tensors');
      expect(simdnn.gemm(tw, tx, { tokens: cols, out: tx })).toBe(tx);
      same(tx.toArray(), want, 'out over X');
      tx.data.set(Xs);
      expect(simdnn.gemm(tw, tx, { tokens: cols, out: tw })).toBe(tw);
      same(tw.toArray(), want, 'out over w');
      expect(() => simdnn.gemm(sq, Xs, { tokens: cols, activations: 'binary' })).toThrow(/activations/);
      expect(() => simdnn.gemm(sq, Xs, { tokens: 7 })).toThrow(/tokens|cols/);
      tw.dispose(); tx.dispose(); to.dispose();
    });

    it('Tensor X and out, also out over X, give the Float32Array result', () => {
      const rows = 8, cols = 8, tokens = 2, q = simdnn.quantize(randomF32(rows * cols, 5, -1, 1), { format: 'nf4', cols });
      const X = randomF32(tokens * cols, 6, -1, 1), want = simdnn.gemm(q, X) as Float32Array;
      const tx = simdnn.tensor(X), to = simdnn.tensor([tokens * rows]);
      expect(simdnn.gemm(q, tx, { out: to })).toBe(to);
      same(to.toArray(), want, 'tensors');
      expect(simdnn.gemm(q, tx, { out: tx })).toBe(tx); // in place: rows == cols
      same(tx.toArray(), want, 'out over X');
      const o = new Float32Array(tokens * rows);
      expect(simdnn.gemm(q, X, { out: o })).toBe(o);
      same(o, want, 'out array');
      tx.dispose(); to.dispose(); q.dispose();
    });
  });
}
