import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createKeyring, keyStatus, type KeyStatus } from 'keysmith';
import { makeRecord, newTenant } from 'keysmith/testing';
import { STORE_TARGETS, type OpenStore } from '../support/store-targets.js';

const NOW = Date.UTC(2030, 5, 1, 12);
const STATUSES: KeyStatus[] = ['active', 'paused', 'expired', 'revoked'];

/** Listing through the keyring on every store: the filters run inside each store's own query. */
for (const target of STORE_TARGETS) {
  describe(`keyring.list filters on ${target.label}`, () => {
    let opened: OpenStore;
    beforeAll(async () => {
      opened = await target.open();
    }, 120_000);
    afterAll(() => opened?.close());
    const keyring = () => createKeyring({ store: opened.store, prefix: 'sk_test', clock: () => NOW, cache: false });

    it('status, resource and ownerId narrow the list; every item carries its derived status', async () => {
      const k = keyring();
      const tenantId = newTenant();
      const p1 = await k.create({ tenantId, name: 'p1', resources: { project: ['p1'] }, ownerId: 'u1' });
      const p2 = await k.create({ tenantId, name: 'p2', resources: { project: ['p2'] } });
      const paused = await k.create({ tenantId, name: 'paused', resources: { project: ['p1'] } });
      await k.setEnabled(tenantId, paused.key.id, false);
      const gone = await k.create({ tenantId, name: 'gone', resources: { project: ['p1'] } });
      await k.revoke(tenantId, gone.key.id);
      const page = await k.list(tenantId, { resource: 'project:p1' });
      expect(page.items.map((i) => [i.name, i.status]).sort()).toEqual([
        ['p1', 'active'],
        ['paused', 'paused'],
      ]);
      expect((await k.list(tenantId, { resource: 'project:p1', status: 'active' })).items.map((i) => i.id)).toEqual([p1.key.id]);
      expect((await k.list(tenantId, { status: ['revoked'] })).items.map((i) => [i.id, i.status])).toEqual([[gone.key.id, 'revoked']]);
      expect((await k.list(tenantId, { ownerId: 'u1' })).items.map((i) => i.id)).toEqual([p1.key.id]);
      expect((await k.list(tenantId, { status: 'active,paused' })).total).toBe(3);
      expect((await k.list(tenantId, { resource: 'project:p2', status: 'paused' })).total).toBe(0);
      expect(p2.key.status).toBe('active');
      // @ts-expect-error the type refuses an unknown status too; at run time it is a VALIDATION error
      await expect(k.list(tenantId, { status: 'gone' })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['status', 0] }] });
      await expect(k.list(tenantId, { resource: 'p1' })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['resource'] }] });
    });

    it('property: for any keys and any query, the store returns exactly the keys keyStatus selects', async () => {
      const record = fc.record({
        enabled: fc.boolean(),
        expires: fc.option(fc.integer({ min: -3, max: 3 }), { nil: null }),
        revoked: fc.boolean(),
        projects: fc.subarray(['p1', 'p2', '*']),
        owner: fc.constantFrom('u1', 'u2', null),
      });
      const query = fc.record({
        status: fc.option(fc.subarray(STATUSES, { minLength: 1 }), { nil: undefined }),
        includeRevoked: fc.boolean(),
        includeExpired: fc.boolean(),
        resource: fc.option(fc.constantFrom('project:p1', 'project:p2', 'project:*'), { nil: undefined }),
        ownerId: fc.option(fc.constantFrom('u1', 'u2'), { nil: undefined }),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 8 }), query, async (specs, q) => {
          const tenantId = newTenant();
          const records = specs.map((s) =>
            makeRecord({
              tenantId,
              enabled: s.enabled,
              // -1, 0 and 1 ms around NOW: the boundary (expiresAt == now is expired) is hit often.
              expiresAt: s.expires === null ? null : new Date(NOW + s.expires),
              revokedAt: s.revoked ? new Date(NOW - 1000) : null,
              resources: s.projects.length ? { project: s.projects } : {},
              ownerId: s.owner,
            }),
          );
          for (const r of records) await opened.store.insert(r);
          const { items, total } = await keyring().list(tenantId, { ...q, limit: 100 });
          const [kind, id] = q.resource?.split(':') ?? [];
          const wanted = q.status ?? STATUSES.filter((s) => (s === 'revoked' ? q.includeRevoked : s === 'expired' ? q.includeExpired : true));
          const expected = records
            .filter((r) => wanted.includes(keyStatus(r, NOW)))
            .filter((r) => !kind || (r.resources[kind] ?? []).includes(id!))
            .filter((r) => q.ownerId === undefined || r.ownerId === q.ownerId)
            .map((r) => r.id)
            .sort();
          expect(items.map((i) => i.id).sort()).toEqual(expected);
          expect(total).toBe(expected.length);
          for (const item of items) expect(item.status).toBe(keyStatus(records.find((r) => r.id === item.id)!, NOW));
        }),
        { numRuns: 25 },
      );
    }, 120_000);
  });
}
