// ONNX float formats fp8_e4m3 (e4m3fn), fp8_e5m2 and fp4_e2m1 in every tier: codes bit-exact
// against an independent statement of ONNX Cast / QuantizeLinear written here (nearest value of
// the format's table, ties to the even code, the saturate tables), scales, dequantize, round-trip
// bounds, QTensor.from, and gemv (f32 activations; fp4 also int8) against float64, including
// NaN / Inf codes and sizes off the SIMD widths.
import { describe, it, beforeAll, expect } from 'vitest';
import fc from 'fast-check';
import { simdnn, TIERS, expectClose } from './util';
import { randomF32 } from './reference';

type F = 'fp8_e4m3' | 'fp8_e5m2' | 'fp4_e2m1';
const FORMATS: F[] = ['fp8_e4m3', 'fp8_e5m2', 'fp4_e2m1'];
// exponent bits, mantissa bits
const BITS: Record<F, [number, number]> = { fp8_e4m3: [4, 3], fp8_e5m2: [5, 2], fp4_e2m1: [2, 1] };

/** Value of a code from its fields (e4m3fn: only S.1111.111 is NaN; e5m2: IEEE-like). */
function value(f: F, code: number): number {
  const [eb, mb] = BITS[f], bias = 2 ** (eb - 1) - 1, n = 1 + eb + mb;
  const s = (code >> (n - 1)) & 1 ? -1 : 1, e = (code >> mb) & (2 ** eb - 1), m = code & (2 ** mb - 1);
  if (f === 'fp8_e4m3' && e === 15 && m === 7) return NaN;
  if (f === 'fp8_e5m2' && e === 31) return m ? NaN : s * Infinity;
  return e === 0 ? s * m * 2 ** (1 - bias - mb) : s * (1 + m * 2 ** -mb) * 2 ** (e - bias);
}
const NCODES = (f: F) => (f === 'fp4_e2m1' ? 16 : 256);
/** The non-negative finite codes in increasing order of value. */
const positives = (f: F) => Array.from({ length: NCODES(f) / 2 }, (_, c) => c).filter((c) => Number.isFinite(value(f, c)));

/** ONNX's cast of an f32 value: nearest finite code (ties: even code), then the overflow rules. */
function cast(f: F, v: number, saturate: boolean): number {
  const sign = f === 'fp4_e2m1' ? (v < 0 ? 8 : 0) : v < 0 || Object.is(v, -0) ? 0x80 : 0;
  const top = positives(f), maxCode = top[top.length - 1], max = value(f, maxCode);
  if (Number.isNaN(v)) return f === 'fp4_e2m1' ? 0x7 : sign | 0x7f;
  const a = Math.abs(v);
  // the value past max on the top binade's grid, and whether rounding goes there
  const next = max + (max - value(f, maxCode - 1)), half = (max + next) / 2;
  const over = a === Infinity || a > half || (a === half && (maxCode & 1) === 1);
  if (over) return f === 'fp4_e2m1' || saturate ? sign | maxCode : sign | (f === 'fp8_e4m3' ? 0x7f : 0x7c);
  let best = 0;
  for (const c of top) {
    const d = Math.abs(value(f, c) - a), db = Math.abs(value(f, best) - a);
    if (d < db || (d === db && (c & 1) === 0 && (best & 1) === 1)) best = c;
  }
  return sign | best;
}

/** Bytes: one code each (fp8) or two per byte, element 2i low (fp4). */
function pack(f: F, codes: number[]): Uint8Array {
  if (f !== 'fp4_e2m1') return Uint8Array.from(codes);
  const b = new Uint8Array(codes.length / 2);
  codes.forEach((c, i) => { b[i >> 1] |= c << (4 * (i & 1)); });
  return b;
}

