// hadamard in every tier against float64 references: the Sylvester matrix product (small n) and a
// recursive FWHT (split halves, unlike the kernels' stride order), plus its properties and edges.
//
// Error bound: an output is s * (a sum of n = 2^k terms +-x_j formed in a tree of depth k), then
// times s ~ 1/sqrt(n) (rounded to f32 when k is odd) and rounded once more. The tree sum is within
// gamma_k * sum|x_j| of exact (gamma_m = m u / (1 - m u), u = 2^-24), so the output is within
// gamma_{k+2} * s * sum|x_j| <= gamma_{k+2} * ||x||_2 (Cauchy-Schwarz: sum|x_j| <= sqrt(n) ||x||_2).
// For n <= 4096 that is <= 14 u ||x||_2 < 1e-6 ||x||_2.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS } from './util';
import { randomF32 } from './reference';

const u = 2 ** -24;
const gamma = (m: number) => (m * u) / (1 - m * u);
const log2 = (n: number) => Math.round(Math.log2(n));
const sign = (i: number, j: number) => (popcount(i & j) % 2 ? -1 : 1); // Sylvester H[i][j]
function popcount(v: number): number { let c = 0; for (; v; v &= v - 1) c++; return c; }
const norm = (x: ArrayLike<number>) => Math.sqrt(Array.prototype.reduce.call(x, (a: number, v: number) => a + v * v, 0) as number);

/** H x / sqrt(n) by the explicit matrix product, float64. */
function refMatrix(x: ArrayLike<number>): number[] {
  const n = x.length;
  return Array.from({ length: n }, (_, i) => { let s = 0; for (let j = 0; j < n; j++) s += sign(i, j) * x[j]; return s / Math.sqrt(n); });
}

/** Unnormalized H x by recursion on halves: H_2m [a; b] = [H_m a + H_m b; H_m a - H_m b]. */
function fwht(x: number[]): number[] {
  if (x.length === 1) return x;
  const a = fwht(x.slice(0, x.length / 2)), b = fwht(x.slice(x.length / 2));
  return [...a.map((v, i) => v + b[i]), ...a.map((v, i) => v - b[i])];
}
const refRecursive = (x: ArrayLike<number>) => fwht(Array.from(x)).map((v) => v / Math.sqrt(x.length));

/** Each row of got within gamma_{k+2} * ||row||_2 of ref(row). */
function expectRows(x: Float32Array, got: Float32Array, cols: number, ref: (row: Float32Array) => number[], label: string): void {
  for (let r = 0; r < x.length / cols; r++) {
    const row = x.subarray(r * cols, (r + 1) * cols), want = ref(row), tol = gamma(log2(cols) + 2) * norm(row);
    for (let i = 0; i < cols; i++) {
      const e = Math.abs(got[r * cols + i] - want[i]);
      if (!(e <= tol)) expect.fail(`${label} row ${r} [${i}]: got ${got[r * cols + i]}, want ${want[i]}, error ${e} > ${tol}`);
    }
  }
}

const COLS = [1, 2, 4, 8, 16, 32, 64, 1024, 4096];

