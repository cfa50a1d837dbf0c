// Browsers and bundlers: the wasm is fetched from beside this file. The `new URL('…',
// import.meta.url)` literals are the pattern Vite, webpack 5, Rollup and Parcel recognize
// to copy the files and rewrite the URLs, so no bundler configuration is needed.
import { initWith, initSyncWith, type InitOptions, type Capabilities } from '../runtime/init.js';

const source = (tier: 'relaxed' | 'simd') =>
  fetch(tier === 'relaxed' ? new URL('./simdnn.relaxed.wasm', import.meta.url) : new URL('./simdnn.simd.wasm', import.meta.url));

/** Load and pick the best tier. Idempotent and safe to call concurrently. */
export function init(options?: InitOptions): Promise<Capabilities> { return initWith(options, source); }
/** Synchronous init: needs init({ module }) material already at hand (a Module or bytes). */
export function initSync(options?: InitOptions): Capabilities { return initSyncWith(options, undefined); }
export * from '../api.js';
