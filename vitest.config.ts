import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket tests bind ephemeral loopback ports; forks isolate native sqlite handles.
    pool: 'forks',
    // End-to-end calls spend their time waiting on real-time audio, not CPU: run several at once.
    maxWorkers: 4,
  },
});
