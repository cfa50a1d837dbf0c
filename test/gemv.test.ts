// int8 quantize/dequantize (bit-exact against an independent statement of the rule), gemv for f32
// and int8 weights (int8 and f32 activations), and dot, in every tier against float64.
import { describe, it, beforeAll, expect } from 'vitest';
import { simdnn, TIERS } from './util';
import { randomF32 } from './reference';

/** The documented rule: scale = fround(max|row| / 127), q = x / scale rounded half to even. */
function refQuantize(x: ArrayLike<number>, rows: number, cols: number): { q: Int8Array; s: Float32Array } {
  const q = new Int8Array(rows * cols), s = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let c = 0; c < cols; c++) m = Math.max(m, Math.abs(x[r * cols + c]));
    s[r] = m / 127;
    for (let c = 0; c < cols; c++) {
      if (!s[r]) continue;
      const y = x[r * cols + c] / s[r], lo = Math.floor(y);
      q[r * cols + c] = y - lo > 0.5 || (y - lo === 0.5 && lo % 2 !== 0) ? lo + 1 : lo;
    }
  }
  return { q, s };
}

/** |got - want| <= rel * sum|terms| per row: the bound that sums of mixed signs allow. */
function expectDots(got: ArrayLike<number>, want: number[], mag: number[], rel: number, label: string): void {
  for (let r = 0; r < want.length; r++) {
    if (!(Math.abs(got[r] - want[r]) <= rel * mag[r] + 1e-30)) expect.fail(`${label} row ${r}: got ${got[r]}, want ${want[r]} (magnitude ${mag[r]})`);
  }
}

