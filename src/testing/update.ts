import assert from 'node:assert/strict';
import { makeRecord, newId, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function updateTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'update applies the patch, bumps version and leaves other fields alone',
    t(async ({ store, rawFindById }) => {
      const record = makeRecord();
      await store.insert(record);
      const at = new Date(Date.UTC(2026, 5, 1, 0, 0, 0, 1));
      const updated = await store.update(record.tenantId, record.id, {
        name: 'Renamed',
        scopes: ['a:read'],
        resources: { project: ['p9'] },
        mcp: { enabled: false, tools: { mode: 'deny', names: ['rm'] }, readOnly: false },
        expiresAt: null,
        metadata: { replaced: true },
        enabled: false,
        updatedAt: at,
      });
      const expected = {
        ...record,
        name: 'Renamed',
        scopes: ['a:read'],
        resources: { project: ['p9'] },
        mcp: { enabled: false, tools: { mode: 'deny' as const, names: ['rm'] }, readOnly: false },
        expiresAt: null,
        metadata: { replaced: true },
        enabled: false,
        updatedAt: at,
        version: 2,
      };
      assert.deepStrictEqual(updated, expected);
      assert.deepStrictEqual(await store.findById(record.id), expected);
      if (rawFindById) assert.deepStrictEqual(await rawFindById(record.id), expected);
    }),
  );

  it(
    'update with a stale expectedVersion changes nothing and returns null',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      assert.equal(await store.update(record.tenantId, record.id, { name: 'x' }, 2), null);
      assert.deepStrictEqual(await store.findById(record.id), record);
      const ok = await store.update(record.tenantId, record.id, { name: 'y' }, 1);
      assert.equal(ok?.version, 2);
    }),
  );

  it(
    'update of another tenant, an unknown id or a revoked key returns null',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      assert.equal(await store.update('other_tenant', record.id, { name: 'x' }), null);
      assert.equal(await store.update(record.tenantId, newId(), { name: 'x' }), null);
      assert.deepStrictEqual(await store.findById(record.id), record);
      await store.revoke(record.tenantId, record.id, new Date(), null);
      assert.equal(await store.update(record.tenantId, record.id, { name: 'x' }), null);
    }),
  );

  it(
    'update can set credits, refill and limits',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const updated = await store.update(record.tenantId, record.id, {
        remaining: 50,
        refill: { amount: 50, interval: 'day' },
        refilledAt: new Date(Date.UTC(2026, 0, 1)),
        rateLimits: [],
        ipAllowlist: [],
        ownerId: null,
      });
      assert.equal(updated?.remaining, 50);
      assert.deepStrictEqual(updated?.refill, { amount: 50, interval: 'day' });
      assert.deepStrictEqual(updated?.refilledAt, new Date(Date.UTC(2026, 0, 1)));
      assert.deepStrictEqual(updated?.rateLimits, []);
      assert.equal(updated?.ownerId, null);
    }),
  );
}
