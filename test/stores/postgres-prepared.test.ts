import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { postgresStore } from 'keysmith/postgres';
import { makeRecord } from 'keysmith/testing';
import { PG_URL, serverTarget } from '../support/pg.js';

/** The verify path's lookup and credit decrement, and create's INSERT, go out as named prepared statements on node-postgres. */
describe.skipIf(!PG_URL)('postgres store: named prepared statements (real server)', () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  beforeAll(async () => {
    target = await serverTarget({ max: 1 }); // one connection, so pg_prepared_statements is ours
  });
  afterAll(async () => target?.close());

  const prepared = async (pool: pg.Pool) =>
    (await pool.query(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'keysmith_%' ORDER BY name`)).rows.map((r) => r.name as string);

  it('prepares findById, consume and insert once per connection by default, and not with prepare: false', async () => {
    const plain = postgresStore({ client: target.pool, table: target.table, prepare: false });
    const record = makeRecord({ remaining: 10 });
    await plain.insert(record);
    await plain.findById(record.id);
    expect(await prepared(target.pool)).toEqual([]);

    const store = postgresStore({ client: target.pool, table: target.table });
    for (let i = 0; i < 3; i++) {
      expect((await store.findById(record.id))?.id).toBe(record.id);
      expect(await store.consume(record.id, 1)).toBe(9 - i);
      await store.insert(makeRecord());
    }
    const names = await prepared(target.pool);
    expect(names).toHaveLength(3);
    expect(names.some((n) => n.startsWith('keysmith_insert_'))).toBe(true);
    expect(names.some((n) => n.startsWith('keysmith_findById_'))).toBe(true);
    expect(names.some((n) => n.startsWith('keysmith_consume_'))).toBe(true);
  });
});
