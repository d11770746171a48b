import { Redis } from 'ioredis';
import { createKeyring, memoryLimiter, type RateLimiter } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisLimiter } from 'keysmith/redis';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup, type Case } from '../lib/measure.js';
import { row, skipped, type Row } from '../lib/rows.js';
import { REDIS_URL, describeUrl, redisProblem } from '../lib/services.js';

const SECTION = 'Rate limits: added cost of one limit per key (warm verify, 1,000 keys)';
/** Never reached during the run, so every call is admitted and the figure is the limiter's cost. */
const LIMIT = { name: 'bench', limit: 1_000_000_000, windowMs: 1000 };

export async function limiterSuite(): Promise<Row[]> {
  const problem = await redisProblem();
  const redis = problem ? null : new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const rings = async (limiter: RateLimiter | null, rateLimits: (typeof LIMIT)[]) => {
    const store = memoryStore();
    const { tokens } = await seed(store, 'sk', 1000, 1000, { rateLimits });
    const ring = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 600_000 }, ...(limiter ? { limiter } : {}) });
    for (const t of tokens) if (!(await ring.verify(t)).valid) throw new Error('bench setup: limited key refused');
    const next = cycle(tokens);
    return () => ring.verify(next());
  };
  try {
    const cases: Case[] = [
      { name: 'none', fn: await rings(null, []), async: true },
      { name: 'memory', fn: await rings(memoryLimiter(), [LIMIT]), async: true },
    ];
    if (redis)
      cases.push({ name: 'redis', fn: await rings(redisLimiter({ client: redis, keyPrefix: `keysmith:bench:${process.pid}:` }), [LIMIT]), async: true });
    const m = await measureGroup(cases, { rounds: 7, roundMs: 200, latencyMs: 300 });
    const added = (name: string) =>
      `+${(1e6 / m[name]!.opsPerSec - 1e6 / m.none!.opsPerSec).toFixed(2)} µs per verify, p50 +${(m[name]!.p50Us - m.none!.p50Us).toFixed(1)} µs`;
    return [
      row('limit.none', SECTION, 'no rate limit', m.none!),
      row('limit.memory', SECTION, 'one limit, memoryLimiter (one process)', m.memory!, { note: added('memory') }),
      redis
        ? row('limit.redis', SECTION, `one limit, redisLimiter (${describeUrl(REDIS_URL)}, one Lua call)`, m.redis!, { note: added('redis') })
        : skipped('limit.redis', SECTION, 'one limit, redisLimiter', `${problem}; set KEYSMITH_REDIS_URL`),
    ];
  } finally {
    await redis?.quit();
  }
}
