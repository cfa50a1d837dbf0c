// One self-contained file with both wasm builds inlined as bytes: script tags, CDNs, Lambda
// bundles, anything that cannot ship a second file. initSync() works here too.
import simd from '../../build/simdnn.simd.wasm';
import relaxed from '../../build/simdnn.relaxed.wasm';
import { initWith, initSyncWith, type InitOptions, type Capabilities } from '../runtime/init.js';

const source = (tier: 'relaxed' | 'simd') => (tier === 'relaxed' ? relaxed : simd);

/** Load and pick the best tier. Idempotent and safe to call concurrently. */
export function init(options?: InitOptions): Promise<Capabilities> { return initWith(options, source); }
/** The same, synchronously (avoid on a browser main thread: it compiles ~16 KB synchronously). */
export function initSync(options?: InitOptions): Capabilities { return initSyncWith(options, source); }
export * from '../api.js';
