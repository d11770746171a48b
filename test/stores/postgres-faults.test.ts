import assert from 'node:assert/strict';
import pg from 'pg';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKeyring, isKeysmithError } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { PostgresStoreError, migrate, postgresStore } from 'keysmith/postgres';
import { serverTarget } from '../support/pg.js';
import { closedPort } from '../support/wait.js';

/** Fails the test if `promise` has not settled within a generous bound (it must not hang). */
function settlesWithin<T>(promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

const unavailable = (e: unknown) => isKeysmithError(e) && e.code === 'STORE_UNAVAILABLE';

describe('postgres store faults: a real refused connection (pg.Pool to a closed port)', () => {
  let pool: pg.Pool;
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
    pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'test', max: 10, connectionTimeoutMillis: 1_000 });
    pool.on('error', () => {}); // idle-client errors; none expected, but never crash the run
  });
  afterAll(() => pool?.end());

  it('the driver error passes through the store unchanged (it is no Postgres answer)', async () => {
    const store = postgresStore({ client: pool });
    const error = await settlesWithin(
      store.findById('0123456789abcdef').then(
        () => null,
        (e: unknown) => e,
      ),
    );
    assert.ok(error instanceof Error && !(error instanceof PostgresStoreError) && !isKeysmithError(error), String(error));
    assert.equal((error as { code?: string }).code, 'ECONNREFUSED');
    await assert.rejects(settlesWithin(migrate(pool)), (e: unknown) => (e as { code?: string }).code === 'ECONNREFUSED');
  });

  it('verify answers STORE_UNAVAILABLE and management calls reject with it', async () => {
    // A real token of this prefix, minted elsewhere, so verify has to ask the store.
    const { token } = await createKeyring({ store: memoryStore(), prefix: 'sk_test' }).create({ tenantId: 't1', name: 'minted elsewhere' });
    const errors: string[] = [];
    const keyring = createKeyring({
      store: postgresStore({ client: pool }),
      prefix: 'sk_test',
      storeTimeoutMs: 3_000,
      onEvent: (e) => e.type === 'store.error' && errors.push(e.error),
    });

    const result = await settlesWithin(keyring.verify(token));
    assert.equal(result.valid, false);
    assert.equal(!result.valid && result.code, 'STORE_UNAVAILABLE');

    await assert.rejects(settlesWithin(keyring.create({ tenantId: 't1', name: 'new key' })), unavailable);
    await assert.rejects(settlesWithin(keyring.list('t1', {})), unavailable);
    await assert.rejects(settlesWithin(keyring.revoke('t1', '0123456789abcdef', { by: 'admin' })), unavailable);
    assert.ok(errors.length > 0 && errors.every((e) => !e.includes(token)), errors.join('\n'));
    assert.equal(pool.totalCount, 0, 'nothing ever connected');
  });
});

describe.skipIf(!process.env.KEYSMITH_PG_URL)('postgres store faults: the server drops the connections (real server)', () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  beforeAll(async () => {
    target = await serverTarget({ max: 6, application_name: `keysmith_fault_${Date.now()}` });
    target.pool.on('error', () => {}); // an idle client whose backend was terminated: the pool drops it
  });
  afterAll(() => target?.close());

  it('answers STORE_UNAVAILABLE or the right result while reconnecting, and recovers', async () => {
    const keyring = createKeyring({ store: postgresStore({ client: target.pool, table: target.table }), prefix: 'sk_test', cache: false });
    const { token, key } = await keyring.create({ tenantId: 't1', name: 'survivor' });
    await Promise.all(Array.from({ length: 5 }, () => keyring.verify(token))); // open several connections
    const admin = new pg.Client({ connectionString: process.env.KEYSMITH_PG_URL });
    await admin.connect();
    try {
      const { rows } = await admin.query(`SELECT pg_terminate_backend(pid) AS killed FROM pg_stat_activity WHERE application_name = $1`, [
        target.pool.options.application_name,
      ]);
      assert.ok(rows.length > 0, 'the pool had live connections to terminate');
    } finally {
      await admin.end();
    }
    const answers = [];
    for (let i = 0; i < 5; i++) {
      const result = await settlesWithin(keyring.verify(token));
      answers.push(result.valid ? 'valid' : result.code);
    }
    assert.ok(
      answers.every((a) => a === 'valid' || a === 'STORE_UNAVAILABLE'),
      answers.join(),
    );
    assert.equal(answers.at(-1), 'valid', answers.join());
    assert.equal((await keyring.get('t1', key.id))?.name, 'survivor');
  });
});
