// The `binary` format (1-bit signs, one f32 scale per group) in every tier, against an independent
// statement written here: bit = (w < 0 ? 0 : 1) LSB first, scale = fround(mean |w|) per group,
// dequantize = +-scale, gemv 'f32' against float64 sums of +-x, gemv 'binary' bit-exact against
// an integer sum of sign products (not a popcount), and the tiers giving the same bits.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS } from './util';
import { randomF32 } from './reference';

type Layout = { groupSize?: number; axis?: 0 | 1 | null };

/** Bytes: element i in bit i % 8 of byte floor(i / 8), 1 unless the value is below zero. */
function refBytes(w: ArrayLike<number>): number[] {
  const out = new Array(Math.ceil(w.length / 8)).fill(0);
  for (let i = 0; i < w.length; i++) if (!(w[i] < 0)) out[Math.floor(i / 8)] += 2 ** (i % 8);
  return out;
}
const sgn = (v: number) => (v < 0 ? -1 : 1);
/** Index of the scale of (r, c), and the number of scales. */
const keyOf = (l: Layout, rows: number, cols: number) => {
  const per = l.groupSize ? cols / l.groupSize : l.axis === null ? 0 : 1;
  return { key: (r: number, c: number) => (per ? r * per + Math.floor(c / (l.groupSize ?? cols)) : 0), count: per ? rows * per : 1, size: l.groupSize ?? (l.axis === null ? rows * cols : cols) };
};
function refScales(w: ArrayLike<number>, rows: number, cols: number, l: Layout): number[] {
  const { key, count, size } = keyOf(l, rows, cols), s = new Array(count).fill(0);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) s[key(r, c)] += Math.abs(w[r * cols + c]);
  return s.map((v) => Math.fround(v / size));
}
/** gemv with binarized x: per group the integer sum of sign products, f64 sums in group order, times sx, one f32 rounding. */
function refBinaryGemv(w: ArrayLike<number>, s: ArrayLike<number>, x: ArrayLike<number>, rows: number, cols: number, l: Layout): Float32Array {
  let ax = 0;
  for (let c = 0; c < cols; c++) ax += Math.abs(x[c]);
  const sx = Math.fround(ax / cols), g = l.groupSize ?? cols, { key } = keyOf(l, rows, cols), y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let acc = 0;
    for (let c0 = 0; c0 < cols; c0 += g) {
      let d = 0;
      for (let c = c0; c < c0 + g; c++) d += sgn(w[r * cols + c]) * sgn(x[c]);
      acc += d * s[key(r, c0)];
    }
    y[r] = acc * sx;
  }
  return y;
}
/** gemv with f32 x over the dequantized weights in float64, and the sum of |terms| for the tolerance. */
function refF32Gemv(d: ArrayLike<number>, x: ArrayLike<number>, rows: number, cols: number): { y: Float64Array; mag: Float64Array } {
  const y = new Float64Array(rows), mag = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { y[r] += d[r * cols + c] * x[c]; mag[r] += Math.abs(d[r * cols + c] * x[c]); }
  return { y, mag };
}
/** The layouts a [rows, cols] matrix takes: per row, per tensor, and groups of 8, 24, 72, 216 where they divide cols. */
const layouts = (cols: number): Layout[] => [{}, { axis: null }, { axis: 0 }, ...[8, 24, 72, 216].filter((g) => cols % g === 0 && g < cols).map((groupSize) => ({ groupSize }))];
const SHAPES = [[1, 8], [3, 16], [17, 24], [3, 136], [1, 4104], [17, 4104]] as const;

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    it('bytes of known vectors: LSB first, sign(0) = sign(-0) = +1; scale = mean |w|', () => {
      const w = Float32Array.of(1, -1, 0, -0, -2, 3, -0.5, 0.25, -1, -1, -1, -1, -1, -1, -1, 5, ...new Array(8).fill(-0), ...new Array(8).fill(-1e-30));
      const q = simdnn.quantize(w, { format: 'binary', cols: 32 });
      // 1 0 1 1 0 1 0 1 -> 0b10101101; seven negatives then a positive -> 0x80; -0 -> all ones; tiny negatives -> 0
      expect(Array.from(q.bytes)).toEqual([0xad, 0x80, 0xff, 0x00]);
      expect(q.bytes).toBeInstanceOf(Uint8Array);
      expect(q.format).toBe('binary');
      expect(q.groupSize).toBe(32);
      expect(q.zeroPoints).toBeUndefined();
      expect(q.scales![0]).toBe(Math.fround((1 + 1 + 0 + 0 + 2 + 3 + 0.5 + 0.25 + 7 + 5 + 8e-30) / 32));
      const d = simdnn.dequantize(q), s = q.scales![0];
      expect(Array.from(d.subarray(0, 8))).toEqual([s, -s, s, s, -s, s, -s, s]);
      q.dispose();
      // a row of zeros: scale 0, bits 1, dequantized +0
      const z = simdnn.quantize(new Float32Array(16), { format: 'binary', cols: 8 });
      expect(Array.from(z.bytes)).toEqual([0xff, 0xff]);
      expect(Array.from(z.scales!)).toEqual([0, 0]);
      expect(Array.from(simdnn.dequantize(z)).every((v) => Object.is(v, 0))).toBe(true);
      z.dispose();
    });

    it('every layout: bytes, scales (mean |w|), dequantize = +-scale exactly, round trip, QTensor.from round trip', () => {
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, rows * 131 + cols, -3, 3);
        w[0] = 0; w[1] = -0; w[2] = -1e-40; w[3] = 1e-40; // zeros and denormals
        for (const l of layouts(cols)) {
          const label = `${rows}x${cols} ${JSON.stringify(l)}`, q = simdnn.quantize(w, { format: 'binary', cols, ...l });
          const want = refScales(w, rows, cols, l), { key } = keyOf(l, rows, cols);
          expect(Array.from(q.scales!), label).toEqual(want);
          expect(Array.from(q.bytes), label).toEqual(refBytes(w));
          expect(q.groupSize, label).toBe(l.groupSize ?? cols);
          const d = simdnn.dequantize(q);
          for (let i = 0; i < w.length; i++) {
            const s = want[key(Math.floor(i / cols), i % cols)];
            if (!Object.is(d[i], sgn(w[i]) * s)) expect.fail(`${label} dequantize ${i}: ${w[i]} -> ${d[i]}, want ${sgn(w[i]) * s}`);
            // |w - deq| = ||w| - scale| <= |w| + scale
            const e = Math.abs(w[i] - d[i]);
            if (!(e === Math.abs(Math.abs(w[i]) - s) && e <= Math.abs(w[i]) + s)) expect.fail(`${label} round trip ${i}: ${w[i]} -> ${d[i]}`);
          }
          const back = simdnn.QTensor.from('binary', q.bytes as Uint8Array, rows, cols, { scales: q.scales!, ...l });
          expect(Array.from(back.bytes), label).toEqual(Array.from(q.bytes));
          expect(Array.from(back.scales!), label).toEqual(want);
          expect(Array.from(simdnn.dequantize(back)), label).toEqual(Array.from(d));
          back.dispose(); q.dispose();
        }
      }
    });

    it('the mean |w| scale minimizes the squared error of sign binarization (XNOR-Net alpha)', () => {
      const w = randomF32(64, 9, -2, 2), q = simdnn.quantize(w, { format: 'binary', cols: 64 }), s = q.scales![0];
      const err = (a: number) => w.reduce((t, v) => t + (v - sgn(v) * a) ** 2, 0);
      for (const f of [0.99, 0.999, 1.001, 1.01]) expect(err(s)).toBeLessThan(err(s * f));
      q.dispose();
    });

    it('given scales (finite >= 0) replace mean |w|; QTensor.from takes a Float32Array of row scales', () => {
      const w = randomF32(48, 5, -1, 1), scales = Float32Array.of(0.5, 0, 2, 1e-45, 3e38, 1);
      const q = simdnn.quantize(w, { format: 'binary', cols: 16, groupSize: 8, scales });
      expect(Array.from(q.scales!)).toEqual(Array.from(scales));
      const d = simdnn.dequantize(q);
      for (let i = 0; i < 48; i++) expect(Object.is(d[i], sgn(w[i]) * scales[i >> 3])).toBe(true);
      const r = simdnn.QTensor.from('binary', Uint8Array.of(0x0f, 0xf0, 0xff, 0x00), 2, 16, Float32Array.of(2, 0.25));
      expect(Array.from(simdnn.dequantize(r))).toEqual([2, 2, 2, 2, -2, -2, -2, -2, -2, -2, -2, -2, 2, 2, 2, 2, ...new Array(8).fill(0.25), ...new Array(8).fill(-0.25)]);
      q.dispose(); r.dispose();
    });

    it('edge values: huge and denormal weights are exact signs and means; NaN / +-Infinity refused', () => {
      const w = Float32Array.of(3e38, -3.4e38, 3.4e38, -3e38, 1e-45, -1e-45, 0, 3.4e38);
      const q = simdnn.quantize(w, { format: 'binary', cols: 8 });
      expect(Array.from(q.bytes)).toEqual(refBytes(w));
      expect(q.scales![0]).toBe(refScales(w, 1, 8, {})[0]);
      expect(Number.isFinite(q.scales![0])).toBe(true);
      q.dispose();
      const t = simdnn.quantize(Float32Array.of(1e-45, -1e-45, 1e-45, 0, 0, 0, 0, 0), { format: 'binary', cols: 8 });
      expect(t.scales![0]).toBe(Math.fround((3 * 2 ** -149) / 8)); // a denormal mean rounds on the f32 denormal grid:
      expect(t.scales![0]).toBe(0); // 0 here
      t.dispose();
      for (const bad of [NaN, Infinity, -Infinity]) {
        const v = new Float32Array(8); v[3] = bad;
        expect(() => simdnn.quantize(v, { format: 'binary', cols: 8 }), String(bad)).toThrow(simdnn.SimdnnArgumentError);
        expect(() => simdnn.quantize(v, { format: 'binary', cols: 8 })).toThrow(/x: got a non-finite value/);
        expect(() => simdnn.quantize(v, { format: 'binary', cols: 8, scales: Float32Array.of(1) })).toThrow(/x: got a non-finite value/);
      }
    });

    it('typed errors: cols / groupSize not multiples of 8, bytes of the wrong length or type, bad scales, other options', () => {
      const E = simdnn.SimdnnArgumentError, x = randomF32(32, 3, -1, 1);
      const from = (b: unknown, rows: number, cols: number, s: unknown) => () => simdnn.QTensor.from('binary', b as Uint8Array, rows, cols, s as Float32Array);
      expect(() => simdnn.quantize(randomF32(12, 1), { format: 'binary', cols: 12 })).toThrow(/cols: got 12 for binary, expected a multiple of 8/);
      expect(from(new Uint8Array(2), 1, 12, Float32Array.of(1))).toThrow(/cols: got 12 for binary, expected a multiple of 8/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, groupSize: 4 })).toThrow(/groupSize: got 4 for binary, expected a multiple of 8/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, groupSize: 3 })).toThrow(/groupSize/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, groupSize: 8, axis: null })).toThrow(/axis/);
      expect(from(new Uint8Array(3), 2, 16, Float32Array.of(1, 1))).toThrow(/bytes: got .*, expected a Uint8Array of 4 bytes/);
      expect(from(new Int8Array(4), 2, 16, Float32Array.of(1, 1))).toThrow(/bytes: .*Uint8Array of 4 bytes/);
      expect(from([1, 2, 3, 4], 2, 16, Float32Array.of(1, 1))).toThrow(E);
      for (const s of [Float32Array.of(1), Float32Array.of(1, -1), Float32Array.of(1, NaN), Float32Array.of(Infinity, 1), Float64Array.of(1, 1), undefined, 3]) {
        expect(from(new Uint8Array(4), 2, 16, s), String(s)).toThrow(/scales: got .*, expected a (Float32Array of 2 finite scales >= 0|Float32Array of row scales or an options object)/);
      }
      expect(from(new Uint8Array(4), 2, 16, { scales: Float32Array.of(1, 1, 1, 1), groupSize: 8 })).not.toThrow();
      expect(from(new Uint8Array(4), 2, 16, { scales: Float32Array.of(1, 1), groupSize: 8 })).toThrow(/scales: .*4 finite scales >= 0/);
      expect(from(new Uint8Array(4), 2, 16, { scales: Float32Array.of(1, 1), zeroPoints: [0, 0] })).toThrow(/zeroPoints/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, scales: Float32Array.of(1, -2) })).toThrow(/scales: .*2 finite scales >= 0/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, symmetric: false })).toThrow(/symmetric/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, saturate: true })).toThrow(/saturate/);
      expect(() => simdnn.quantize(x, { format: 'binary', cols: 16, codebook: new Float32Array(16) } as never)).toThrow(/codebook: got Float32Array\(16\), expected undefined for binary/);
      expect(() => simdnn.quantize(x, { format: 'binary' as 'int8', cols: 5 })).toThrow(E);
    });

    it('gemv, f32 activations: against float64 over the dequantized weights, every shape and layout', () => {
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, 7 * cols + rows, -2, 2), x = randomF32(cols, cols + 1, -1, 1);
        for (const l of layouts(cols)) {
          const q = simdnn.quantize(w, { format: 'binary', cols, ...l }), g = l.groupSize ?? cols;
          const { y: want, mag } = refF32Gemv(simdnn.dequantize(q), x, rows, cols);
          const y = simdnn.gemv(q, x) as Float32Array;
          // f32 rounding: a lane sums g / 16 terms, 4 lane adds, one product and cols / g row adds, each within 2^-24
          const bound = (g / 16 + cols / g + 8) * 2 ** -24;
          for (let r = 0; r < rows; r++) expect(Math.abs(y[r] - want[r]), `${rows}x${cols} ${JSON.stringify(l)} row ${r}`).toBeLessThanOrEqual(bound * mag[r] + 1e-30);
          expect(Array.from(simdnn.gemv(q, x, { activations: 'f32' }) as Float32Array)).toEqual(Array.from(y));
          q.dispose();
        }
      }
    });

    it("gemv, 'binary' activations: bit-exact against the integer sum of sign products, every shape and layout", () => {
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, 3 * cols + rows, -2, 2), x = randomF32(cols, cols + 5, -1, 1);
        x[0] = 0; x[cols - 1] = -0; // sign +1 for both
        for (const l of layouts(cols)) {
          const q = simdnn.quantize(w, { format: 'binary', cols, ...l });
          const want = refBinaryGemv(w, q.scales!, x, rows, cols, l);
          expect(Array.from(simdnn.gemv(q, x, { activations: 'binary' }) as Float32Array), `${rows}x${cols} ${JSON.stringify(l)}`).toEqual(Array.from(want));
          q.dispose();
        }
      }
    });

    it('gemv: resident Tensors for x and out, and a given Float32Array out', () => {
      const rows = 5, cols = 72, w = randomF32(rows * cols, 11, -1, 1), x = randomF32(cols, 12, -1, 1);
      const q = simdnn.quantize(w, { format: 'binary', cols, groupSize: 24 }), xt = simdnn.tensor(x), yt = simdnn.tensor([rows]), out = new Float32Array(rows);
      for (const activations of ['f32', 'binary'] as const) {
        const want = Array.from(simdnn.gemv(q, x, { activations }) as Float32Array);
        expect(simdnn.gemv(q, xt, { activations, out: yt })).toBe(yt);
        expect(yt.toArray()).toEqual(Float32Array.from(want));
        expect(simdnn.gemv(q, x, { activations, out })).toBe(out);
        expect(Array.from(out)).toEqual(want);
      }
      expect(() => simdnn.gemv(q, x, { out: new Float32Array(4) })).toThrow(/out: got length 4, expected length 5/);
      q.dispose(); xt.dispose(); yt.dispose();
    });

    it('gemv edges: huge and denormal x, +-Infinity x in f32 activations propagate, non-finite x refused for binary; activations checked', () => {
      const w = Float32Array.of(1, -1, 1, -1, 1, -1, 1, -1, 2, 2, 2, 2, 2, 2, 2, 2);
      const q = simdnn.quantize(w, { format: 'binary', cols: 8 }); // scales 1 and 2
      const huge = Float32Array.of(3e38, 3e38, 1e38, 1e38, -1e38, -1e38, 1e-45, -1e-45);
      // row 0: the huge terms cancel (the f32 kernel gets 0 against 2.8e-45: within f32 rounding of the 1e39 of |terms|); row 1: 2 * 6e38 overflows f32
      const y = simdnn.gemv(q, huge) as Float32Array, { y: want, mag } = refF32Gemv(simdnn.dequantize(q), huge, 2, 8);
      expect(Math.abs(y[0] - want[0])).toBeLessThanOrEqual(16 * 2 ** -24 * mag[0]);
      expect(Math.fround(want[1])).toBe(Infinity);
      expect(y[1]).toBe(Infinity);
      const yb = simdnn.gemv(q, huge, { activations: 'binary' }) as Float32Array;
      expect(Array.from(yb)).toEqual(Array.from(refBinaryGemv(w, q.scales!, huge, 2, 8, {})));
      const inf = new Float32Array(8).fill(1); inf[0] = Infinity;
      const yi = simdnn.gemv(q, inf) as Float32Array;
      expect(yi[0]).toBe(Infinity); expect(yi[1]).toBe(Infinity);
      inf[1] = Infinity; // row 0 meets +Inf and -Inf: NaN
      expect((simdnn.gemv(q, inf) as Float32Array)[0]).toBeNaN();
      for (const bad of [NaN, Infinity, -Infinity]) {
        const v = new Float32Array(8); v[5] = bad;
        expect(() => simdnn.gemv(q, v, { activations: 'binary' })).toThrow(/x: got a non-finite value, expected finite values with activations 'binary'/);
      }
      expect(() => simdnn.gemv(q, new Float32Array(8), { activations: 'int8' })).toThrow(/activations: got "int8", expected 'f32' \(default\) or 'binary' for binary weights/);
      expect(() => simdnn.gemv(q, new Float32Array(16))).toThrow(/x: got length 16/);
      const i8 = simdnn.quantize(w, { format: 'int8', cols: 8 });
      expect(() => simdnn.gemv(i8, new Float32Array(8), { activations: 'binary' })).toThrow(/activations: got "binary", expected 'int8' or 'f32' \('binary' is for binary weights\)/);
      expect(() => simdnn.gemv(w, new Float32Array(8), { activations: 'binary' })).toThrow(simdnn.SimdnnArgumentError);
      i8.dispose(); q.dispose();
    });

    it('gemm over binary weights equals gemv per token, both activations; non-finite X refused for binary', () => {
      const rows = 17, cols = 136, tokens = 3, w = randomF32(rows * cols, 21, -1, 1), X = randomF32(tokens * cols, 22, -1, 1);
      const q = simdnn.quantize(w, { format: 'binary', cols, groupSize: 8 });
      for (const activations of [undefined, 'f32', 'binary'] as const) {
        const Y = simdnn.gemm(q, X, { activations }) as Float32Array;
        for (let t = 0; t < tokens; t++) expect(Array.from(Y.subarray(t * rows, (t + 1) * rows))).toEqual(Array.from(simdnn.gemv(q, X.subarray(t * cols, (t + 1) * cols), { activations }) as Float32Array));
      }
      const bad = X.slice(); bad[cols + 3] = -Infinity;
      expect(() => simdnn.gemm(q, bad, { activations: 'binary' })).toThrow(/X: got a non-finite value, expected finite values with activations 'binary'/);
      expect(() => simdnn.gemm(q, X, { activations: 'int8' })).toThrow(/activations/);
      q.dispose();
    });

    it("property: gemv 'binary' = fround(sx * sum_g scale * (2 matches - n)), bit for bit, for random shapes, layouts and values", () => {
      fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.float({ min: Math.fround(1e-3), max: Math.fround(1e4), noNaN: true }), (rows, bytes, lk, seed, mag) => {
        const cols = 8 * bytes, l: Layout = [{}, { axis: null }, { groupSize: 8 }, bytes % 3 === 0 ? { groupSize: 24 } : {}][lk];
        const w = randomF32(rows * cols, seed, -mag, mag), x = randomF32(cols, seed ^ 0x5bd1e995, -mag, mag);
        const q = simdnn.quantize(w, { format: 'binary', cols, ...l }), s = q.scales!, y = simdnn.gemv(q, x, { activations: 'binary' }) as Float32Array;
        q.dispose();
        const g = l.groupSize ?? cols, { key } = keyOf(l, rows, cols), sx = Math.fround(x.reduce((a, v) => a + Math.abs(v), 0) / cols);
        for (let r = 0; r < rows; r++) {
          let acc = 0;
          for (let c0 = 0; c0 < cols; c0 += g) {
            let matches = 0;
            for (let c = c0; c < c0 + g; c++) if ((w[r * cols + c] >= 0) === (x[c] >= 0)) matches++;
            acc += (2 * matches - g) * s[key(r, c0)];
          }
          if (y[r] !== Math.fround(acc * sx)) return false;
        }
        return true;
      }), { numRuns: 80 });
    });
  });
}

describe('binary gemv across tiers', () => {
  it('the js, simd and relaxed tiers give the same bits (f32 and binary activations)', async () => {
    const out: Record<string, number[]> = {};
    for (const tier of TIERS) {
      await simdnn.init({ tier });
      for (const [rows, cols] of SHAPES) {
        const w = randomF32(rows * cols, rows + 2 * cols, -1, 1), x = randomF32(cols, cols, -1, 1);
        for (const l of layouts(cols)) {
          const q = simdnn.quantize(w, { format: 'binary', cols, ...l });
          for (const activations of ['f32', 'binary'] as const) out[`${tier} ${rows}x${cols} ${JSON.stringify(l)} ${activations}`] = Array.from(simdnn.gemv(q, x, { activations }) as Float32Array);
          q.dispose();
        }
      }
    }
    for (const k of Object.keys(out).filter((k) => k.startsWith('js '))) for (const t of ['simd', 'relaxed']) expect(out[k.replace(/^js/, t)], k.replace(/^js/, t)).toEqual(out[k]);
  });
});
