import assert from 'node:assert/strict';
import { isKeysmithError } from 'keysmith';
import { makeRecord, newId, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function basicTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'insert then findById returns the record exactly (dates stay dates, ids stay strings)',
    t(async ({ store, rawFindById }) => {
      const full = makeRecord({
        remaining: 7,
        refill: { amount: 10, interval: 'month' },
        refilledAt: new Date(Date.UTC(2026, 0, 1)),
        revokedAt: null,
        lastUsedAt: new Date(Date.UTC(2026, 1, 2, 3, 4, 5, 678)),
        updatedAt: new Date(Date.UTC(2026, 1, 1)),
      });
      const sparse = makeRecord({
        preset: null,
        expiresAt: null,
        createdBy: null,
        ownerId: null,
        ipAllowlist: [],
        scopes: [],
        roles: [],
        resources: {},
        rateLimits: [],
        metadata: {},
        refill: { amount: 5, interval: 3_600_000 },
      });
      for (const record of [full, sparse]) {
        await store.insert(record);
        const found = await store.findById(record.id);
        assert.deepStrictEqual(found, record);
        assert.ok(found!.createdAt instanceof Date);
        assert.equal(typeof found!.id, 'string');
        if (rawFindById) assert.deepStrictEqual(await rawFindById(record.id), record);
      }
    }),
  );

  it(
    'findById of an unknown id is null',
    t(async ({ store }) => {
      assert.equal(await store.findById(newId()), null);
    }),
  );

  it(
    'insert of an existing id throws DUPLICATE_ID and keeps the first record',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const clash = makeRecord({ id: record.id, name: 'clash' });
      await assert.rejects(store.insert(clash), (e: unknown) => isKeysmithError(e) && e.code === 'DUPLICATE_ID');
      assert.equal((await store.findById(record.id))!.name, record.name);
    }),
  );

  it(
    'get returns the record only in its own tenant',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      assert.deepStrictEqual(await store.get(record.tenantId, record.id), record);
      assert.equal(await store.get('someone_else', record.id), null);
      assert.equal(await store.get(record.tenantId, newId()), null);
    }),
  );

  it(
    'stores hostile text as plain text',
    t(async ({ store }) => {
      const names = ["'); DROP TABLE api_keys; --", 'ünïcødé 🔑 名前', '$where: 1', '{"$gt": ""}', 'back\\slash % _'];
      for (const name of names) {
        const record = makeRecord({ name, metadata: { name, $set: 'x', 'a.b': 1 } });
        await store.insert(record);
        assert.deepStrictEqual(await store.findById(record.id), record);
      }
    }),
  );

  it(
    'records do not share state with the caller',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      record.scopes.push('mutated');
      const found = (await store.findById(record.id))!;
      assert.ok(!found.scopes.includes('mutated'));
      found.scopes.push('again');
      assert.ok(!(await store.findById(record.id))!.scopes.includes('again'));
    }),
  );
}
