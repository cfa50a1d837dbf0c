// One initialized simdnn: a tier, its kernels, its heap and allocator, and the scratch block
// that plain Float32Array arguments are copied through.
import type { Kernels } from './kernels.js';
import { Allocator } from './memory.js';
import { SimdnnNotInitializedError } from './errors.js';

export type Tier = 'relaxed' | 'simd' | 'js';

export class Runtime {
  private scratchPtr = 0;
  private scratchBytes = 0;
  /** Set when a later init() replaced this runtime: its tensors are unusable. */
  disposed = false;

  constructor(
    readonly tier: Tier,
    readonly kernels: Kernels,
    readonly alloc: Allocator,
    readonly module: WebAssembly.Module | undefined,
  ) {}

  /**
   * A block of at least `bytes` bytes for one call's copies. Reused across calls (calls are
   * synchronous and never nest); only the most recent request's contents are valid.
   */
  scratch(bytes: number): number {
    if (bytes > this.scratchBytes) {
      // Free first so the allocator can merge the old block into the new one.
      this.releaseScratch();
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
