// Kept apart from web/'s vite config on purpose: vite's `root` for the browser app must not
// change where vitest looks for tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // web/dist is built once here, not by each browser test file (they run in parallel).
    globalSetup: ['test/web/build-once.global.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores on CI: run files in parallel, but not more than the machine has.
    maxWorkers: 2,
  },
});
