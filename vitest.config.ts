import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/global-setup.ts'],
    // Tests sit beside what they test, in every room of the house.
    include: ['**/*.test.ts'],
    // The million-cell load test takes minutes: `npm run test:faults` runs it; the fresh-clone
    // test (npm install in a copy) `npm run test:fresh`.
    exclude: ['**/node_modules/**', 'dist/**', '.cache/**', 'test/faults/load.test.ts', 'test/fresh/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one PostgreSQL database and one Temporal server.
    fileParallelism: false,
  },
});
