// Tensor: a float32 array resident in the heap of the runtime that made it. Ops read and write
// it in place (zero copy): the way to keep weights, caches and repeated inputs in wasm memory.
import { runtime, type Runtime } from './runtime.js';
import { SimdnnArgumentError, SimdnnDisposedError, describe } from './errors.js';

const disposeSymbol: symbol = (Symbol as { dispose?: symbol }).dispose ?? Symbol.for('Symbol.dispose');

// Safety net for tensors dropped without dispose(): their block goes back when collected.
const registry = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry<{ rt: Runtime; ptr: number }>(({ rt, ptr }) => { if (!rt.disposed) rt.alloc.release(ptr); })
  : undefined;

export class Tensor {
  /** Byte offset of the data in the runtime's heap. */
  readonly ptr: number;
  /** Number of float32 elements. */
  readonly length: number;
  /** Logical shape; its product is `length`. */
  readonly shape: readonly number[];
  /** @internal */ readonly rt: Runtime;
  private alive = true;

  /** @internal use tensor() */
  constructor(rt: Runtime, shape: readonly number[]) {
    this.rt = rt;
    this.shape = Object.freeze([...shape]);
    this.length = shape.reduce((a, b) => a * b, 1);
    this.ptr = rt.alloc.alloc(this.length * 4);
    registry?.register(this, { rt, ptr: this.ptr }, this);
  }

  /** A fresh Float32Array view of the data. Do not keep it across simdnn calls: memory growth detaches it. */
  get data(): Float32Array {
    this.check('data');
    return new Float32Array(this.rt.alloc.heap.buffer, this.ptr, this.length);
  }

  /** A copy of the data that stays valid forever. */
  toArray(): Float32Array {
    return this.data.slice();
  }

  /** True after dispose() (or after a re-init made this tensor's memory go away). */
  get disposed(): boolean { return !this.alive || this.rt.disposed; }

  /** Free the memory now. Safe to call twice. */
  dispose(): void {
    if (!this.alive) return;
    this.alive = false;
    registry?.unregister(this);
    if (!this.rt.disposed) this.rt.alloc.release(this.ptr);
  }

  /** `using t = tensor(...)` frees it at the end of the scope. */
  [disposeSymbol](): void { this.dispose(); }

  /** @internal Throws unless the tensor can be used with the current runtime. */
  check(argument: string): void {
    if (!this.alive) throw new SimdnnDisposedError(`${argument}: the tensor was disposed`);
    if (this.rt.disposed) throw new SimdnnDisposedError(`${argument}: the tensor belongs to an earlier init(); create it again`);
  }
}

/**
 * A tensor in simdnn's memory.
 * - `tensor(data)`: a copy of a Float32Array (or number array), shape [data.length] unless given.
 * - `tensor(shape)`: zeros of that shape, e.g. tensor([256, 1024]).
 */
export function tensor(data: Float32Array | readonly number[] | number, shape?: readonly number[]): Tensor {
  const rt = runtime();
  if (typeof data === 'number') data = [data];
  const isShape = !(data instanceof Float32Array) && shape === undefined && Array.isArray(data);
  const src = isShape ? undefined : data instanceof Float32Array ? data : Array.isArray(data) ? Float32Array.from(data as number[]) : undefined;
  if (!isShape && !src) throw new SimdnnArgumentError('data', describe(data), 'a Float32Array, a number array or a shape');
  const dims = isShape ? (data as readonly number[]) : shape ?? [src!.length];
  if (!Array.isArray(dims) || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new SimdnnArgumentError('shape', JSON.stringify(dims), 'an array of non-negative integers');
  }
  const n = dims.reduce((a: number, b: number) => a * b, 1);
  if (src && n !== src.length) throw new SimdnnArgumentError('shape', `[${dims.join(', ')}] (${n} elements)`, `a shape with ${src.length} elements, the data length`);
  const t = new Tensor(rt, dims);
  if (src) t.data.set(src);
  else t.data.fill(0); // a reused block holds old data
  return t;
}
