import assert from 'node:assert/strict';
import { makeRecord, newTenant, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function isolationTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'no tenant-scoped call reaches a key of another tenant',
    t(async ({ store }) => {
      const victim = makeRecord();
      await store.insert(victim);
      const attacker = newTenant();
      await store.insert(makeRecord({ tenantId: attacker }));
      assert.equal(await store.get(attacker, victim.id), null);
      assert.equal(await store.update(attacker, victim.id, { name: 'pwned', scopes: ['*'] }), null);
      assert.equal(await store.update(attacker, victim.id, { enabled: false }, 1), null);
      assert.equal(await store.revoke(attacker, victim.id, new Date(), 'attacker'), null);
      const listed = await store.list(attacker, { page: 1, limit: 100, includeRevoked: true, search: victim.id.slice(0, 8) });
      assert.ok(!listed.items.some((r) => r.id === victim.id));
      const all = await store.list(attacker, { page: 1, limit: 100, includeRevoked: true });
      assert.ok(all.items.every((r) => r.tenantId === attacker));
      assert.deepStrictEqual(await store.findById(victim.id), victim);
    }),
  );

  it(
    'tenant ids are matched exactly, not by prefix or case',
    t(async ({ store }) => {
      const victim = makeRecord({ tenantId: 'Acme' });
      await store.insert(victim);
      for (const other of ['acme', 'Acm', 'Acme ', 'Acme%', '%', '.*', '']) {
        assert.equal(await store.get(other, victim.id), null, `tenant ${JSON.stringify(other)}`);
        assert.equal(await store.revoke(other, victim.id, new Date(), null), null);
      }
      assert.equal((await store.findById(victim.id))!.revokedAt, null);
    }),
  );
}
