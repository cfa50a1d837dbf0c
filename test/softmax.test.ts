// softmax, logSoftmax, logSumExp in every tier against the float64 reference, with the edge
// lengths and values of the numeric contract (ARCHITECTURE.md section 4).
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS, expectClose, kernels } from './util';
import { refSoftmax, refLogSoftmax, refLogSumExp, randomF32, edgeRows, type RefOptions } from './reference';

const LENGTHS = [1, 3, 5, 15, 16, 17, 63, 64, 65, 1024, 4097];
const OPS = [
  { name: 'softmax', fn: simdnn.softmax, ref: refSoftmax, rel: 2e-6, abs: 1e-12, perRow: false },
  { name: 'softmax two-pass', fn: ((x, o) => simdnn.softmax(x, { ...o, algorithm: 'two-pass' })) as typeof simdnn.softmax, ref: refSoftmax, rel: 2e-6, abs: 1e-12, perRow: false },
  { name: 'softmax online', fn: ((x, o) => simdnn.softmax(x, { ...o, algorithm: 'online' })) as typeof simdnn.softmax, ref: refSoftmax, rel: 2e-6, abs: 1e-12, perRow: false },
  { name: 'logSoftmax', fn: simdnn.logSoftmax, ref: refLogSoftmax, rel: 2e-6, abs: 1e-6, perRow: false },
  { name: 'logSumExp', fn: simdnn.logSumExp, ref: refLogSumExp, rel: 2e-6, abs: 1e-6, perRow: true },
] as const;

