import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation } from 'keysmith/redis';
import { redisAvailable, redisClient } from '../support/redis.js';
import { until } from '../support/wait.js';

const available = await redisAvailable();

describe.skipIf(!available)('fleet-wide invalidation over Redis pub/sub (real Redis)', () => {
  const clients = [redisClient(), redisClient()];
  const channel = `keysmith:test:inv:${Math.random().toString(36).slice(2)}`;
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  const fleet = async (events: KeysmithEvent[] = []) => {
    const store = memoryStore();
    const ring = (i: number) =>
      createKeyring({
        store,
        prefix: 'sk',
        cache: { ttlMs: 60_000 },
        invalidation: redisInvalidation({ client: clients[i]!, channel }),
        onEvent: (e) => events.push(e),
      });
    const a = ring(0);
    const b = ring(1);
    await Promise.all([a.ready(), b.ready()]);
    return { a, b };
  };

  it('a revoke, pause or narrowing on one instance is seen by the other within 100 ms, not at TTL', async () => {
    const { a, b } = await fleet();
    const { key, token } = await a.create({ tenantId: 't', name: 'k', scopes: ['x:read', 'y:read'] });
    expect(await b.verify(token, { scopes: ['y:read'] })).toMatchObject({ valid: true }); // cached on b for 60 s

    await a.update('t', key.id, { scopes: ['x:read'] });
    await until(async () => !(await b.verify(token, { scopes: ['y:read'] })).valid, 100);

    await a.setEnabled('t', key.id, false);
    await until(async () => (await b.verify(token)).valid === false, 100);
    await a.setEnabled('t', key.id, true);
    await until(async () => (await b.verify(token)).valid, 100);

    await a.revoke('t', key.id);
    await until(async () => {
      const r = await b.verify(token);
      return !r.valid && r.code === 'REVOKED';
    }, 100);
    await Promise.all([a.close(), b.close()]);
  });

  it('says so when the channel drops, and starts clean when it is back', async () => {
    const events: KeysmithEvent[] = [];
    const { a, b } = await fleet(events);
    await clients[0]!.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    await until(async () => events.some((e) => e.type === 'cache.degraded'), 5000);
    await until(async () => events.some((e) => e.type === 'cache.restored'), 10_000);
    const { key, token } = await a.create({ tenantId: 't', name: 'k' });
    expect((await b.verify(token)).valid).toBe(true);
    await a.revoke('t', key.id);
    await until(async () => !(await b.verify(token)).valid, 1000);
    await Promise.all([a.close(), b.close()]);
  });
});
