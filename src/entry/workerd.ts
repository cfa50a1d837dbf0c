// Cloudflare Workers (workerd) and other hosts that forbid compiling wasm from bytes: the
// .wasm files are imported as modules, which the host compiles at deploy time.
import simd from './simdnn.simd.wasm';
import relaxed from './simdnn.relaxed.wasm';
import { initWith, initSyncWith, type InitOptions, type Capabilities } from '../runtime/init.js';

const source = (tier: 'relaxed' | 'simd') => (tier === 'relaxed' ? relaxed : simd);

/** Load and pick the best tier. Idempotent and safe to call concurrently. */
export function init(options?: InitOptions): Promise<Capabilities> { return initWith(options, source); }
/** The same, synchronously (the modules are already compiled). */
export function initSync(options?: InitOptions): Capabilities { return initSyncWith(options, source); }
export * from '../api.js';