/** Values at and around every code: each value, the midpoints (ties), nudged midpoints, beyond max, specials. */
function probes(f: F): number[] {
  const vals = positives(f).map((c) => value(f, c)), out = [0, -0, NaN, Infinity, -Infinity, 1e30, -1e30, 3e38];
  for (let i = 0; i < vals.length; i++) {
    out.push(vals[i], -vals[i]);
    const nxt = i + 1 < vals.length ? vals[i + 1] : 2 * vals[i] - vals[i - 1];
    const mid = (vals[i] + nxt) / 2;
    for (const m of [mid, Math.fround(mid * (1 + 2 ** -20)), Math.fround(mid * (1 - 2 ** -20))]) out.push(m, -m);
  }
  return out.map(Math.fround);
}

const scaleKey = (g: { groupSize?: number; axis?: 0 | 1 | null }, cols: number) => (r: number, c: number) =>
  g.groupSize ? r * (cols / g.groupSize) + Math.floor(c / g.groupSize) : g.axis === null ? 0 : r;

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeAll(async () => { await simdnn.init({ tier }); });

    for (const f of FORMATS) {
      const fp4 = f === 'fp4_e2m1', max = value(f, positives(f).at(-1)!);

      it(`${f}: every code, tie, near-tie, out-of-range and special value casts as ONNX (saturate on and off)`, () => {
        const p = probes(f);
        if (p.length % 2) p.push(0);
        for (const saturate of fp4 ? [true] : [true, false]) {
          const q = simdnn.quantize(Float32Array.from(p), { format: f, cols: p.length, axis: null, scales: new Float32Array([1]), saturate });
          const want = pack(f, p.map((v) => cast(f, v, saturate)));
          const got = q.bytes;
          for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect.fail(`saturate ${saturate} byte ${i} (values ${p[fp4 ? 2 * i : i]}): got ${got[i]}, want ${want[i]}`);
          // dequantize: each code's value (NaN stays NaN, -0 stays -0)
          const d = simdnn.dequantize(q), codes = p.map((v) => cast(f, v, saturate));
          codes.forEach((c, i) => expect(Object.is(d[i], Math.fround(value(f, c))), `value of code ${c}`).toBe(true));
          q.dispose();
        }
      });

      it(`${f}: scales amax / max per tensor, row and group; bytes, dequantize, round trip, QTensor.from`, () => {
        for (const [rows, cols] of [[1, 2], [3, 16], [4, 34], [2, 64], [5, 66], [2, 4098]] as const) {
          const x = randomF32(rows * cols, rows + cols, -3, 3);
          x[0] = 0; x[1] = -1e-9; x[cols - 1] = 2.5e-7; // zero, tiny (subnormal codes)
          if (rows > 1) x.fill(1e-44, 2 * cols - 2, 2 * cols); // (row 1's second half: a group whose amax / max underflows f32)
          if (rows > 2) x.fill(0, cols, 2 * cols); // a row of zeros: scale 0, codes +0
          for (const g of [{}, { axis: null }, { groupSize: 2 }, { groupSize: cols / 2 }] as { groupSize?: number; axis?: 0 | 1 | null }[]) {
            if (g.groupSize && (cols / 2) % 2 && fp4) continue;
            const key = scaleKey(g, cols), nk = g.groupSize ? rows * (cols / g.groupSize) : g.axis === null ? 1 : rows;
            const amax = new Array(nk).fill(0);
            for (let i = 0; i < x.length; i++) { const k = key(Math.floor(i / cols), i % cols); amax[k] = Math.max(amax[k], Math.abs(x[i])); }
            const s = Float32Array.from(amax, (a) => (a ? Math.max(Math.fround(a / max), 2 ** -149) : 0));
            const codes = Array.from(x, (v, i) => { const sk = s[key(Math.floor(i / cols), i % cols)]; return sk ? cast(f, Math.fround(v / sk), true) : 0; });
            const q = simdnn.quantize(x, { format: f, cols, ...g });
            expect(Array.from(q.scales!), `scales ${JSON.stringify(g)}`).toEqual(Array.from(s));
            expect(Array.from(q.bytes), `bytes ${rows}x${cols} ${JSON.stringify(g)}`).toEqual(Array.from(pack(f, codes)));
            expect(q.zeroPoints).toBeUndefined();
            const d = simdnn.dequantize(q);
            const [, mb] = BITS[f], bias = 2 ** (BITS[f][0] - 1) - 1;
            for (let i = 0; i < x.length; i++) {
              const sk = s[key(Math.floor(i / cols), i % cols)];
              expect(d[i]).toBe(Math.fround(value(f, codes[i]) * sk));
              // half a step of the binade, or of the subnormal grid (plus the f32 rounding of x / s and of the product)
              const bound = Math.max(Math.abs(x[i]) * 2 ** -(mb + 1), sk * 2 ** (1 - bias - mb - 1)) * (1 + 2 ** -20) + Math.abs(x[i]) * 2 ** -23;
              if (!(Math.abs(d[i] - x[i]) <= bound)) expect.fail(`round trip ${i}: ${x[i]} -> ${d[i]} (bound ${bound})`);
            }
            const back = simdnn.QTensor.from(f, q.bytes as Uint8Array, rows, cols, { scales: q.scales!, ...g });
            expect(Array.from(simdnn.dequantize(back))).toEqual(Array.from(d));
            back.dispose(); q.dispose();
          }
        }
      });

      it(`${f}: gemv with f32 activations${fp4 ? ' and int8 activations' : ''} against float64 over the decoded weights`, () => {
        for (const [rows, cols] of [[1, 2], [3, 18], [5, 32], [4, 66], [7, 256], [3, 4098]] as const) {
          const w = randomF32(rows * cols, 7 * cols + rows, -2, 2), x = randomF32(cols, cols + 1, -1, 1);
          for (const g of [{}, { groupSize: 2 }, { groupSize: cols / 2 }] as { groupSize?: number }[]) {
            if (g.groupSize && (cols / 2) % 2 && fp4) continue;
            const q = simdnn.quantize(w, { format: f, cols, ...g }), d = simdnn.dequantize(q);
            const want = new Float64Array(rows), mag = new Float64Array(rows);
            for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) { want[r] += d[r * cols + c] * x[c]; mag[r] += Math.abs(d[r * cols + c] * x[c]); }
            const y = simdnn.gemv(q, x) as Float32Array;
            for (let r = 0; r < rows; r++) expect(Math.abs(y[r] - want[r]), `f32 ${rows}x${cols} ${JSON.stringify(g)} row ${r}`).toBeLessThanOrEqual(2e-6 * mag[r] + 1e-30);
            if (fp4) {
              // int8 activations: x -> rne(x / sx), sx = max|x| / 127; exact integer sums per group
              let m = 0;
              for (const v of x) m = Math.max(m, Math.abs(v));
              const sx = Math.fround(m / 127), xq = Array.from(x, (v) => Math.max(-127, Math.min(127, Math.round(v / sx))));
              const y8 = simdnn.gemv(q, x, { activations: 'int8' }) as Float32Array;
              for (let r = 0; r < rows; r++) {
                let a = 0, b = 0;
                for (let c = 0; c < cols; c++) { a += d[r * cols + c] * xq[c] * sx; b += Math.abs(d[r * cols + c] * xq[c] * sx); }
                expect(Math.abs(y8[r] - a), `int8 ${rows}x${cols} row ${r}`).toBeLessThanOrEqual(1e-6 * b + 1e-30);
              }
            } else expect(() => simdnn.gemv(q, x, { activations: 'int8' })).toThrow(/activations.*'f32'/);
            q.dispose();
          }
        }
      });

      it(`${f}: NaN and Inf codes reach only their own rows; extremes of the range stay exact`, () => {
        const rows = 4, cols = 40, x = new Float32Array(cols).fill(1);
        const w = new Float32Array(rows * cols).fill(max);
        for (let c = 0; c < cols; c += 2) w[cols + c] = -max; // row 1 sums to 0 exactly
        w[2 * cols + 17] = NaN; // row 2: NaN (fp4: +6)
        w[3 * cols + 33] = fp4 ? -Infinity : Infinity;
        const q = simdnn.quantize(w, { format: f, cols, axis: null, scales: new Float32Array([1]), saturate: f !== 'fp8_e5m2' });
        const y = simdnn.gemv(q, x) as Float32Array;
        expect(y[0]).toBe(max * cols);
        expect(y[1]).toBe(0);
        if (fp4) { expect(y[2]).toBe(6 * cols); expect(y[3]).toBe(6 * (cols - 2)); }
        else { expect(y[2]).toBeNaN(); expect(y[3]).toBe(f === 'fp8_e5m2' ? Infinity : max * cols); }
        q.dispose();
      });

      it(`${f}: bad arguments are refused with typed errors and nothing is allocated`, () => {
        const x = Float32Array.of(1, 2, 3, 4);
        expect(() => simdnn.quantize(Float32Array.of(1, NaN), { format: f, cols: 2 })).toThrow(/x.*give `scales`/);
        expect(() => simdnn.quantize(x, { format: f, cols: 2, symmetric: false })).toThrow(/symmetric/);
        expect(() => simdnn.quantize(x, { format: f, cols: 2, scales: Float32Array.of(1) })).toThrow(/scales.*2 finite scales > 0/);
        expect(() => simdnn.quantize(x, { format: f, cols: 2, scales: Float32Array.of(1, 0) })).toThrow(/scales/);
        expect(() => simdnn.quantize(x, { format: f, cols: 2, saturate: 1 as unknown as boolean })).toThrow(/saturate/);
        expect(() => simdnn.QTensor.from(f, new Uint8Array(fp4 ? 2 : 4), 2, 2, { scales: Float32Array.of(1, 1), zeroPoints: [0, 0] })).toThrow(/zeroPoints/);
        expect(() => simdnn.QTensor.from(f, new Uint8Array(3), 2, 2, Float32Array.of(1, 1))).toThrow(/bytes/);
        if (fp4) expect(() => simdnn.quantize(Float32Array.of(1, 2, 3), { format: f, cols: 3 })).toThrow(/cols.*even/);
      });
    }

    it('saturate and scales are options of the float formats only', () => {
      expect(() => simdnn.quantize(Float32Array.of(1, 2), { format: 'int8', cols: 2, saturate: true })).toThrow(/saturate/);
      expect(() => simdnn.quantize(new Float32Array(32), { format: 'q8_0', cols: 32, scales: Float32Array.of(1) } as never)).toThrow(/scales/);
    });

    it('property: fp8_e4m3 dequantize(quantize(x)) is within half a step of x', () => {
      fc.assert(fc.property(fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 40 }), (xs) => {
        const x = Float32Array.from(xs), q = simdnn.quantize(x, { format: 'fp8_e4m3', cols: x.length }), s = q.scales![0], d = simdnn.dequantize(q);
        q.dispose();
        return Array.from(x).every((v, i) => Math.abs(d[i] - v) <= Math.max(Math.abs(v) / 16, s * 2 ** -10) * (1 + 2 ** -20) + Math.abs(v) * 2 ** -23 + 2 ** -149); // (+ the f32 rounding of value * scale among subnormals)
      }), { numRuns: 60 });
    });
  });
}

describe('gemv equal across tiers', () => {
  it('fp8 and fp4 gemv agree with the js tier within rounding', async () => {
    const rows = 9, cols = 130, w = randomF32(rows * cols, 3, -1, 1), x = randomF32(cols, 4, -1, 1), out: Record<string, Float32Array> = {};
    for (const tier of TIERS) {
      await simdnn.init({ tier });
      for (const f of FORMATS) { const q = simdnn.quantize(w, { format: f, cols, groupSize: 26 }); out[tier + f] = simdnn.gemv(q, x) as Float32Array; q.dispose(); }
    }
    for (const f of FORMATS) for (const t of ['relaxed', 'simd']) expectClose(out[t + f], out['js' + f], 1e-6, 1e-6, `${t} ${f}`);
  });
});
