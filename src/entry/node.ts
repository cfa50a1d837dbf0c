// Node, Deno and Bun: the wasm files sit beside this file and are read from disk, so both
// `await init()` and the synchronous `initSync()` work without any configuration.
import { readFileSync } from 'node:fs';
import { initWith, initSyncWith, type InitOptions, type Capabilities } from '../runtime/init.js';

const source = (tier: 'relaxed' | 'simd') =>
  readFileSync(tier === 'relaxed' ? new URL('./simdnn.relaxed.wasm', import.meta.url) : new URL('./simdnn.simd.wasm', import.meta.url));

/** Load and pick the best tier. Idempotent and safe to call concurrently. */
export function init(options?: InitOptions): Promise<Capabilities> { return initWith(options, source); }
/** The same, synchronously. */
export function initSync(options?: InitOptions): Capabilities { return initSyncWith(options, source); }
export * from '../api.js';
