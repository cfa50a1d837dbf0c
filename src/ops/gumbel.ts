// gumbelSoftmax and addGumbelNoise: seeded, reproducible Gumbel noise in every tier.
import { Tensor } from '../runtime/tensor.js';
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { optionsOf, type F32Input } from './args.js';
import { rowOp } from './softmax.js';

export interface GumbelOptions {
  /** Row length; rows = x.length / cols. Default: one row. */
  cols?: number;
  /**
   * An integer from 0 to 2^53 - 1. The noise of flat element i is a pure function of (seed, i):
   * the same seed gives the same bits in every tier and runtime. Default: a random seed.
   */
  seed?: number;
  /** Float32Array added to the logits before the noise (-Infinity masks out), or Uint8Array (0 masks out). */
  mask?: Float32Array | Uint8Array;
  /** Where to write the result (may be x itself). */
  out?: Float32Array | Tensor;
}

export interface GumbelSoftmaxOptions extends GumbelOptions {
  /** The temperature tau > 0 (the noise is divided by it too). Default 1. */
  tau?: number;
  /** Return the one-hot of argmax(x + g) instead (the straight-through forward value). Default false. */
  hard?: boolean;
}

const TWO32 = 2 ** 32;

/** The seed as two signed 32-bit halves. */
function seedOf(seed: unknown): [number, number] {
  if (seed === undefined) {
    const r = new Uint32Array(2);
    if (globalThis.crypto?.getRandomValues) globalThis.crypto.getRandomValues(r);
    else { r[0] = Math.random() * TWO32; r[1] = Math.random() * TWO32; }
    return [r[0] | 0, r[1] | 0];
  }
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0) {
    throw new SimdnnArgumentError('seed', describe(seed), 'an integer from 0 to 2^53 - 1');
  }
  return [(seed % TWO32) | 0, Math.floor(seed / TWO32) | 0];
}

function gumbelOp(x: F32Input, opts: Partial<GumbelSoftmaxOptions>, mode: 0 | 1 | 2): Float32Array | Tensor {
  const tau = opts.tau ?? 1;
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) throw new SimdnnArgumentError('tau', describe(tau), 'a finite number > 0');
  const { tau: _t, hard: _h, seed: _s, ...rest } = opts;
  const [lo, hi] = seedOf(opts.seed);
  // temperature stays 1 in rowOp: the mask is added to the raw logits, and the kernel divides
  // logits and noise together by tau
  return rowOp((k, px, py, rows, cols) => k.gumbel_f32(px, py, rows, cols, 1 / tau, lo, hi, mode), x, rest, false);
}

/**
 * Gumbel-softmax (Jang, Gu & Poole, 2017; Maddison et al., 2017): softmax((x + mask + g) / tau)
 * per row, with g_i = -log(-log u_i) i.i.d. Gumbel(0, 1) noise from a counter-based generator:
 * element i of the input (flat index, rows included) gets the noise of (seed, i), identical bits
 * in every tier. With `hard`, the one-hot of argmax(x + mask + g) (ties: lowest index): a sample
 * from softmax(x) (the Gumbel-max trick). Edges: -Infinity entries get 0 (an all -Infinity row
 * gives zeros), NaN gives a NaN row, +Infinity entries share the mass (hard: the first one wins).
 */
export function gumbelSoftmax(x: Float32Array, options?: GumbelSoftmaxOptions & { out?: Float32Array }): Float32Array;
export function gumbelSoftmax(x: F32Input, options: GumbelSoftmaxOptions & { out: Tensor }): Tensor;
export function gumbelSoftmax(x: F32Input, options?: GumbelSoftmaxOptions): Float32Array;
export function gumbelSoftmax(x: F32Input, options?: GumbelSoftmaxOptions): Float32Array | Tensor {
  const opts = optionsOf<GumbelSoftmaxOptions>(options);
  if (opts.hard !== undefined && typeof opts.hard !== 'boolean') throw new SimdnnArgumentError('hard', describe(opts.hard), 'a boolean');
  return gumbelOp(x, opts, opts.hard ? 1 : 0);
}

/**
 * x + mask + g: the Gumbel-perturbed logits behind gumbelSoftmax (same seed, same noise), for
 * sampling without replacement (top-k of the perturbed logits) or custom estimators.
 * -Infinity stays -Infinity, NaN stays NaN.
 */
export function addGumbelNoise(x: Float32Array, options?: GumbelOptions & { out?: Float32Array }): Float32Array;
export function addGumbelNoise(x: F32Input, options: GumbelOptions & { out: Tensor }): Tensor;
export function addGumbelNoise(x: F32Input, options?: GumbelOptions): Float32Array;
export function addGumbelNoise(x: F32Input, options?: GumbelOptions): Float32Array | Tensor {
  return gumbelOp(x, optionsOf<GumbelOptions>(options), 2);
}
