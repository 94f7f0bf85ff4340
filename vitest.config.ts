import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The machines have 2 cores; the end-to-end files start the real claude binary.
    maxWorkers: 2,
  },
});
