import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { createKeyring, KeysmithError, type KeysmithEvent } from 'keysmith';
import { postgresStore, type Queryable } from 'keysmith/postgres';
import { postgresInvalidation, type PgListenClient } from 'keysmith/postgres';
import { PG_URL, serverTarget } from '../support/pg.js';
import { until } from '../support/wait.js';

describe('postgresInvalidation options', () => {
  const connect = async () => ({}) as PgListenClient;
  it('accepts only an identifier as channel name (it is quoted into LISTEN)', () => {
    for (const channel of ['x"; DROP TABLE t; --', '1abc', 'a b', '', 'a'.repeat(64), 'ä']) {
      expect(() => postgresInvalidation({ connect, channel })).toThrow(KeysmithError);
    }
    expect(() => postgresInvalidation({ connect, channel: 'Keysmith_Fleet_1' })).not.toThrow();
  });
  it('needs a connect function', () => {
    expect(() => postgresInvalidation({} as never)).toThrow(/connect/);
  });
});

describe.skipIf(!PG_URL)('fleet-wide invalidation over PostgreSQL LISTEN/NOTIFY (real server)', () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  const channel = `keysmith_test_${Math.random().toString(36).slice(2, 10)}`;
  const clients: pg.Client[] = [];
  /** A fresh dedicated connection per call, as an application would pass it. */
  const connect = async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    clients.push(client);
    return client;
  };
  /** The backend pids currently LISTENing on our channel. */
  const listeners = async (pool: Queryable) =>
    (await pool.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [`LISTEN "${channel}"`])).rows.map((r) => Number(r.pid));

  beforeAll(async () => {
    target = await serverTarget();
  });
  afterAll(async () => {
    await target?.close();
  });

  const fleet = async (events: KeysmithEvent[]) => {
    const store = postgresStore({ client: target.client, table: target.table });
    const ring = () =>
      createKeyring({
        store,
        prefix: 'sk',
        cache: { ttlMs: 60_000 },
        invalidation: postgresInvalidation({ connect, client: target.client, channel, backoff: { minMs: 20, maxMs: 200 }, pingIntervalMs: 0 }),
        onEvent: (e) => events.push(e),
      });
    const a = ring();
    const b = ring();
    await Promise.all([a.ready(), b.ready()]);
    return { a, b };
  };

  it('a revoke on one instance is seen by the other within 100 ms, not at the 60 s TTL', async () => {
    const { a, b } = await fleet([]);
    const { key, token } = await a.create({ tenantId: 't', name: 'k', scopes: ['x:read', 'y:read'] });
    expect(await b.verify(token, { scopes: ['y:read'] })).toMatchObject({ valid: true }); // cached on b

    await a.update('t', key.id, { scopes: ['x:read'] });
    await until(async () => !(await b.verify(token, { scopes: ['y:read'] })).valid, 100);

    await a.revoke('t', key.id);
    await until(async () => {
      const r = await b.verify(token);
      return !r.valid && r.code === 'REVOKED';
    }, 100);
    await Promise.all([a.close(), b.close()]);
  });

  it('reports the listener connection dropping, reconnects, re-LISTENs and invalidates again', async () => {
    const events: KeysmithEvent[] = [];
    const { a, b } = await fleet(events);
    const before = await listeners(target.client);
    expect(before).toHaveLength(2);

    await target.client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [before]);
    await until(() => events.some((e) => e.type === 'cache.degraded'), 5000);
    await until(() => events.filter((e) => e.type === 'cache.restored').length >= 2, 10_000);
    const after = await listeners(target.client);
    expect(after).toHaveLength(2);
    expect(after.some((pid) => before.includes(pid))).toBe(false); // new connections, listening again

    const { key, token } = await a.create({ tenantId: 't', name: 'k' });
    expect((await b.verify(token)).valid).toBe(true);
    await a.revoke('t', key.id);
    await until(async () => !(await b.verify(token)).valid, 100);
    await Promise.all([a.close(), b.close()]);
    expect(await listeners(target.client)).toHaveLength(0); // close() ends the dedicated connections
  });

  it('publishes through a connection of its own when no client is given, and ignores foreign payloads', async () => {
    const events: KeysmithEvent[] = [];
    const channel = `Keysmith_Mixed_${Math.random().toString(36).slice(2, 8)}`; // quoted LISTEN keeps the case
    const store = postgresStore({ client: target.client, table: target.table });
    const a = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: postgresInvalidation({ connect, channel }) });
    const b = createKeyring({
      store,
      prefix: 'sk',
      cache: { ttlMs: 60_000 },
      invalidation: postgresInvalidation({ connect, channel }),
      onEvent: (e) => events.push(e),
    });
    await Promise.all([a.ready(), b.ready()]);
    const { key, token } = await a.create({ tenantId: 't', name: 'k' });
    expect((await b.verify(token)).valid).toBe(true);
    // Garbage on the channel is not a key id: nothing is dropped, nothing breaks.
    await target.client.query('SELECT pg_notify($1, $2)', [channel, "'; DROP TABLE x; --"]);
    await a.revoke('t', key.id);
    await until(async () => !(await b.verify(token)).valid, 100);
    expect(events.filter((e) => e.type === 'cache.degraded')).toHaveLength(0);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects at startup when the first connection fails, so a wrong URL is not silent', async () => {
    const channelObj = postgresInvalidation({ connect: async () => Promise.reject(new Error('ECONNREFUSED')), channel });
    await expect(channelObj.subscribe({ onMessage: () => {}, onStatus: () => {} })).rejects.toThrow('ECONNREFUSED');
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
  });
});
