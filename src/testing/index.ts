/**
 * keysmith/testing: the store conformance suite (with `runLimiterConformance` for rate limiters and
 * `runInvalidationChannelConformance` for invalidation channels).
 * Any `KeyStore` (ours or yours) runs it unchanged:
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runStoreConformance } from 'keysmith/testing';
 * runStoreConformance({ name: 'my store', createStore: () => ({ store: myStore() }), test: { describe, it } });
 * ```
 */
import { basicTests } from './basic.js';
import { creditTests } from './credits.js';
import type { ConformanceOptions } from './harness.js';
import { isolationTests } from './isolation.js';
import { listTests } from './list.js';
import { raceTests } from './races.js';
import { revokeTests } from './revoke.js';
import { supersedeTests } from './supersede.js';
import { updateTests } from './update.js';

export { runLimiterConformance, type LimiterConformanceOptions } from './limiter.js';
export { runInvalidationChannelConformance, type InvalidationChannelConformanceOptions, type InvalidationFleet } from './invalidation.js';
export { makeRecord, race, newId, newTenant, type ConformanceOptions, type StoreHarness, type TestApi } from './harness.js';

export function runStoreConformance(options: ConformanceOptions): void {
  const timeout = options.timeout ?? 30_000;
  const test = { describe: options.test.describe, it: (name: string, fn: () => Promise<void>, ms?: number) => options.test.it(name, fn, ms ?? timeout) };
  const opts = { ...options, test };
  test.describe(`KeyStore conformance: ${options.name}`, () => {
    test.describe('basic', () => basicTests(opts));
    test.describe('update', () => updateTests(opts));
    test.describe('revoke', () => revokeTests(opts));
    test.describe('credits and touch', () => creditTests(opts));
    test.describe('supersede (rotation)', () => supersedeTests(opts));
    test.describe('list', () => listTests(opts));
    test.describe('races', () => raceTests(opts));
    test.describe('tenant isolation', () => isolationTests(opts));
  });
}
