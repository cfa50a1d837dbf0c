import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Forks started with the relaxed-SIMD flag, so Node 20 runs all three tiers in-process.
    // (test/tiers.test.ts also checks the plain-node fallback in a child process.)
    pool: 'forks',
    execArgv: ['--experimental-wasm-relaxed-simd', '--expose-gc'],
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
