import { defineConfig } from 'vitest/config';
import { consoleAssets, resolveSources } from './vitest.config.js';

/**
 * The disruptive suite (`npm run test:disruptive`, which CI runs after `npm test`): tests that stop
 * and restart this machine's PostgreSQL and Redis. One file at a time, so no other test sees the
 * outage. `KEYSMITH_DISRUPTIVE` is what lets test/support/services.ts stop a service at all.
 */
export default defineConfig({
  resolve: resolveSources,
  test: {
    globalSetup: [consoleAssets],
    include: ['test/disruptive/**/*.test.ts'],
    fileParallelism: false,
    env: { KEYSMITH_DISRUPTIVE: '1' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
