import { defineConfig } from 'vitest/config';

// `npm run test:browser`: the dashboard in headless Chromium (slow: a real-time call of about a minute).
export default defineConfig({
  test: {
    include: ['test/browser/**/*.browser.ts'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
