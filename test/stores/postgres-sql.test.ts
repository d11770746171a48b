import assert from 'node:assert/strict';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isKeysmithError, type KeyPatch, type KeyStore } from 'keysmith';
import { makeRecord, newTenant } from 'keysmith/testing';
import { PostgresStoreError, postgresStore } from 'keysmith/postgres';
import { START_TIMEOUT, PG_URL, pgliteTarget, rawFindById, serverTarget, type PgTarget } from '../support/pg.js';

/** What the conformance suite cannot see from outside: types, SQL guards and failure behaviour. */
function sqlTests(name: string, open: () => Promise<PgTarget>) {
  describe(`postgres SQL behaviour on ${name}`, () => {
    let target: PgTarget;
    let store: KeyStore;
    let raw: ReturnType<typeof rawFindById>;
    beforeAll(async () => {
      target = await open();
      store = postgresStore({ client: target.client, table: target.table });
      raw = rawFindById(target.client, target.quotedTable);
    }, START_TIMEOUT);
    afterAll(() => target?.close());

    it('bigint credits come back as numbers, also above 2^32', async () => {
      const record = makeRecord({ remaining: 2 ** 40 + 3 });
      await store.insert(record);
      const found = (await store.findById(record.id))!;
      assert.equal(found.remaining, 2 ** 40 + 3);
      assert.equal(await store.consume(record.id, 3), 2 ** 40);
      assert.equal(typeof (await store.consume(record.id, 1)), 'number');
      assert.equal(await store.refill(record.id, 5, new Date()), null, 'no refill setting: no refill');
      const { total } = await store.list(record.tenantId, { page: 1, limit: 10 });
      assert.equal(total, 1);
    });

    it('a name written as SQL is stored, searched and found as plain text', async () => {
      const tenantId = newTenant();
      const hostile = makeRecord({ tenantId, name: `'); DROP TABLE x; --` });
      const other = makeRecord({ tenantId, name: 'harmless' });
      await store.insert(hostile);
      await store.insert(other);
      const found = await store.list(tenantId, { page: 1, limit: 10, search: `'); DROP` });
      assert.deepStrictEqual(
        found.items.map((r) => r.id),
        [hostile.id],
      );
      assert.deepStrictEqual(await raw(hostile.id), hostile);
      const escaped = await store.list(tenantId, { page: 1, limit: 10, search: `%' OR '1'='1` });
      assert.equal(escaped.total, 0);
    });

    it('insert of a duplicate id is DUPLICATE_ID, its message names no value, and the original row stays', async () => {
      const original = makeRecord();
      await store.insert(original);
      const clash = makeRecord({ id: original.id, tenantId: 'intruder', hash: `sha256:${'cd'.repeat(32)}` });
      const error = await store.insert(clash).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(isKeysmithError(error) && error.code === 'DUPLICATE_ID');
      assert.ok(!error.message.includes(original.id) && !error.message.includes('cdcd'));
      assert.equal(error.cause, undefined);
      assert.deepStrictEqual(await raw(original.id), original);
    });

    it('an update that fails half-way through its SET list writes nothing', async () => {
      const record = makeRecord({ remaining: 4 });
      await store.insert(record);
      // name is assigned first; then the NOT NULL check on mcp fails while the row is being written.
      const broken = { name: 'half written', mcp: null } as unknown as KeyPatch;
      const notNull = await store.update(record.tenantId, record.id, broken, 1).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(notNull instanceof PostgresStoreError && notNull.code === '23502', String(notNull));
      // ...and a value that is no bigint fails as the statement starts.
      await assert.rejects(store.update(record.tenantId, record.id, { name: 'half written', remaining: 1.5 }, 1), PostgresStoreError);
      assert.deepStrictEqual(await raw(record.id), record);
    });

    it('errors Postgres raises carry its SQLSTATE but never the bound values', async () => {
      const record = makeRecord();
      await store.insert(record);
      const secret = 'do-not-echo-7f3a';
      // jsonb cannot hold \u0000: a data error (class 22) whose driver text would quote the value.
      const error = await store.update(record.tenantId, record.id, { metadata: { note: `${secret}\u0000` } }).then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(error instanceof PostgresStoreError, String(error));
      assert.match(error.code, /^22/);
      assert.ok(!JSON.stringify({ ...error, message: error.message, stack: error.stack }).includes(secret));
      assert.equal(error.cause, undefined);
      assert.deepStrictEqual(await raw(record.id), record);
    });

    it('every tenant-scoped statement filters on the tenant in SQL (exact, byte-wise match)', async () => {
      const record = makeRecord({ tenantId: 'Tenant_A' });
      await store.insert(record);
      for (const tenant of ['tenant_a', 'Tenant_A ', 'Tenant_%', 'Tenant\\_A']) {
        assert.equal(await store.get(tenant, record.id), null);
        assert.equal(await store.update(tenant, record.id, { name: 'x' }), null);
        assert.equal(await store.revoke(tenant, record.id, new Date(), null), null);
        assert.equal((await store.list(tenant, { page: 1, limit: 100, includeRevoked: true })).total, 0);
      }
      assert.deepStrictEqual(await raw(record.id), record);
    });

    it('touch keeps the latest time and never bumps the version', async () => {
      const record = makeRecord({ lastUsedAt: new Date(Date.UTC(2026, 0, 5, 0, 0, 0, 999)) });
      await store.insert(record);
      await store.touch(record.id, new Date(Date.UTC(2026, 0, 4)));
      assert.deepStrictEqual(await raw(record.id), record);
      const later = new Date(Date.UTC(2026, 0, 6, 1, 2, 3, 4));
      await store.touch(record.id, later);
      assert.deepStrictEqual(await raw(record.id), { ...record, lastUsedAt: later });
    });
  });
}

sqlTests('PGlite', pgliteTarget);
if (PG_URL) sqlTests('a real server (pg.Pool)', () => serverTarget({ max: 4 }));
else describe.skip('postgres SQL behaviour on a real server (KEYSMITH_PG_URL unset)', () => it('skipped', () => {}));