function check(op: (typeof OPS)[number], x: Float32Array, o: RefOptions, label: string): Float32Array {
  const y = op.fn(x, o) as Float32Array;
  expectClose(y, op.ref(x, o), op.rel, op.abs, `${op.name} ${label}`);
  return y;
}

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => {
      const caps = await simdnn.init({ tier });
      expect(caps.tier).toBe(tier);
    });

    for (const op of OPS) {
      describe(op.name, () => {
        it('random rows at every edge length', () => {
          for (const cols of LENGTHS) {
            for (const rows of [1, 3]) check(op, randomF32(rows * cols, cols + rows), { cols }, `${rows}x${cols}`);
          }
        });

        it('edge values at every edge length', () => {
          for (const cols of LENGTHS) {
            for (const { name, row } of edgeRows(cols)) check(op, Float32Array.from(row), { cols }, `${name} cols=${cols}`);
          }
        });

        it('several edge rows in one batch keep their own results', () => {
          const cols = 17;
          const x = Float32Array.from(edgeRows(cols).flatMap((r) => r.row));
          check(op, x, { cols }, 'mixed batch');
        });

        it('temperature', () => {
          for (const temperature of [0.05, 0.7, 1, 3, 1000]) check(op, randomF32(4 * 65, 11), { cols: 65, temperature }, `T=${temperature}`);
        });

        it('additive and boolean masks, broadcast and per row', () => {
          const rows = 5, cols = 33, x = randomF32(rows * cols, 5);
          const add1 = randomF32(cols, 9, -3, 3); add1[4] = -Infinity;
          const addN = randomF32(rows * cols, 10, -3, 3);
          const bool1 = Uint8Array.from({ length: cols }, (_, i) => (i % 3 ? 1 : 0));
          const boolN = Uint8Array.from({ length: rows * cols }, (_, i) => (i < cols ? 0 : (i * 7) % 5 ? 1 : 0)); // row 0 fully masked
          for (const [name, mask] of [['add row', add1], ['add all', addN], ['bool row', bool1], ['bool all', boolN]] as const) {
            check(op, x, { cols, mask, temperature: 0.8 }, name);
          }
        });

        it('long rows: 32k within 2e-6, 1M within 1e-5', () => {
          const x32 = randomF32(32768, 3, -20, 20);
          check(op, x32, { cols: 32768 }, '32k');
          const x1m = randomF32(1 << 20, 4, -20, 20);
          const y = op.fn(x1m, { cols: 1 << 20 }) as Float32Array;
          expectClose(y, op.ref(x1m, { cols: 1 << 20 }), 1e-5, op.abs, `${op.name} 1M`);
        });

        it('unaligned input and output views, out is returned and filled', () => {
          const cols = 15, rows = 3;
          for (const off of [1, 2, 3]) {
            const xBuf = new Float32Array(rows * cols + off + 1);
            xBuf.set(randomF32(rows * cols, off), off);
            const x = xBuf.subarray(off, off + rows * cols);
            const before = x.slice();
            const outLen = op.perRow ? rows : rows * cols;
            const outBuf = new Float32Array(outLen + off).fill(7);
            const out = outBuf.subarray(off);
            const y = op.fn(x, { cols, out });
            expect(y).toBe(out);
            expectClose(out, op.ref(x, { cols }), op.rel, op.abs, `offset ${off}`);
            expect(x).toEqual(before); // caller's input untouched
            expect(outBuf.subarray(0, off).every((v) => v === 7)).toBe(true); // nothing written outside out
          }
        });

        it('Tensor in and out (resident), and in place', () => {
          const cols = 65, rows = 4, data = randomF32(rows * cols, 21);
          const want = op.ref(data, { cols });
          const x = simdnn.tensor(data, [rows, cols]);
          const out = simdnn.tensor([op.perRow ? rows : rows * cols]);
          expect(op.fn(x, { cols, out })).toBe(out);
          expectClose(out.data, want, op.rel, op.abs, 'tensor->tensor');
          expectClose(op.fn(x, { cols }) as Float32Array, want, op.rel, op.abs, 'tensor->array');
          expect(x.data).toEqual(data); // input tensor untouched
          if (!op.perRow) {
            op.fn(x, { cols, out: x });
            expectClose(x.data, want, op.rel, op.abs, 'in place');
          }
          x.dispose(); out.dispose();
        });

        it('array in, Tensor out with a mask', () => {
          const cols = 17, rows = 2, data = randomF32(rows * cols, 2);
          const mask = Uint8Array.from({ length: cols }, (_, i) => (i % 2 ? 1 : 0));
          const out = simdnn.tensor([op.perRow ? rows : rows * cols]);
          op.fn(data, { cols, mask, out });
          expectClose(out.data, op.ref(data, { cols, mask }), op.rel, op.abs, 'masked to tensor');
          const xt = simdnn.tensor(data);
          expectClose(op.fn(xt, { cols, mask }) as Float32Array, op.ref(data, { cols, mask }), op.rel, op.abs, 'tensor masked');
          out.dispose(); xt.dispose();
        });
      });
    }

    it('exp kernel: within 3 ULP of float64 over [-87.3, 88.3], 0 below, NaN stays NaN', () => {
      // a stride through every f32 in the domain (the kernel is exported for this test)
      const xs: number[] = [];
      const f = new Float32Array(1), u = new Uint32Array(f.buffer);
      for (let bits = 0; bits < 2 ** 32; bits += 1237 * 4099) {
        u[0] = bits; const v = f[0];
        if (v >= -87.33 && v <= 88.3) xs.push(v);
      }
      xs.push(0, -0, 1, -1, -87.33, 88.3, -100, -Infinity, NaN);
      const caps = simdnn.capabilities();
      expect(caps.tier).toBe(tier);
      const y = expKernel(Float32Array.from(xs));
      let maxUlp = 0;
      for (let i = 0; i < xs.length; i++) {
        const x = Math.fround(xs[i]);
        if (Number.isNaN(x)) { expect(y[i]).toBeNaN(); continue; }
        const want = Math.exp(x);
        // denormal results may be flushed to 0 (the wasm tiers do, below -87.336544)
        if (want < 2 ** -126) { expect(Math.abs(y[i] - want)).toBeLessThanOrEqual(2 ** -126); continue; }
        const ulp = Math.abs(y[i] - want) / ulpOf(Math.fround(want));
        maxUlp = Math.max(maxUlp, ulp);
      }
      expect(maxUlp).toBeLessThanOrEqual(3);
    });

    it('log kernel: within 2 ULP of float64 over all positive f32 (denormals too); 0, <0, NaN, Inf', () => {
      const xs: number[] = [];
      const f = new Float32Array(1), u = new Uint32Array(f.buffer);
      for (let bits = 1; bits < 0x7f800000; bits += 1237 * 1021) { u[0] = bits; xs.push(f[0]); }
      xs.push(1, 2, 0.5, Math.E, 1 + 2 ** -23, 1 - 2 ** -24, 1.4142135, 0.70710677, 1e-45, 3.4e38);
      const special = [0, -0, -1, -Infinity, NaN, Infinity];
      const y = expKernel(Float32Array.from([...xs, ...special]), 'log_f32');
      let maxUlp = 0;
      xs.forEach((v, i) => { const x = Math.fround(v), want = Math.log(x); maxUlp = Math.max(maxUlp, Math.abs(y[i] - want) / ulpOf(Math.fround(want))); });
      expect(maxUlp).toBeLessThanOrEqual(2);
      expect(Array.from(y.subarray(xs.length))).toEqual([-Infinity, -Infinity, NaN, NaN, NaN, Infinity]);
    });
  });
}

/** Runs the exp_f32 (or log_f32) kernel of the current tier on tensors. */
function expKernel(x: Float32Array, name: 'exp_f32' | 'log_f32' = 'exp_f32'): Float32Array {
  const tx = simdnn.tensor(x), ty = simdnn.tensor([x.length]);
  kernels()[name](tx.ptr, ty.ptr, x.length);
  const y = ty.toArray();
  tx.dispose(); ty.dispose();
  return y;
}

function ulpOf(x: number): number {
  const f = new Float32Array([Math.abs(x)]), u = new Uint32Array(f.buffer);
  const a = f[0]; u[0]++;
  return f[0] - a;
}
