import { describe, it } from 'vitest';
import { memoryStore } from 'keysmith/memory';
import { runInvalidationChannelConformance } from 'keysmith/testing';
import { localChannel } from '../support/local-channel.js';

// The in-process channel the other tests use as their double passes the same suite as the real ones
// (Redis: test/redis/invalidation.test.ts; PostgreSQL and PGlite: test/stores/postgres-invalidation.test.ts).
runInvalidationChannelConformance({
  name: 'in process (test/support/local-channel.ts)',
  createFleet: () => {
    const { channel } = localChannel();
    return { instance: () => channel };
  },
  createStore: () => memoryStore(),
  test: { describe, it },
});
