// One initialized simdnn: a tier, its kernels, its heap and allocator, and the scratch block
// that plain Float32Array arguments are copied through.
import type { Kernels } from './kernels.js';
import { Allocator } from './memory.js';
import { SimdnnNotInitializedError } from './errors.js';

export type Tier = 'relaxed' | 'simd' | 'js';

export class Runtime {
  readonly alloc: Allocator;
  private scratchPtr = 0;
  private scratchBytes = 0;
  disposed = false;

  constructor(
    readonly tier: Tier,
    readonly kernels: Kernels,
    allocator: Allocator,
    readonly module: WebAssembly.Module | undefined,
  ) {
    this.alloc = allocator;
  }

  /**
   * A block of at least `bytes` bytes for one call's copies. Reused across calls (calls are
   * synchronous and never nest); only the most recent request's contents are valid.
   */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      // Free first so the allocator can merge the old block into the new one.
      if (this.scratchPtr) this.alloc.release(this.scratchPtr);
      this.scratchPtr = 0;
      this.scratchBytes = 0;
      this.scratchPtr = this.alloc.alloc(bytes);
      this.scratchBytes = bytes;
    }
    return this.scratchPtr;
  }

  /** Give the scratch block back (used by trimMemory()). */
  releaseScratch(): void {
    if (this.scratchPtr) this.alloc.release(this.scratchPtr);
    this.scratchPtr = 0;
    this.scratchBytes = 0;
  }
}

let current: Runtime | undefined;

/** The active runtime; kernels call this first. */
export function runtime(): Runtime {
  if (!current) throw new SimdnnNotInitializedError();
  return current;
}

export function setRuntime(rt: Runtime | undefined): void {
  if (current && current !== rt) current.disposed = true;
  current = rt;
}

export function peekRuntime(): Runtime | undefined {
  return current;
}
