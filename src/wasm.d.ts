// The entry points import the wasm builds: esbuild inlines them as bytes (inline entry) or
// leaves the import for the host to resolve to a WebAssembly.Module (workerd entry).
declare module '*.wasm' {
  const wasm: WebAssembly.Module | Uint8Array;
  export default wasm;
}
