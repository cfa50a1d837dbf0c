// Argument checks shared by the ops. Every failure is a SimdnnArgumentError naming the
// argument, what was given and what was expected; nothing is written before all checks pass.
import { SimdnnArgumentError, describe } from '../runtime/errors.js';
import { Tensor } from '../runtime/tensor.js';
import type { Runtime } from '../runtime/runtime.js';

export type F32Input = Float32Array | Tensor;

/** A Float32Array or a live Tensor of this runtime; returns its length. */
export function f32Input(rt: Runtime, name: string, x: unknown): number {
  if (x instanceof Float32Array) return x.length;
  if (x instanceof Tensor) {
    x.check(name);
    if (x.rt !== rt) throw new SimdnnArgumentError(name, 'a Tensor of another runtime', 'a Tensor made after the latest init()');
    return x.length;
  }
  throw new SimdnnArgumentError(name, describe(x), 'a Float32Array or a Tensor');
}

export const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** A positive integer argument, or `dflt` when undefined (if a default is given). */
export function positiveInt(name: string, v: unknown, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (!isPositiveInt(v)) throw new SimdnnArgumentError(name, describe(v), 'a positive integer');
  return v;
}

/** Row width: defaults to the whole input (one row); must divide the length. */
export function colsOf(cols: unknown, length: number): number {
  if (cols === undefined) {
    if (length === 0) throw new SimdnnArgumentError('x', 'an empty array', 'at least one element');
    return length;
  }
  if (typeof cols !== 'number' || !Number.isInteger(cols) || cols <= 0) {
    throw new SimdnnArgumentError('cols', describe(cols), 'a positive integer');
  }
  if (length % cols !== 0) throw new SimdnnArgumentError('cols', `${cols} for an input of length ${length}`, `a divisor of the input length`);
  return cols;
}

/** Temperature T > 0, finite; returns beta = 1 / T. */
export function betaOf(temperature: unknown): number {
  if (temperature === undefined) return 1;
  if (typeof temperature !== 'number' || !(temperature > 0) || !Number.isFinite(temperature)) {
    throw new SimdnnArgumentError('temperature', describe(temperature), 'a finite number > 0');
  }
  return 1 / temperature;
}

/** A mask of one row (cols) or one per row (rows * cols): Float32Array additive or Uint8Array boolean. */
export function maskOf(mask: unknown, rows: number, cols: number): { mask: Float32Array | Uint8Array; maskRows: number } | undefined {
  if (mask === undefined || mask === null) return undefined;
  if (!(mask instanceof Float32Array) && !(mask instanceof Uint8Array)) {
    throw new SimdnnArgumentError('mask', describe(mask), 'a Float32Array (additive) or Uint8Array (1 = keep, 0 = mask out)');
  }
  if (mask.length !== cols && mask.length !== rows * cols) {
    throw new SimdnnArgumentError('mask', `length ${mask.length}`, `length ${cols} (one row, broadcast) or ${rows * cols} (rows x cols)`);
  }
  return { mask, maskRows: mask.length / cols };
}

/** `out` if given must be a Float32Array or Tensor of exactly `length` elements. */
export function outOf(rt: Runtime, out: unknown, length: number): F32Input | undefined {
  if (out === undefined) return undefined;
  const n = f32Input(rt, 'out', out);
  if (n !== length) throw new SimdnnArgumentError('out', `length ${n}`, `length ${length}`);
  return out as F32Input;
}

/** Options must be an object (or absent). */
export function optionsOf<T extends object>(opts: unknown): Partial<T> {
  if (opts === undefined) return {};
  if (typeof opts !== 'object' || opts === null) throw new SimdnnArgumentError('options', describe(opts), 'an options object');
  return opts as Partial<T>;
}
