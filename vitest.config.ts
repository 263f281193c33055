import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    // Child-protection data: a test that hangs is a bug, not a slow machine.
    testTimeout: 15_000,
  },
});
