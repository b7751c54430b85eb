import { defineConfig } from 'vitest/config';

/** The unit tests of the mutated folders (stryker.config.mjs); e2e tests stay out. */
export default defineConfig({
  test: {
    include: ['src/mesh/**/*.test.ts', 'src/envoy/**/*.test.ts', 'src/xds/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'threads',
  },
});
