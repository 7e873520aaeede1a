// Kept apart from web/'s vite config on purpose: vite's `root` for the browser app must not
// change where vitest looks for tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // web/dist is built once here, not by each browser test file (they run in parallel).
    globalSetup: ['test/web/build-once.global.ts'],
    // a guard against hangs, not a speed bound: on a busy 2-CPU machine a CLI process or a
    // browser page can take many times its usual time
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Two cores on CI: run files in parallel, but not more than the machine has.
    maxWorkers: 2,
  },
});
