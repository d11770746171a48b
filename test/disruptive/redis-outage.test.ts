import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation, redisLimiter } from 'keysmith/redis';
import { Redis } from 'ioredis';
import { REDIS_URL, redisAvailable } from '../support/redis.js';
import { canControlRedis, startRedis, stopRedis } from '../support/services.js';
import { until } from '../support/wait.js';

// Only when asked for (CI sets KEYSMITH_REDIS_URL): a newcomer's npm test never stops their Redis.
const available = Boolean(process.env.KEYSMITH_REDIS_URL) && (await redisAvailable()) && canControlRedis;

/** Redis is shut down and started again while a fleet uses it for limits and invalidation. */
describe.skipIf(!available)('Redis outage: limiter and invalidation channel (real Redis, restarted)', () => {
  // Quick to give up per command, quick to reconnect: what a careful production setup uses.
  const client = () => new Redis(REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => 200 });
  const clients = [client(), client()];
  for (const c of clients) c.on('error', () => {});
  afterAll(async () => {
    await startRedis();
    for (const c of clients) c.disconnect();
  }, 30_000);

  it('limits fail closed while Redis is down, and recover by themselves; invalidation reports and recovers', async () => {
    await Promise.all(clients.map((c) => (c.status === 'ready' ? undefined : new Promise((resolve) => c.once('ready', resolve)))));
    const keyPrefix = `keysmith:outage:${Date.now()}:`;
    const channel = `keysmith:outage:${Date.now()}`;
    const events: KeysmithEvent[] = [];
    const store = memoryStore();
    const ring = (i: number) =>
      createKeyring({
        store,
        prefix: 'sk',
        cache: { ttlMs: 60_000 },
        limiter: redisLimiter({ client: clients[i]!, keyPrefix }),
        invalidation: redisInvalidation({ client: clients[i]!, channel }),
        onEvent: (e) => i === 1 && events.push(e),
      });
    const [a, b] = [ring(0), ring(1)];
    await Promise.all([a.ready(), b.ready()]);
    const { key, token } = await a.create({ tenantId: 't', name: 'k', rateLimits: [{ name: 'm', limit: 1000, windowMs: 60_000 }] });
    let admitted = 0;
    for (let i = 0; i < 5; i++) if ((await b.verify(token)).valid) admitted++;
    expect(admitted).toBe(5);

    await stopRedis();
    try {
      await until(() => events.some((e) => e.type === 'cache.degraded'), 5_000, 'no cache.degraded event', 50);
      const down = await b.verify(token);
      expect(down).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
    } finally {
      await startRedis();
    }
    await until(async () => (await b.verify(token)).valid, 10_000, 'limits did not recover', 50);
    await until(() => events.some((e) => e.type === 'cache.restored'), 10_000, 'no cache.restored event', 50);

    // Invalidation works again after the restart: a revoke on a reaches b at once.
    await a.revoke('t', key.id);
    await until(
      async () => {
        const r = await b.verify(token);
        return !r.valid && r.code === 'REVOKED';
      },
      1_000,
      'revocation did not propagate after the restart',
      50,
    );
    await Promise.all([a.close(), b.close()]);
  }, 60_000);
});