for (const tier of TIERS) {
  describe(`hadamard, tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('matches the Sylvester matrix product (n <= 64) and the recursive FWHT (all n), several rows', () => {
      for (const cols of COLS) {
        for (const rows of [1, 3, 5]) {
          const x = randomF32(rows * cols, cols * 31 + rows, -4, 4), y = simdnn.hadamard(x, { cols });
          expect(y).toBeInstanceOf(Float32Array);
          if (cols <= 64) expectRows(x, y, cols, refMatrix, `matrix cols=${cols} rows=${rows}`);
          expectRows(x, y, cols, refRecursive, `recursive cols=${cols} rows=${rows}`);
        }
      }
    });

    it('the bound is below 1e-6 of the row norm for every tested n', () => {
      for (const cols of COLS) expect(gamma(log2(cols) + 2)).toBeLessThan(1e-6);
    });

    it('is its own inverse and keeps norms (fast-check)', () => {
      const arb = fc.integer({ min: 0, max: 8 }).chain((k) => fc.tuple(fc.constant(2 ** k), fc.integer({ min: 1, max: 3 }))
        .chain(([cols, rows]) => fc.tuple(fc.constant(cols), fc.float32Array({ minLength: cols * rows, maxLength: cols * rows, min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }))));
      fc.assert(fc.property(arb, ([cols, x]) => {
        const y = simdnn.hadamard(x, { cols }), z = simdnn.hadamard(y, { cols });
        // |e1|_2 <= sqrt(n) g ||x|| from the first transform (H keeps it), |e2_i| <= g ||y||.
        const g = gamma(log2(cols) + 2), sq = Math.sqrt(cols);
        for (let r = 0; r < x.length / cols; r++) {
          const xr = x.subarray(r * cols, (r + 1) * cols), nx = norm(xr), ny = norm(y.subarray(r * cols, (r + 1) * cols));
          expect(Math.abs(ny - nx)).toBeLessThanOrEqual(sq * g * nx + 1e-37);
          for (let i = 0; i < cols; i++) expect(Math.abs(z[r * cols + i] - xr[i])).toBeLessThanOrEqual(g * (sq * nx + ny) + 1e-37);
        }
      }), { numRuns: 60 });
    });

    it('NaN makes its row NaN; infinities follow extended arithmetic; other rows unaffected', () => {
      for (const cols of [2, 4, 8, 64]) {
        const x = randomF32(3 * cols, cols, -1, 1), a = 1 % cols, b = (cols - 1) % cols;
        x[a] = NaN;                                    // row 0: NaN
        x[cols + a] = Infinity;                        // row 1: one +Inf
        x[2 * cols] = -Infinity; x[2 * cols + b] = Infinity; // row 2: -Inf and +Inf
        const y = simdnn.hadamard(x, { cols });
        for (let i = 0; i < cols; i++) {
          expect(y[i], `NaN row [${i}]`).toBeNaN();
          expect(y[cols + i], `Inf row [${i}]`).toBe(sign(i, a) * Infinity);
          const s0 = -sign(i, 0), sb = sign(i, b); // signs of the two infinite terms
          if (s0 === sb) expect(y[2 * cols + i]).toBe(s0 * Infinity); else expect(y[2 * cols + i]).toBeNaN();
        }
        const fine = randomF32(cols, 5, -1, 1);
        x.set(fine, cols); // row 1 finite again: it must not see row 0's NaN
        expectRows(fine, simdnn.hadamard(x, { cols }).subarray(cols, 2 * cols), cols, refRecursive, `after NaN cols=${cols}`);
      }
    });

    it('works in place (out === x, Float32Array and Tensor), into out, on Tensors, and on unaligned input', () => {
      const cols = 16, x = randomF32(4 * cols, 9, -2, 2), want = simdnn.hadamard(x, { cols });
      const inPlace = x.slice();
      expect(simdnn.hadamard(inPlace, { cols, out: inPlace })).toBe(inPlace);
      expect(inPlace).toEqual(want);
      const out = new Float32Array(x.length);
      expect(simdnn.hadamard(x, { cols, out })).toBe(out);
      expect(out).toEqual(want);
      const t = simdnn.tensor(x), o = simdnn.tensor([x.length]);
      expect(simdnn.hadamard(t, { cols })).toEqual(want);
      expect(simdnn.hadamard(t, { cols, out: o }).toArray()).toEqual(want);
      expect(simdnn.hadamard(x, { cols, out: o }).toArray()).toEqual(want);
      expect(simdnn.hadamard(t, { cols, out: t })).toBe(t);
      expect(t.toArray()).toEqual(want);
      t.dispose(); o.dispose();
      const buf = new Float32Array(x.length + 1), un = buf.subarray(1);
      un.set(x);
      expect(un.byteOffset).toBe(4);
      expect(simdnn.hadamard(un, { cols })).toEqual(want);
      simdnn.hadamard(un, { cols, out: un });
      expect(un).toEqual(want);
      expect(buf[0]).toBe(0);
      expect(simdnn.hadamard(x)).toEqual(simdnn.hadamard(x, { cols: x.length })); // default: one row
      expect(simdnn.hadamard(new Float32Array(0), { cols: 4 })).toEqual(new Float32Array(0));
    });

    it('rejects bad arguments with SimdnnArgumentError', () => {
      const bad: [string, () => unknown][] = [
        ['cols', () => simdnn.hadamard(new Float32Array(12), { cols: 12 })],
        ['cols', () => simdnn.hadamard(new Float32Array(12))],
        ['cols', () => simdnn.hadamard(new Float32Array(8), { cols: 0 })],
        ['cols', () => simdnn.hadamard(new Float32Array(8), { cols: 2.5 })],
        ['x', () => simdnn.hadamard(new Float32Array(12), { cols: 8 })],
        ['x', () => simdnn.hadamard(new Float64Array(8) as unknown as Float32Array, { cols: 8 })],
        ['out', () => simdnn.hadamard(new Float32Array(8), { cols: 4, out: new Float32Array(4) })],
        ['options', () => simdnn.hadamard(new Float32Array(8), 4 as never)],
      ];
      for (const [arg, f] of bad) {
        let err: unknown;
        try { f(); } catch (e) { err = e; }
        expect(err, arg).toBeInstanceOf(simdnn.SimdnnArgumentError);
        expect((err as { argument: string }).argument, String(err)).toBe(arg);
      }
      expect(simdnn.hadamard(new Float32Array([1, 1]))).toEqual(new Float32Array([Math.SQRT2, 0].map(Math.fround)));
    });
  });
}

describe('hadamard, all tiers', () => {
  it('give the same bits (they do the same f32 operations in the same order)', async () => {
    const results = new Map<string, Float32Array>();
    for (const tier of TIERS) {
      await simdnn.init({ tier });
      for (const cols of COLS) results.set(`${tier} ${cols}`, simdnn.hadamard(randomF32(2 * cols, cols + 3), { cols }));
    }
    for (const tier of TIERS) for (const cols of COLS) expect(results.get(`${tier} ${cols}`), `${tier} ${cols}`).toEqual(results.get(`relaxed ${cols}`));
  });
});
