import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { freshPGlite } from '../support/pglite.js';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isKeysmithError } from 'keysmith';
import { makeRecord } from 'keysmith/testing';
import { MIGRATIONS, appliedVersions, createPostgresStore, migrate, migrationSql, postgresStore, type Queryable } from 'keysmith/postgres';
import { SQL_001_API_KEYS, SQL_002_REQUIRE_MAPPING, SQL_003_SUPERSEDED_BY } from '../../adapters/stores/postgres/schema-sql.js';
import { START_TIMEOUT, PG_URL, freshSchemaName, serverTarget } from '../support/pg.js';

const FILE = new URL('../../adapters/stores/postgres/migrations/001_api_keys.sql', import.meta.url);

describe('postgres migration: one SQL text', () => {
  it('migrations/001_api_keys.sql and the SQL embedded in migrate() are identical', () => {
    assert.equal(SQL_001_API_KEYS, readFileSync(FILE, 'utf8'), 'copy migrations/001_api_keys.sql into adapters/stores/postgres/schema-sql.ts');
    assert.equal(MIGRATIONS[0]!.sql, SQL_001_API_KEYS);
    const file2 = new URL('../../adapters/stores/postgres/migrations/002_require_mapping.sql', import.meta.url);
    assert.equal(SQL_002_REQUIRE_MAPPING, readFileSync(file2, 'utf8'), 'copy migrations/002_require_mapping.sql into adapters/stores/postgres/schema-sql.ts');
    assert.equal(MIGRATIONS[1]!.sql, SQL_002_REQUIRE_MAPPING);
    const file3 = new URL('../../adapters/stores/postgres/migrations/003_superseded_by.sql', import.meta.url);
    assert.equal(SQL_003_SUPERSEDED_BY, readFileSync(file3, 'utf8'), 'copy migrations/003_superseded_by.sql into adapters/stores/postgres/schema-sql.ts');
    assert.equal(MIGRATIONS[2]!.sql, SQL_003_SUPERSEDED_BY);
  });

  it('migrationSql puts a custom table name everywhere the default one was', () => {
    const sql = migrationSql(MIGRATIONS[0]!, { table: 'auth.keys' });
    assert.ok(!sql.includes('"keysmith_api_keys'), sql);
    assert.match(sql, /CREATE TABLE IF NOT EXISTS "auth"\."keys" \(/);
    assert.match(sql, /CREATE INDEX IF NOT EXISTS "keys_tenant_list_idx"\s+ON "auth"\."keys" \(tenant_id, created_at DESC, id DESC\)/);
  });

  it('table names are validated: lower-case identifiers, optionally schema-qualified', async () => {
    const db = { query: async () => ({ rows: [] }) };
    for (const table of [
      'keys; DROP TABLE x',
      'a.b.c',
      'Keys',
      '"keys"',
      '',
      ' keys',
      'keys--',
      '1keys',
      'k'.repeat(48),
      'keysmith_migrations',
      'auth.keysmith_migrations',
    ]) {
      assert.throws(
        () => postgresStore({ client: db, table }),
        (e: unknown) => isKeysmithError(e) && e.code === 'CONFIG',
        table,
      );
      await assert.rejects(migrate(db, { table }), (e: unknown) => isKeysmithError(e) && e.code === 'CONFIG', table);
    }
    for (const table of ['keys', 'auth.api_keys', '_k9', 'k'.repeat(47), `${'s'.repeat(63)}.keys`]) postgresStore({ client: db, table });
    assert.throws(
      () => postgresStore({ client: {} as Queryable }),
      (e: unknown) => isKeysmithError(e) && e.code === 'CONFIG',
    );
  });
});

/** Columns, indexes and recorded versions: what "no change" is measured against. */
async function snapshot(client: Queryable, schema: string, table: string) {
  const columns = await client.query(
    `SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  const indexes = await client.query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename = $2 ORDER BY indexname`, [schema, table]);
  const versions = await client.query(
    `SELECT table_name, version, name, applied_at::text FROM "${schema}".keysmith_migrations WHERE table_name = $1 ORDER BY version`,
    [`${schema}.${table}`],
  );
  return { columns: columns.rows, indexes: indexes.rows, versions: versions.rows };
}

function migrationTests(name: string, open: () => Promise<{ client: Queryable; schema: string; close(): Promise<void>; runFile(sql: string): Promise<void> }>) {
  describe(`postgres migration on ${name}`, () => {
    let db: Awaited<ReturnType<typeof open>>;
    beforeAll(async () => {
      db = await open();
    }, START_TIMEOUT);
    afterAll(() => db?.close());

    it('migrate creates the table, records every version, and a second run changes nothing', async () => {
      const table = `${db.schema}.keys_a`;
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), []);
      assert.deepStrictEqual(await migrate(db.client, { table }), { applied: [1, 2, 3] });
      const first = await snapshot(db.client, db.schema, 'keys_a');
      assert.deepStrictEqual(await migrate(db.client, { table }), { applied: [] });
      assert.deepStrictEqual(await snapshot(db.client, db.schema, 'keys_a'), first);
      assert.deepStrictEqual(
        first.versions.map((v) => [v.table_name, v.version, v.name]),
        [
          [table, 1, '001_api_keys'],
          [table, 2, '002_require_mapping'],
          [table, 3, '003_superseded_by'],
        ],
      );
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), [1, 2, 3]);
    });

    it('store.setup() migrates the store’s own table (the same as migrate), idempotently', async () => {
      const table = `${db.schema}.keys_setup`;
      const store = postgresStore({ client: db.client, table });
      assert.deepStrictEqual(await store.setup(), { applied: [1, 2, 3] });
      assert.deepStrictEqual(await store.setup(), { applied: [] });
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), [1, 2, 3]);
      await store.insert(makeRecord({ tenantId: 't1' }));
      assert.equal((await store.list('t1', { page: 1, limit: 10 })).total, 1);
    });

    it('createPostgresStore, the deprecated one-call form, still returns the store with its table set up', async () => {
      const table = `${db.schema}.keys_created`;
      const store = await createPostgresStore({ client: db.client, table });
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), [1, 2, 3]);
      assert.deepStrictEqual(await store.setup(), { applied: [] });
    });

    it('the table has the documented shape', async () => {
      const table = `${db.schema}.keys_b`;
      await migrate(db.client, { table });
      const { columns, indexes } = await snapshot(db.client, db.schema, 'keys_b');
      const type = (c: string) => columns.find((r) => r.column_name === c)?.data_type;
      assert.equal(type('id'), 'text');
      assert.equal(columns.find((r) => r.column_name === 'id')?.collation_name, 'C');
      for (const c of ['expires_at', 'revoked_at', 'created_at', 'updated_at', 'last_used_at', 'refilled_at'])
        assert.equal(type(c), 'timestamp with time zone', c);
      for (const c of ['scopes', 'roles', 'resources', 'require_mapping', 'mcp', 'ip_allowlist', 'refill', 'rate_limits', 'metadata'])
        assert.equal(type(c), 'jsonb', c);
      assert.equal(type('version'), 'integer');
      assert.equal(type('remaining'), 'bigint');
      assert.equal(type('superseded_by'), 'text');
      assert.equal(columns.find((r) => r.column_name === 'superseded_by')?.collation_name, 'C');
      assert.equal(columns.length, 29);
      const defs = indexes.map((i) => String(i.indexdef));
      assert.ok(
        defs.some((d) => /PRIMARY KEY|UNIQUE INDEX keys_b_pkey .*\(id\)/.test(d)),
        defs.join('\n'),
      );
      assert.ok(
        defs.some((d) => d.includes('keys_b_tenant_list_idx') && d.includes('(tenant_id, created_at DESC, id DESC)')),
        defs.join('\n'),
      );
    });

    it('the .sql file run by hand, then migrate(), gives the same table and records the version', async () => {
      const table = `${db.schema}.keys_c`;
      await db.runFile(migrationSql(MIGRATIONS[0]!, { table }));
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), []);
      await migrate(db.client, { table });
      assert.deepStrictEqual(await appliedVersions(db.client, { table }), [1, 2, 3]);
      const store = postgresStore({ client: db.client, table });
      const record = makeRecord();
      await store.insert(record);
      assert.deepStrictEqual(await store.findById(record.id), record);
    });

    it('parallel migrate() calls of one table all succeed and apply it once', async () => {
      const table = `${db.schema}.keys_d`;
      const results = await Promise.all(Array.from({ length: 6 }, () => migrate(db.client, { table })));
      assert.ok(results.some((r) => r.applied.includes(1)));
      const { versions } = await snapshot(db.client, db.schema, 'keys_d');
      assert.deepStrictEqual(
        versions.map((v) => v.version),
        [1, 2, 3],
      );
    });

    it('a table at version 1 with keys upgrades in place: old keys read requireMapping false, supersededBy null', async () => {
      const table = `${db.schema}.keys_e`;
      await db.runFile(migrationSql(MIGRATIONS[0]!, { table }));
      const { requireMapping: _r, supersededBy: _s, ...old } = makeRecord();
      const columns = 'id, tenant_id, name, prefix, preview, hash, mcp, created_at';
      await db.client.query(`INSERT INTO "${db.schema}"."keys_e" (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)`, [
        old.id,
        old.tenantId,
        old.name,
        old.prefix,
        old.preview,
        old.hash,
        JSON.stringify(old.mcp),
        old.createdAt.toISOString(),
      ]);
      assert.deepStrictEqual(await migrate(db.client, { table }), { applied: [1, 2, 3] });
      const found = await postgresStore({ client: db.client, table }).findById(old.id);
      assert.equal(found?.requireMapping, false);
      assert.equal(found?.supersededBy, null);
    });
  });
}

migrationTests('PGlite', async () => {
  const db = await freshPGlite();
  const schema = freshSchemaName();
  await db.query(`CREATE SCHEMA "${schema}"`);
  return { client: db, schema, close: () => db.close(), runFile: async (sql) => void (await db.exec(sql)) };
});

if (PG_URL) {
  migrationTests('a real server (pg.Pool)', async () => {
    const target = await serverTarget({ max: 4 });
    // pg sends a query without parameters as a simple query, which may hold several statements.
    return { client: target.pool, schema: target.schema, close: target.close, runFile: async (sql) => void (await target.pool.query(sql)) };
  });
} else {
  describe.skip('postgres migration on a real server (KEYSMITH_PG_URL unset)', () => it('skipped', () => {}));
}
