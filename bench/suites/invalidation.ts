import pg from 'pg';
import { Redis } from 'ioredis';
import { createKeyring, type InvalidationChannel } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation } from 'keysmith/redis';
import { postgresInvalidation } from 'keysmith/postgres';
import { percentile } from '../lib/measure.js';
import { skipped, type Row } from '../lib/rows.js';
import { PG_URL, REDIS_URL, describeUrl, postgresProblem, redisProblem } from '../lib/services.js';

const SECTION = 'Revocation propagation to a second instance (200 revocations, warm caches, TTL 60 s)';
const REVOCATIONS = 200;

/**
 * Wraps instance B's channel so the moment B receives "key X changed" (and has already dropped X
 * from its cache, since the keyring's handler runs first) can be awaited.
 */
function observed(channel: InvalidationChannel) {
  const waiting = new Map<string, (at: number) => void>();
  const wrapped: InvalidationChannel = {
    publish: (id) => channel.publish(id),
    subscribe: (handlers) =>
      channel.subscribe({
        onStatus: handlers.onStatus,
        onMessage: (id) => {
          handlers.onMessage(id);
          waiting.get(id)?.(performance.now());
        },
      }),
  };
  const arrival = (id: string) => new Promise<number>((resolve) => waiting.set(id, resolve));
  return { wrapped, arrival };
}

/** Time from instance A's revoke() call to B having dropped the key, for REVOCATIONS keys. */
async function propagation(channelA: InvalidationChannel, channelB: InvalidationChannel) {
  const store = memoryStore(); // shared and in process, so only the channel's time is measured
  const b = observed(channelB);
  const A = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: channelA });
  const B = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: b.wrapped });
  await Promise.all([A.ready(), B.ready()]);
  const times: number[] = [];
  let stale = 0;
  try {
    const keys = [];
    for (let i = 0; i < REVOCATIONS; i++) keys.push(await A.create({ tenantId: 'bench', name: `k${i}` }));
    for (const { token } of keys) if (!(await B.verify(token)).valid) throw new Error('bench setup: B refused a fresh key');
    for (const { key, token } of keys) {
      const arrived = b.arrival(key.id);
      const start = performance.now();
      await A.revoke('bench', key.id);
      const at = await Promise.race([arrived, new Promise<number>((r) => setTimeout(() => r(NaN), 5000))]);
      times.push(at - start);
      const answer = await B.verify(token);
      if (answer.valid || answer.code !== 'REVOKED') stale++;
    }
  } finally {
    await Promise.all([A.close(), B.close()]);
  }
  const lost = times.filter(Number.isNaN).length;
  const sorted = times.filter((t) => !Number.isNaN(t)).sort((x, y) => x - y);
  return { p50Us: percentile(sorted, 50) * 1000, p99Us: percentile(sorted, 99) * 1000, max: sorted.at(-1) ?? NaN, lost, stale };
}

function toRow(id: string, name: string, r: Awaited<ReturnType<typeof propagation>>): Row {
  return {
    id,
    section: SECTION,
    name,
    p50Us: r.p50Us,
    p99Us: r.p99Us,
    note: `max ${r.max.toFixed(1)} ms; ${r.lost} lost; B answered REVOKED right after in ${REVOCATIONS - r.stale}/${REVOCATIONS}`,
  };
}

export async function invalidationSuite(): Promise<Row[]> {
  const rows: Row[] = [];
  const redisDown = await redisProblem();
  if (redisDown) rows.push(skipped('inv.redis', SECTION, 'Redis pub/sub (redisInvalidation)', redisDown));
  else {
    const clients = [new Redis(REDIS_URL), new Redis(REDIS_URL)];
    const channel = `keysmith:bench:inv:${process.pid}`;
    try {
      const r = await propagation(redisInvalidation({ client: clients[0]!, channel }), redisInvalidation({ client: clients[1]!, channel }));
      rows.push(toRow('inv.redis', `Redis pub/sub, redisInvalidation (${describeUrl(REDIS_URL)})`, r));
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  }
  const pgDown = await postgresProblem();
  if (pgDown) rows.push(skipped('inv.pg', SECTION, 'PostgreSQL LISTEN/NOTIFY (postgresInvalidation)', pgDown));
  else {
    const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
    const connect = async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      return client;
    };
    const channel = `keysmith_bench_${process.pid}`;
    try {
      const r = await propagation(postgresInvalidation({ connect, client: pool, channel }), postgresInvalidation({ connect, client: pool, channel }));
      rows.push(toRow('inv.pg', `PostgreSQL LISTEN/NOTIFY, postgresInvalidation (${describeUrl(PG_URL)})`, r));
    } finally {
      await pool.end();
    }
  }
  return rows;
}
