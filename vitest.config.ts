import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket tests bind ephemeral loopback ports; forks isolate native sqlite handles.
    pool: 'forks',
    // End-to-end calls run in real time and need CPU when their frames are due: with 4 workers on
    // this 2-core machine, a busy machine starved them into false barge-ins. 2 workers pass with both
    // cores kept busy by another process (issue 12, item 12).
    maxWorkers: 2,
  },
});
