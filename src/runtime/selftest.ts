// A small numeric self-test per tier, run once at init(): catches engines that accept an
// instruction but compute it wrong (V8 11.3's fused relaxed i8 dot is a measured example).
import type { Kernels } from './kernels.js';
import type { Allocator } from './memory.js';

/** exp at a few points, as f32 bit patterns of the correctly rounded value. */
const EXP_CASES: [number, number][] = [[0, 1], [1, Math.E], [-1, 1 / Math.E], [-10, Math.exp(-10)], [-80, Math.exp(-80)], [5.5, Math.exp(5.5)]];

/** Returns undefined on success or a sentence saying what was wrong. */
export function selfTest(k: Kernels, a: Allocator): string | undefined {
  const n = 37; // odd on purpose: exercises vector body and scalar tail
  const p = a.alloc(n * 16);
  try {
    const [xa, xb, xs, ys] = [p, p + n * 4, p + n * 8, p + n * 12];
    // exp within 3 ULP at known points
    let f = a.f32();
    EXP_CASES.forEach(([x], i) => { f[xs / 4 + i] = x; });
    k.exp_f32(xs, ys, EXP_CASES.length);
    f = a.f32();
    for (let i = 0; i < EXP_CASES.length; i++) {
      const want = Math.fround(EXP_CASES[i][1]), got = f[ys / 4 + i];
      if (!(Math.abs(got - want) <= 3 * ulp(want))) return `exp(${EXP_CASES[i][0]}) gave ${got}, expected ${want}`;
    }
    // exact integer dot over the full i8 range, including -128 * -128
    const i8 = new Int8Array(a.heap.buffer);
    let want = 0;
    for (let i = 0; i < n; i++) {
      const u = ((i * 37) % 256) - 128, v = ((i * 91 + 7) % 256) - 128;
      i8[xa + i] = u; i8[xb + i] = v; want += u * v;
    }
    i8[xa] = -128; i8[xb] = -128; want += 128 * 128 - (-128 * -121);
    const got = k.dot_i8(xa, xb, n);
    if (got !== want) return `i8 dot gave ${got}, expected ${want}`;
    // softmax of a known row sums to 1 and keeps the ratio e^1 between neighbours
    f = a.f32();
    for (let i = 0; i < n; i++) f[xs / 4 + i] = i % 7;
    k.softmax_f32(xs, ys, 1, n, 1);
    f = a.f32();
    let sum = 0;
    for (let i = 0; i < n; i++) sum += f[ys / 4 + i];
    const ratio = f[ys / 4 + 1] / f[ys / 4];
    if (Math.abs(sum - 1) > 1e-5 || Math.abs(ratio - Math.E) > 1e-5) return `softmax self-test gave sum ${sum}, ratio ${ratio}`;
    // log-sum-exp of the same row: log(sum_i e^(i mod 7)), known in closed form
    k.logsumexp_f32(xs, ys, 1, n, 1);
    let lse = 0;
    for (let i = 0; i < n; i++) lse += Math.exp(i % 7);
    lse = Math.log(lse);
    const gotLse = a.f32()[ys / 4];
    if (!(Math.abs(gotLse - lse) <= 1e-5 * lse)) return `logSumExp self-test gave ${gotLse}, expected ${lse}`;
    return undefined;
  } finally {
    a.release(p);
  }
}

/** Distance between x and the next f32 away from zero. */
export function ulp(x: number): number {
  const f = new Float32Array([Math.abs(x)]);
  const u = new Uint32Array(f.buffer);
  const lo = f[0];
  u[0] += 1;
  return f[0] - lo;
}
