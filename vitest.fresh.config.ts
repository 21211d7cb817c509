// `npm run test:fresh`: the README's commands in a fresh copy of the checkout, nothing configured
// (test/fresh/fresh-clone.test.ts). Minutes: not part of `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fresh/**/*.test.ts'],
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