const SHAPES = [[1, 1], [3, 3], [5, 15], [17, 16], [33, 17], [4, 65], [7, 4097]];

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('quantize int8: bit-exact, ties to even, zero rows, round trip within scale / 2, from/bytes/scales', () => {
      for (const [rows, cols] of SHAPES) {
        const x = randomF32(rows * cols, rows + cols, -5, 5);
        if (rows > 1) x.fill(0, 0, cols); // a zero row
        const q = simdnn.quantize(x, { format: 'int8', cols }), want = refQuantize(x, rows, cols);
        expect(q.bytes).toEqual(want.q);
        expect(q.scales).toEqual(want.s);
        const back = simdnn.dequantize(q);
        back.forEach((v, i) => expect(Math.abs(v - x[i])).toBeLessThanOrEqual(want.s[Math.floor(i / cols)] / 2 * (1 + 1e-6) + 1e-30));
        const w = simdnn.QTensor.from('int8', q.bytes, rows, cols, q.scales);
        expect(simdnn.dequantize(w)).toEqual(back);
        q.dispose(); w.dispose();
      }
      // exact ties: with max 127 the scale is 1, so x.5 values round to even
      const ties = Float32Array.from([127, 0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 126.5]);
      expect(Array.from(simdnn.quantize(ties, { format: 'int8', cols: 8 }).bytes)).toEqual([127, 0, 2, 2, 0, -2, -2, 126]);
    });

    it('gemv f32 against float64, odd shapes, Tensor weights', () => {
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, 3 * rows + cols, -1, 1), x = randomF32(cols, cols, -1, 1);
        const want = [], mag = [];
        for (let r = 0; r < rows; r++) {
          let s = 0, m = 0;
          for (let c = 0; c < cols; c++) { s += w[r * cols + c] * x[c]; m += Math.abs(w[r * cols + c] * x[c]); }
          want.push(s); mag.push(m);
        }
        expectDots(simdnn.gemv(w, x), want, mag, 1e-6, `f32 ${rows}x${cols}`);
        const tw = simdnn.tensor(w), out = simdnn.tensor([rows]);
        expect(simdnn.gemv(tw, x, { out })).toBe(out);
        expectDots(out.data, want, mag, 1e-6, 'tensor');
        tw.dispose(); out.dispose();
      }
    });

    it('gemv int8: int8 activations give the exact integer sums times the scales; f32 activations the dequantized product', () => {
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, rows * 7 + cols, -2, 2), x = randomF32(cols, cols + 1, -3, 3);
        const q = simdnn.quantize(w, { format: 'int8', cols }), { q: wq, s: ws } = refQuantize(w, rows, cols), { q: xq, s: sx } = refQuantize(x, 1, cols);
        const exact = [], mag = [], deq = [], dmag = [];
        for (let r = 0; r < rows; r++) {
          let d = 0, f = 0, m = 0;
          for (let c = 0; c < cols; c++) { d += wq[r * cols + c] * xq[c]; f += wq[r * cols + c] * x[c]; m += Math.abs(wq[r * cols + c] * x[c]); }
          exact.push(d * ws[r] * sx[0]); mag.push(Math.abs(d * ws[r] * sx[0])); deq.push(f * ws[r]); dmag.push(m * ws[r]);
        }
        expectDots(simdnn.gemv(q, x), exact, mag, 1e-6, `int8/int8 ${rows}x${cols}`);
        expectDots(simdnn.gemv(q, x, { activations: 'f32' }), deq, dmag, 1e-6, `int8/f32 ${rows}x${cols}`);
        q.dispose();
      }
      // extremes: every weight and activation at +-127, where i16 pair sums would overflow a naive path
      const cols = 4097, w = Float32Array.from({ length: 2 * cols }, (_, i) => (i % 3 ? 127 : -127)), x = Float32Array.from({ length: cols }, (_, i) => (i % 2 ? -127 : 127));
      const q = simdnn.quantize(w, { format: 'int8', cols });
      const want = [0, 1].map((r) => { let s = 0; for (let c = 0; c < cols; c++) s += w[r * cols + c] * x[c]; return s; });
      expectDots(simdnn.gemv(q, x), want, want.map(Math.abs), 1e-7, 'extremes');
      q.dispose();
    });

    it('Tensor out over Tensor x (and over Tensor w) gives the out-of-place result, for every weight kind', () => {
      const n = 64, wf = randomF32(n * n, 7, -1, 1), x = randomF32(n, 8, -2, 2);
      const weights: [string, Float32Array | InstanceType<typeof simdnn.QTensor>, 'f32' | 'int8' | undefined][] = [
        ['f32', wf, undefined], ['int8 f32-act', simdnn.quantize(wf, { format: 'int8', cols: n }), 'f32'], ['int8', simdnn.quantize(wf, { format: 'int8', cols: n }), 'int8'],
        ['int4 g32', simdnn.quantize(wf, { format: 'int4', cols: n, groupSize: 32 }), 'f32'], ['fp8_e4m3', simdnn.quantize(wf, { format: 'fp8_e4m3', cols: n }), 'f32'],
        ['nf4', simdnn.quantize(wf, { format: 'nf4', cols: n, groupSize: 32 }), 'f32'], ['binary', simdnn.quantize(wf, { format: 'binary', cols: n }), 'f32'],
        ['q4_0 f32-act', simdnn.quantize(wf, { format: 'q4_0', cols: n }), 'f32'], ['q4_0', simdnn.quantize(wf, { format: 'q4_0', cols: n }), 'int8'],
      ];
      for (const [label, w, activations] of weights) {
        const want = simdnn.gemv(w, x, { activations }) as Float32Array, tx = simdnn.tensor(x);
        expect(simdnn.gemv(w, tx, { activations, out: tx }), label).toBe(tx);
        expect(tx.toArray(), label).toEqual(want);
        tx.dispose();
        if (w instanceof simdnn.QTensor) w.dispose();
      }
      const w1 = wf.subarray(0, n), x1 = new Float32Array([3]), tw = simdnn.tensor(w1); // cols 1: out can be w itself
      expect(simdnn.gemv(tw, x1, { out: tw })).toBe(tw);
      expect(tw.toArray()).toEqual(w1.map((v) => v * 3));
      tw.dispose();
    });

    it('dot: float and exact int8 (including -128)', () => {
      for (const n of [1, 3, 5, 15, 16, 17, 63, 65, 4097]) {
        const a = randomF32(n, n, -1, 1), b = randomF32(n, n + 9, -1, 1);
        let s = 0, m = 0;
        for (let i = 0; i < n; i++) { s += a[i] * b[i]; m += Math.abs(a[i] * b[i]); }
        expect(Math.abs(simdnn.dot(a, b) - s)).toBeLessThanOrEqual(1e-6 * m);
        const i8a = Int8Array.from({ length: n }, (_, i) => ((i * 37) % 256) - 128), i8b = Int8Array.from({ length: n }, (_, i) => ((i * 91 + 5) % 256) - 128);
        let e = 0;
        for (let i = 0; i < n; i++) e += i8a[i] * i8b[i];
        expect(simdnn.dot(i8a, i8b)).toBe(e);
      }
      const all = new Int8Array(4097).fill(-128);
      expect(simdnn.dot(all, all)).toBe(4097 * 16384);
    });

    it('bad arguments', () => {
      const x = new Float32Array(8);
      expect(() => simdnn.quantize(x, { format: 'q5_2', cols: 8 } as never)).toThrow(/format/);
      expect(() => simdnn.quantize(x, { format: 'int8', cols: 3 })).toThrow(simdnn.SimdnnArgumentError);
      expect(() => simdnn.quantize(Float32Array.from([1, NaN]), { format: 'int8', cols: 2 })).toThrow(/finite/);
      expect(() => simdnn.QTensor.from('int8', new Int8Array(3), 2, 2, new Float32Array(2))).toThrow(/bytes/);
      expect(() => simdnn.QTensor.from('int8', new Int8Array(4), 2, 2, new Float32Array(1))).toThrow(/scales/);
      expect(() => simdnn.gemv(x, new Float32Array(3))).toThrow(/w/);
      const q = simdnn.quantize(x, { format: 'int8', cols: 4 });
      expect(() => simdnn.gemv(q, new Float32Array(3))).toThrow(/x/);
      expect(() => simdnn.gemv(q, new Float32Array(4), { activations: 'int4' } as never)).toThrow(/activations/);
      expect(() => simdnn.gemv(q, new Float32Array(4), { out: new Float32Array(3) })).toThrow(/out/);
      q.dispose();
      expect(() => simdnn.gemv(q, new Float32Array(4))).toThrow(simdnn.SimdnnDisposedError);
      expect(() => simdnn.dot(new Float32Array(2), new Int8Array(2) as never)).toThrow(/b/);
      expect(() => simdnn.dot(new Float32Array(2), new Float32Array(3))).toThrow(/length/);
    });
  });
}
