// The allocator over linear memory, owned by TypeScript: 64-byte aligned blocks, first fit
// with coalescing, growth on demand up to a maximum. It starts above the module's static data
// (simdnn_heap_base) and never hands out offset 0.
// Views are never cached: callers ask for f32()/u8() after anything that can grow memory.
import { SimdnnMemoryError } from './errors.js';

export const PAGE = 65536;
const ALIGN = 64;

/** The part of WebAssembly.Memory the allocator needs (the JS tier supplies its own). */
export interface Heap {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}

/** A resizable ArrayBuffer heap for the JS tier, so all tiers share one memory model. */
export class ArrayHeap implements Heap {
  buffer: ArrayBuffer;
  constructor(pages: number) { this.buffer = new ArrayBuffer(pages * PAGE); }
  grow(deltaPages: number): number {
    const old = this.buffer.byteLength / PAGE;
    const next = new ArrayBuffer((old + deltaPages) * PAGE);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    this.buffer = next;
    return old;
  }
}

interface Block { off: number; size: number }

export class Allocator {
  private readonly free: Block[] = [];           // sorted by offset, never adjacent
  private readonly live = new Map<number, number>(); // offset -> size
  private top: number;                            // first byte never handed out
  private liveBytes = 0;

  /** `base`: the first byte the module does not use for static data (never 0). */
  constructor(readonly heap: Heap, readonly maxBytes: number, base = 0) {
    this.top = Math.max(ALIGN, Math.ceil(base / ALIGN) * ALIGN);
  }

  get memoryBytes(): number { return this.heap.buffer.byteLength; }
  get allocatedBytes(): number { return this.liveBytes; }

  /** Offset of a fresh block of at least `bytes` bytes (64-byte aligned). */
  alloc(bytes: number): number {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size < size) continue;
      const off = b.off;
      if (b.size === size) this.free.splice(i, 1);
      else { b.off += size; b.size -= size; }
      return this.track(off, size);
    }
    // Extend the top, reusing a free block that ends at it.
    const last = this.free[this.free.length - 1];
    const start = last && last.off + last.size === this.top ? last.off : this.top;
    const end = start + size;
    if (end > this.maxBytes) {
      throw new SimdnnMemoryError(bytes, Math.max(0, this.maxBytes - this.liveBytes - ALIGN),
        `the largest block that fits is ${Math.max(0, this.maxBytes - start)} bytes`);
    }
    const have = this.heap.buffer.byteLength;
    if (end > have) {
      try {
        this.heap.grow(Math.ceil((end - have) / PAGE));
      } catch (e) {
        throw new SimdnnMemoryError(bytes, Math.max(0, have - this.liveBytes - ALIGN), `the engine refused to grow memory (${(e as Error).message})`);
      }
    }
    if (start !== this.top) this.free.pop();
    this.top = end;
    return this.track(start, size);
  }

  /** Return a block. Freeing an unknown offset is ignored (double free is harmless). */
  release(off: number): void {
    const size = this.live.get(off);
    if (size === undefined) return;
    this.live.delete(off);
    this.liveBytes -= size;
    let i = 0;
    while (i < this.free.length && this.free[i].off < off) i++;
    const prev = this.free[i - 1], next = this.free[i];
    if (prev && prev.off + prev.size === off) {
      prev.size += size;
      if (next && prev.off + prev.size === next.off) { prev.size += next.size; this.free.splice(i, 1); }
    } else if (next && off + size === next.off) {
      next.off = off; next.size += size;
    } else {
      this.free.splice(i, 0, { off, size });
    }
  }

  isLive(off: number): boolean { return this.live.has(off); }

  f32(): Float32Array { return new Float32Array(this.heap.buffer); }
  u8(): Uint8Array { return new Uint8Array(this.heap.buffer); }

  private track(off: number, size: number): number {
    this.live.set(off, size);
    this.liveBytes += size;
    return off;
  }
}
