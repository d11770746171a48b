import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisLimiter } from 'keysmith/redis';
import { runLimiterConformance } from 'keysmith/testing';
import { deadRedisClient, redisAvailable, redisClient } from '../support/redis.js';

const available = await redisAvailable();

describe.skipIf(!available)('redis limiter (real Redis at 127.0.0.1:6379)', () => {
  const clients = Array.from({ length: 3 }, () => redisClient());
  const keyPrefix = `keysmith:test:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
  afterAll(async () => {
    const keys = await clients[0]!.keys(`${keyPrefix}*`);
    if (keys.length) await clients[0]!.del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  runLimiterConformance({ name: 'redis', createLimiter: () => redisLimiter({ client: clients[0]!, keyPrefix }), test: { describe, it } });

  it('3 instances sharing a limit of 20 admit exactly 20 between them', async () => {
    const store = memoryStore();
    const fleet = clients.map((client) => createKeyring({ store, prefix: 'sk', limiter: redisLimiter({ client, keyPrefix }) }));
    const { token } = await fleet[0]!.create({ tenantId: 't', name: 'k', rateLimits: [{ name: 'minute', limit: 20, windowMs: 60_000 }] });
    const results = await Promise.all(Array.from({ length: 90 }, (_, i) => fleet[i % 3]!.verify(token)));
    expect(results.filter((r) => r.valid)).toHaveLength(20);
    const refused = results.filter((r) => !r.valid);
    expect(refused.every((r) => !r.valid && r.code === 'RATE_LIMITED' && r.retryAfterMs! > 0 && r.retryAfterMs! <= 60_000)).toBe(true);
  });

  it('owner-wide limits are shared across instances and keys', async () => {
    const store = memoryStore();
    const [a, b] = clients.map((client) => createKeyring({ store, prefix: 'sk', limiter: redisLimiter({ client, keyPrefix }) }));
    const rateLimits = [{ name: 'plan', limit: 5, windowMs: 60_000, per: 'owner' as const }];
    const k1 = await a!.create({ tenantId: 't', name: '1', ownerId: 'cust', rateLimits });
    const k2 = await a!.create({ tenantId: 't', name: '2', ownerId: 'cust', rateLimits });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a! : b!).verify(i % 3 ? k1.token : k2.token)));
    expect(results.filter((r) => r.valid)).toHaveLength(5);
  });

  it('is all or nothing across named limits, and weighs costs', async () => {
    const limiter = redisLimiter({ client: clients[0]!, keyPrefix });
    const a = { key: 'aon:a', limit: 1, windowMs: 10_000 };
    const b = { key: 'aon:b', limit: 5, windowMs: 10_000 };
    expect((await limiter.limit([a, b], 1, 0)).allowed).toBe(true);
    expect(await limiter.limit([b, a], 1, 0)).toMatchObject({ allowed: false, index: 1 });
    expect(await limiter.limit([b], 4, 0)).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.limit([b], 0, 0)).toMatchObject({ allowed: false });
    expect(await limiter.limit([{ key: 'aon:c', limit: 3, windowMs: 10_000 }], 4, 0)).toMatchObject({ allowed: false, retryAfterMs: 10_000 });
  });

  it('hits leave the window after windowMs (sliding, server time)', async () => {
    const limiter = redisLimiter({ client: clients[0]!, keyPrefix });
    const c = [{ key: 'slide', limit: 2, windowMs: 1000 }];
    expect((await limiter.limit(c, 1, 0)).allowed).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    expect((await limiter.limit(c, 1, 0)).allowed).toBe(true);
    const refused = await limiter.limit(c, 1, 0);
    expect(refused.allowed).toBe(false);
    expect(!refused.allowed && refused.retryAfterMs > 400 && refused.retryAfterMs <= 600).toBe(true);
    await new Promise((r) => setTimeout(r, !refused.allowed ? refused.retryAfterMs + 20 : 0));
    expect((await limiter.limit(c, 1, 0)).allowed).toBe(true);
    expect((await limiter.limit(c, 1, 0)).allowed).toBe(false);
  });

  it('loads its script again after SCRIPT FLUSH', async () => {
    const limiter = redisLimiter({ client: clients[1]!, keyPrefix });
    await clients[1]!.script('FLUSH');
    expect((await limiter.limit([{ key: 'flush', limit: 1, windowMs: 1000 }], 1, 0)).allowed).toBe(true);
  });
});

describe('redis limiter with Redis unreachable', () => {
  it('fails closed by default and open when configured, never silently', async () => {
    const client = deadRedisClient();
    const rateLimits = [{ name: 'r', limit: 5, windowMs: 1000 }];
    const events: string[] = [];
    const closed = createKeyring({ store: memoryStore(), prefix: 'sk', limiter: redisLimiter({ client }) });
    const open = createKeyring({
      store: memoryStore(),
      prefix: 'sk',
      limiter: redisLimiter({ client }),
      limiterFailure: 'open',
      onEvent: (e) => events.push(e.type),
    });
    const k1 = await closed.create({ tenantId: 't', name: 'k', rateLimits });
    const k2 = await open.create({ tenantId: 't', name: 'k', rateLimits });
    expect(await closed.verify(k1.token)).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
    expect(await open.verify(k2.token)).toMatchObject({ valid: true });
    expect(events).toContain('store.error');
    client.disconnect();
  });
});
