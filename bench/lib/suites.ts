import type { Row } from './rows.js';

/**
 * Every suite of `npm run bench`, by label, in the order they run. Each is loaded only in the
 * process that runs it (bench/suite-process.ts), so no suite's code, heap or JIT state reaches another.
 */
export const SUITES: [string, () => Promise<Row[]>][] = [
  ['verify, in process', async () => (await import('../suites/verify-memory.js')).verifyMemorySuite()],
  ['PGlite', async () => (await import('../suites/postgres.js')).pgliteSuite()],
  ['PostgreSQL server', async () => (await import('../suites/postgres.js')).postgresSuite()],
  ['probing ids by timing (PGlite)', async () => (await import('../suites/id-probing.js')).idProbingPgliteSuite()],
  ['probing ids by timing (PostgreSQL)', async () => (await import('../suites/id-probing.js')).idProbingPostgresSuite()],
  ['create', async () => (await import('../suites/create.js')).createSuite()],
  ['stored keys', async () => (await import('../suites/scale.js')).scaleSuite()],
  ['active keys', async () => (await import('../suites/active-keys.js')).activeKeysSuite()],
  ['rate limits', async () => (await import('../suites/limiter.js')).limiterSuite()],
  ['lastUsedAt writes', async () => (await import('../suites/touch.js')).touchSuite()],
  ['revocation propagation', async () => (await import('../suites/invalidation.js')).invalidationSuite()],
  ['HTTP overhead', async () => (await import('../suites/external.js')).httpSuite()],
  ['MCP round trip', async () => (await import('../suites/external.js')).mcpSuite()],
  ['secret scan (200 MB)', async () => (await import('../suites/scan.js')).scanSuite()],
  ['soak', async () => (await import('../suites/soak.js')).soakSuite({ requests: 200_000, maxSeconds: 60 })],
];
