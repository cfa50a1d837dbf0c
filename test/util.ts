import { expect } from 'vitest';
import * as simdnn from '../dist/node.js';
import { worst } from './reference';

export { simdnn };
/** Every tier; the vitest forks run with --experimental-wasm-relaxed-simd so all three run here. */
export const TIERS = ['relaxed', 'simd', 'js'] as const;

/** Assert got matches want within rel/abs (see reference.worst), with a useful message. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, rel: number, abs: number, label = ''): void {
  const { ratio, at } = worst(got, want, rel, abs);
  if (!(ratio <= 1)) {
    expect.fail(`${label} index ${at}: got ${got[at]}, want ${want[at]} (violation x${ratio.toPrecision(3)} of rel ${rel} + abs ${abs})`);
  }
}

/** The current tier's raw kernels (test-only access, through a tensor's runtime). */
export function kernels(): Record<string, (...args: number[]) => number | void> {
  const t = simdnn.tensor([1]);
  const k = (t as unknown as { rt: { kernels: Record<string, (...args: number[]) => number | void> } }).rt.kernels;
  t.dispose();
  return k;
}
