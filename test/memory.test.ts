// Memory: growth never breaks results or views, limits give typed errors and leave the
// instance usable, tensors free their blocks, and a long soak keeps memory flat.
import { describe, it, expect, beforeEach } from 'vitest';
import { simdnn, TIERS, expectClose } from './util';
import { refSoftmax, randomF32 } from './reference';

const MiB = 1 << 20;

for (const tier of TIERS) {
  describe(`tier ${tier}`, () => {
    beforeEach(async () => { await simdnn.init({ tier, initialMemoryBytes: MiB, maxMemoryBytes: 64 * MiB }); });

    it('tensor(shape) is zeros even in a reused block', () => {
      const a = simdnn.tensor(new Float32Array(1000).fill(7));
      a.dispose();
      const b = simdnn.tensor([1000]);
      expect(b.data.every((x) => x === 0)).toBe(true);
      b.dispose();
    });

    it('memory growth between and during calls keeps tensors and results correct', () => {
      const small = randomF32(3 * 17, 1);
      const t = simdnn.tensor(small, [3, 17]);
      const view = t.data; // a view taken before growth
      const before = simdnn.capabilities().memoryBytes;
      // this call must grow memory while it copies its input in
      const big = randomF32(1 << 21, 2);
      expectClose(simdnn.softmax(big, { cols: 4096 }), refSoftmax(big, { cols: 4096 }), 2e-6, 1e-12, 'big');
      expect(simdnn.capabilities().memoryBytes).toBeGreaterThan(before);
      if (tier !== 'js') expect(view.length).toBe(0); // the old view is detached, as documented
      expect(t.data).toEqual(small); // a fresh view sees the same data
      expectClose(simdnn.softmax(t, { cols: 17 }), refSoftmax(small, { cols: 17 }), 2e-6, 1e-12, 'after growth');
      // and growth while allocating tensors between calls
      const many = Array.from({ length: 20 }, (_, i) => simdnn.tensor(randomF32(65536, i)));
      expectClose(simdnn.softmax(t, { cols: 17 }), refSoftmax(small, { cols: 17 }), 2e-6, 1e-12, 'after tensors');
      many.forEach((m, i) => expect(m.data[7]).toBe(randomF32(65536, i)[7]));
      many.forEach((m) => m.dispose());
      t.dispose();
    });

    it('exceeding maxMemoryBytes throws SimdnnMemoryError with the numbers, and the instance stays usable', () => {
      const out = new Float32Array(1 << 24).fill(3);
      let err: unknown;
      try { simdnn.softmax(new Float32Array(1 << 24), { out }); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(simdnn.SimdnnMemoryError);
      const m = err as InstanceType<typeof simdnn.SimdnnMemoryError>;
      expect(m.requestedBytes).toBe(4 << 24);
      expect(m.availableBytes).toBeLessThanOrEqual(64 * MiB);
      expect(m.message).toMatch(/requested 67108864 bytes, \d+ bytes available/);
      expect(out.every((v) => v === 3)).toBe(true); // nothing half-written
      expect(() => simdnn.tensor([64 * MiB / 4])).toThrow(simdnn.SimdnnMemoryError);
      const x = randomF32(100, 3);
      expectClose(simdnn.softmax(x, { cols: 10 }), refSoftmax(x, { cols: 10 }), 2e-6, 1e-12, 'after OOM');
    });

    it('dispose frees, double dispose is harmless, Symbol.dispose works, use after dispose is a typed error', () => {
      const base = simdnn.capabilities().allocatedBytes;
      const t = simdnn.tensor([1000]);
      expect(simdnn.capabilities().allocatedBytes).toBeGreaterThan(base);
      t.dispose(); t.dispose();
      expect(simdnn.capabilities().allocatedBytes).toBe(base);
      expect(t.disposed).toBe(true);
      expect(() => simdnn.softmax(t)).toThrow(simdnn.SimdnnDisposedError);
      const u = simdnn.tensor([10]);
      const dispose = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');
      (u as unknown as Record<symbol, () => void>)[dispose]();
      expect(u.disposed).toBe(true);
      expect(simdnn.capabilities().allocatedBytes).toBe(base);
    });

    it('freed blocks are reused: alternating sizes do not grow memory', () => {
      const warm = [simdnn.tensor([50000]), simdnn.tensor([70000])];
      warm.forEach((w) => w.dispose());
      const size = simdnn.capabilities().memoryBytes;
      for (let i = 0; i < 200; i++) {
        const a = simdnn.tensor([(i % 7 + 1) * 9000]), b = simdnn.tensor([(i % 5 + 1) * 11000]);
        a.dispose(); b.dispose();
      }
      expect(simdnn.capabilities().memoryBytes).toBe(size);
    });

    it('10,000 calls with varying shapes keep memory flat', () => {
      const sizeAt = (i: number) => ({ rows: 1 + (i * 7) % 5, cols: 1 + (i * 131) % 3000 });
      const max = [...Array(3000).keys()].reduce((m, i) => Math.max(m, sizeAt(i).rows * sizeAt(i).cols), 0);
      const x = randomF32(max * 2, 5);
      const run = (i: number) => {
        const { rows, cols } = sizeAt(i);
        const xi = x.subarray(0, rows * cols);
        if (i % 3 === 0) {
          const t = simdnn.tensor(xi);
          simdnn.logSoftmax(t, { cols, out: t });
          t.dispose();
        } else {
          simdnn.softmax(xi, { cols, mask: i % 2 ? undefined : new Uint8Array(cols).fill(1) });
        }
      };
      for (let i = 0; i < 3000; i++) run(i); // one full period of the shape cycle: the steady state
      const mem = simdnn.capabilities().memoryBytes, alloc = simdnn.capabilities().allocatedBytes;
      for (let i = 3000; i < 10000; i++) run(i);
      expect(simdnn.capabilities().memoryBytes).toBe(mem);
      expect(simdnn.capabilities().allocatedBytes).toBe(alloc);
    });
  });
}

describe('finalization safety net', () => {
  it('tensors dropped without dispose() are freed after garbage collection', async () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'run with --expose-gc (vitest.config.ts does)').toBeTypeOf('function');
    await simdnn.init({ tier: 'simd' });
    const base = simdnn.capabilities().allocatedBytes;
    (() => { for (let i = 0; i < 10; i++) simdnn.tensor([10000]); })();
    expect(simdnn.capabilities().allocatedBytes).toBeGreaterThan(base);
    for (let i = 0; i < 50 && simdnn.capabilities().allocatedBytes > base; i++) {
      gc!();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(simdnn.capabilities().allocatedBytes).toBe(base);
  });
});
