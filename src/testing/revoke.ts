import assert from 'node:assert/strict';
import { makeRecord, newId, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function revokeTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'revoke sets revokedAt, revokedBy and updatedAt, bumps version, and is final',
    t(async ({ store, rawFindById }) => {
      const record = makeRecord();
      await store.insert(record);
      const at = new Date(Date.UTC(2026, 3, 3, 3, 3, 3, 3));
      const revoked = await store.revoke(record.tenantId, record.id, at, 'admin_7');
      const expected = { ...record, revokedAt: at, revokedBy: 'admin_7', updatedAt: at, version: 2 };
      assert.deepStrictEqual(revoked, expected);
      assert.deepStrictEqual(await store.findById(record.id), expected);
      if (rawFindById) assert.deepStrictEqual(await rawFindById(record.id), expected);
      assert.equal(await store.revoke(record.tenantId, record.id, new Date(), 'admin_8'), null);
      assert.equal((await store.findById(record.id))!.revokedBy, 'admin_7');
    }),
  );

  it(
    'revoke of another tenant or an unknown id returns null and changes nothing',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      assert.equal(await store.revoke('other_tenant', record.id, new Date(), null), null);
      assert.equal(await store.revoke(record.tenantId, newId(), new Date(), null), null);
      assert.deepStrictEqual(await store.findById(record.id), record);
    }),
  );
}
