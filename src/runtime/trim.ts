import { peekRuntime } from './runtime.js';

/** Free the scratch block that Float32Array arguments are copied through (it regrows on demand). */
export function trimMemory(): void {
  peekRuntime()?.releaseScratch();
}
