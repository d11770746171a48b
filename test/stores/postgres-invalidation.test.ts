import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeysmithError } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { postgresInvalidation, postgresStore, type PgListenClient, type Queryable } from 'keysmith/postgres';
import { runInvalidationChannelConformance } from 'keysmith/testing';
import { PG_URL, START_TIMEOUT, describeServer, serverTarget } from '../support/pg.js';
import { freshPGlite, pgliteSessions } from '../support/pglite.js';
import { until } from '../support/wait.js';

const channelName = () => `keysmith_test_${randomBytes(5).toString('hex')}`;

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
  it('rejects at startup when the first connection fails, so a wrong URL is not silent', async () => {
    const channel = postgresInvalidation({ connect: async () => Promise.reject(new Error('ECONNREFUSED')) });
    await expect(channel.subscribe({ onMessage: () => {}, onStatus: () => {} })).rejects.toThrow('ECONNREFUSED');
  });
});

/**
 * One fleet per test, on a channel of its own. Every other instance publishes through `client` (a
 * pool, say); the rest through a connection of their own, opened with `connect`.
 */
function fleetOn(connect: () => Promise<PgListenClient>, client: () => Queryable) {
  const channel = channelName();
  let n = 0;
  return {
    channel,
    instance: () =>
      postgresInvalidation({ connect, channel, backoff: { minMs: 10, maxMs: 100 }, pingIntervalMs: 0, ...(n++ % 2 === 1 ? { client: client() } : {}) }),
  };
}

describe('postgres LISTEN/NOTIFY on PGlite', () => {
  let db: PGlite;
  let sessions: ReturnType<typeof pgliteSessions>;
  beforeAll(async () => {
    db = await freshPGlite();
    sessions = pgliteSessions(db);
  }, START_TIMEOUT);
  afterAll(() => db?.close());

  runInvalidationChannelConformance({
    name: 'postgres LISTEN/NOTIFY (PGlite, one view of the session per connection)',
    createFleet: () => fleetOn(sessions.connect, () => db),
    sendRaw: async (fleet, message) => void (await db.query('SELECT pg_notify($1, $2)', [fleet.channel, message])),
    interrupt: async () => sessions.drop(),
    createStore: () => memoryStore(),
    test: { describe, it },
  });
});

describe.skipIf(!PG_URL)(`postgres LISTEN/NOTIFY on a real server (KEYSMITH_PG_URL=${PG_URL ? describeServer() : 'unset'})`, () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  const clients: pg.Client[] = [];
  /** A fresh dedicated connection per call, as an application would pass it. */
  const connect = async () => {
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    clients.push(client);
    return client;
  };
  /** The backend pids currently LISTENing on `channel`. */
  const listeners = async (channel: string) =>
    (await target.client.query('SELECT pid FROM pg_stat_activity WHERE query = $1', [`LISTEN "${channel}"`])).rows.map((r) => Number(r.pid));
  const terminate = async (pids: number[]) => void (await target.client.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]));

  beforeAll(async () => {
    target = await serverTarget();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    await target?.close();
  });

  runInvalidationChannelConformance({
    name: `postgres LISTEN/NOTIFY (server ${PG_URL ? describeServer() : ''})`,
    createFleet: () => fleetOn(connect, () => target.client),
    sendRaw: async (fleet, message) => void (await target.client.query('SELECT pg_notify($1, $2)', [fleet.channel, message])),
    interrupt: async (fleet) => terminate(await listeners(fleet.channel)),
    createStore: () => postgresStore({ client: target.client, table: target.table }),
    test: { describe, it },
  });

  it('publishes through its own connection one statement at a time, however many run at once (pg deprecates overlapping queries on one client)', async () => {
    const channel = channelName();
    let inFlight = 0;
    let most = 0;
    /** The real connection, with its queries counted while they run. */
    const counted = async (): Promise<PgListenClient> => {
      const client = await connect();
      const query = client.query.bind(client) as (text: string, params?: unknown[]) => Promise<unknown>;
      return Object.assign(client, {
        query: async (text: string, params?: unknown[]) => {
          most = Math.max(most, ++inFlight);
          try {
            return await query(text, params);
          } finally {
            inFlight--;
          }
        },
      }) as unknown as PgListenClient;
    };
    const received = new Set<string>();
    const listener = postgresInvalidation({ connect, channel, pingIntervalMs: 0 });
    const unsubscribe = await listener.subscribe({ onMessage: (id) => received.add(id), onStatus: () => {} });
    const publisher = postgresInvalidation({ connect: counted, channel, pingIntervalMs: 0 });
    const stop = await publisher.subscribe({ onMessage: () => {}, onStatus: () => {} }); // closes the own connection at the end
    most = 0;
    const ids = Array.from({ length: 40 }, () => randomBytes(8).toString('hex'));
    await Promise.all(ids.map((id) => publisher.publish(id)));
    expect(most).toBe(1);
    await until(() => ids.every((id) => received.has(id)), 10_000, 'a notification was lost');
    await Promise.all([unsubscribe(), stop()]);
  });

  it('after its connections are terminated, listens again on new backends; unsubscribing ends them', async () => {
    const { channel, instance } = fleetOn(connect, () => target.client);
    const statuses: string[][] = [[], []];
    const unsubscribe = await Promise.all(statuses.map((s) => instance().subscribe({ onMessage: () => {}, onStatus: (status) => s.push(status) })));
    const before = await listeners(channel);
    expect(before).toHaveLength(2);
    await terminate(before);
    await until(() => statuses.every((s) => s.includes('down') && s.lastIndexOf('up') > s.indexOf('down')), 10_000, 'both did not come back');
    const after = await listeners(channel);
    expect(after).toHaveLength(2);
    expect(after.some((pid) => before.includes(pid))).toBe(false);
    await Promise.all(unsubscribe.map((u) => u()));
    await until(async () => (await listeners(channel)).length === 0, 10_000, 'a LISTENing connection outlived unsubscribe');
  });
});
