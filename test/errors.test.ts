// Bad input: typed errors that name the argument, what was given and what was expected;
// nothing is written and the instance stays usable.
import { describe, it, expect } from 'vitest';
import { simdnn } from './util';

describe('before init', () => {
  it('calling a kernel before init() throws SimdnnNotInitializedError', () => {
    // this file's module instance has not been initialized yet
    expect(() => simdnn.softmax(new Float32Array(3))).toThrow(simdnn.SimdnnNotInitializedError);
    expect(() => simdnn.tensor([3])).toThrow(/call `await init\(\)` first/);
    expect(simdnn.capabilities().reason).toBe('not initialized');
  });
});

describe('arguments', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['x not an array', () => simdnn.softmax([1, 2, 3] as never), /^x: got Array\(3\), expected a Float32Array or a Tensor$/],
    ['x Float64Array', () => simdnn.softmax(new Float64Array(3) as never), /^x: got Float64Array\(3\)/],
    ['empty x', () => simdnn.softmax(new Float32Array(0)), /^x: got an empty array/],
    ['cols not dividing', () => simdnn.softmax(new Float32Array(10), { cols: 3 }), /^cols: got 3 for an input of length 10, expected a divisor/],
    ['cols zero', () => simdnn.logSoftmax(new Float32Array(10), { cols: 0 }), /^cols: got 0, expected a positive integer$/],
    ['cols fractional', () => simdnn.softmax(new Float32Array(10), { cols: 2.5 }), /^cols: got 2.5/],
    ['temperature 0', () => simdnn.softmax(new Float32Array(4), { temperature: 0 }), /^temperature: got 0, expected a finite number > 0$/],
    ['temperature NaN', () => simdnn.softmax(new Float32Array(4), { temperature: NaN }), /^temperature: got NaN/],
    ['temperature Infinity', () => simdnn.logSumExp(new Float32Array(4), { temperature: Infinity }), /^temperature: got Infinity/],
    ['mask wrong length', () => simdnn.softmax(new Float32Array(6), { cols: 3, mask: new Uint8Array(4) }), /^mask: got length 4, expected length 3 \(one row, broadcast\) or 6/],
    ['mask wrong type', () => simdnn.softmax(new Float32Array(6), { mask: new Int32Array(6) as never }), /^mask: got Int32Array\(6\)/],
    ['out wrong length', () => simdnn.softmax(new Float32Array(6), { out: new Float32Array(5) }), /^out: got length 5, expected length 6$/],
    ['out wrong length for logSumExp', () => simdnn.logSumExp(new Float32Array(6), { cols: 3, out: new Float32Array(6) }), /^out: got length 6, expected length 2$/],
    ['out wrong type', () => simdnn.softmax(new Float32Array(6), { out: [] as never }), /^out: got Array\(0\)/],
    ['unknown algorithm', () => simdnn.softmax(new Float32Array(4), { algorithm: 'fast' as never }), /^algorithm: got "fast", expected one of 'auto', 'three-pass', 'two-pass', 'online'$/],
    ['options not an object', () => simdnn.softmax(new Float32Array(6), 3 as never), /^options: got 3/],
    ['tensor bad shape', () => simdnn.tensor([2, -1]), /^shape: got \[2,-1\], expected an array of non-negative integers$/],
    ['tensor shape mismatch', () => simdnn.tensor(new Float32Array(6), [4]), /^shape: got \[4\] \(4 elements\), expected a shape with 6 elements/],
    ['tensor bad data', () => simdnn.tensor('abc' as never), /^data: got "abc"/],
    ['maxMemoryBytes', () => simdnn.initSync({ maxMemoryBytes: 10 }), /^maxMemoryBytes: got 10, expected a number of bytes from 65536/],
    ['initialMemoryBytes over max', () => simdnn.initSync({ maxMemoryBytes: 1 << 20, initialMemoryBytes: 2 << 20 }), /^initialMemoryBytes: got 2097152/],
  ];

  for (const tier of ['simd', 'js'] as const) {
    it(`every bad argument gives a SimdnnArgumentError naming it (tier ${tier}); the instance stays usable`, async () => {
      await simdnn.init({ tier });
      for (const [name, call, message] of cases) {
        const out = new Float32Array(6).fill(9);
        let err: unknown;
        try { call(); } catch (e) { err = e; }
        expect(err, name).toBeInstanceOf(simdnn.SimdnnArgumentError);
        expect(err, name).toBeInstanceOf(simdnn.SimdnnError);
        expect((err as Error).message, name).toMatch(message);
        expect((err as { code: string }).code).toBe('ERR_SIMDNN_ARGUMENT');
        expect(out.every((v) => v === 9)).toBe(true);
      }
      expect(simdnn.capabilities().tier).toBe(tier);
      expect(simdnn.softmax(new Float32Array([1, 1]))).toEqual(new Float32Array([0.5, 0.5]));
    });
  }

  it('a tensor from another runtime or a disposed one is rejected', async () => {
    await simdnn.init({ tier: 'simd' });
    const t = simdnn.tensor([4]);
    t.dispose();
    expect(() => simdnn.softmax(new Float32Array(4), { out: t })).toThrow(/out: the tensor was disposed/);
  });
});
