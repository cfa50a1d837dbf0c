// The public API (this file is the root of the published type declarations). Every entry in
// src/entry/ exports exactly this surface; they differ only in how they find the wasm.
export * from './api.js';
export { init, initSync } from './entry/node.js';
