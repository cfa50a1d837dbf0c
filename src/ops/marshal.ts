// Moving arguments through the runtime's scratch block. Views are made after the block is
// reserved, since reserving can grow (and so detach) memory.
import type { Runtime } from '../runtime/runtime.js';
import { Tensor } from '../runtime/tensor.js';

const align = (bytes: number) => Math.ceil(bytes / 64) * 64;

/** Reserve the scratch block for regions of the given byte sizes; returns each region's offset. */
export function scratchRegions(rt: Runtime, sizes: number[]): number[] {
  const base = rt.scratch(Math.max(64, sizes.reduce((a, b) => a + align(b), 0)));
  const at: number[] = [];
  sizes.reduce((p, s, i) => { at[i] = p; return p + align(s); }, base);
  return at;
}

/** Pointer to x's data: the tensor itself, or `region` after copying the array into it. */
export function inputAt(rt: Runtime, x: Float32Array | Tensor, region: number): number {
  if (x instanceof Tensor) return x.ptr;
  rt.alloc.f32().set(x, region >> 2);
  return region;
}

/** A copy of n elements of type T at ptr, into `out` if given. */
export function copyOut<T extends Float32Array | Int32Array>(rt: Runtime, ptr: number, n: number, out: T | undefined, make: new (n: number) => T): T {
  const res = out ?? new make(n);
  res.set(new (res.constructor as new (b: ArrayBuffer, o: number, n: number) => T)(rt.alloc.heap.buffer, ptr, n));
  return res;
}

/** Whether Tensor `a` (na f32) and `b` (nb f32, when it is a Tensor) share bytes: a kernel must not write one while reading the other. */
export function overlaps(a: Tensor, na: number, b: unknown, nb: number): boolean {
  return b instanceof Tensor && a.ptr < b.ptr + 4 * nb && b.ptr < a.ptr + 4 * na;
}
