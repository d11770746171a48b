import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS as targets, type OpenStore } from '../support/store-targets.js';
import { runs } from '../support/runs.js';

type Op =
  | { kind: 'create'; actor: number }
  | { kind: 'get' | 'update' | 'revoke' | 'pause' | 'rotate'; actor: number; key: number }
  | { kind: 'list'; actor: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('create' as const), actor: fc.nat(2) }),
  fc.record({
    kind: fc.constantFrom('get' as const, 'update' as const, 'revoke' as const, 'pause' as const, 'rotate' as const),
    actor: fc.nat(2),
    key: fc.nat(30),
  }),
  fc.record({ kind: fc.constant('list' as const), actor: fc.nat(2) }),
);

let run = 0;

for (const target of targets) {
  describe(`tenant isolation over random operations: ${target.label}`, () => {
    let opened: OpenStore;
    beforeAll(async () => {
      opened = await target.open();
    }, START_TIMEOUT);
    afterAll(async () => opened?.close());

    it('no actor ever reads, changes, revokes or lists another tenant’s key', async () => {
      const keyring = createKeyring({ store: opened.store, prefix: 'sk', cache: false });
      await fc.assert(
        fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 25 }), async (ops) => {
          run++;
          const tenants = [0, 1, 2].map((i) => `iso${run}_t${i}`);
          const owner = new Map<string, string>(); // key id → tenant
          const ids: string[] = [];
          const pick = (n: number) => (ids.length ? ids[n % ids.length]! : 'Z'.repeat(16));
          for (const o of ops) {
            const tenant = tenants[o.actor]!;
            if (o.kind === 'create') {
              const { key } = await keyring.create({ tenantId: tenant, name: `k${ids.length}` });
              owner.set(key.id, tenant);
              ids.push(key.id);
              continue;
            }
            if (o.kind === 'list') {
              const { items } = await keyring.list(tenant, { includeRevoked: true, limit: 100 });
              expect(items.every((k) => k.tenantId === tenant)).toBe(true);
              expect(items.length).toBe([...owner.values()].filter((t) => t === tenant).length);
              continue;
            }
            const id = pick(o.key);
            const mine = owner.get(id) === tenant;
            const before = await opened.store.findById(id);
            const attempt = async () => {
              switch (o.kind) {
                case 'get':
                  return keyring.get(tenant, id);
                case 'update':
                  return keyring.update(tenant, id, { name: `renamed by ${tenant}`, scopes: ['*'] });
                case 'revoke':
                  return keyring.revoke(tenant, id, { by: tenant });
                case 'pause':
                  return keyring.setEnabled(tenant, id, false);
                case 'rotate': {
                  const rotated = await keyring.rotate(tenant, id);
                  owner.set(rotated.key.id, tenant);
                  ids.push(rotated.key.id);
                  return rotated;
                }
              }
            };
            const outcome = await attempt().then(
              (value) => ({ value }),
              (error: { code?: string }) => ({ error }),
            );
            if (!mine) {
              if ('error' in outcome) expect(outcome.error.code).toBe('NOT_FOUND');
              else expect(outcome.value).toBeNull(); // only get answers instead of throwing
              expect(await opened.store.findById(id)).toEqual(before); // untouched
            } else if ('error' in outcome) {
              if (outcome.error.code === 'VALIDATION') {
                // only rotating a key that an earlier rotation already expired
                expect(o.kind).toBe('rotate');
                expect(before!.expiresAt!.getTime()).toBeLessThanOrEqual(Date.now());
              } else {
                expect(outcome.error.code).toBe('NOT_FOUND'); // only because it was revoked before
                expect(before?.revokedAt).not.toBeNull();
              }
            }
          }
          const all = await keyring.listAcrossTenants({ search: `k`, includeRevoked: true, limit: 100 });
          for (const k of all.items) if (owner.has(k.id)) expect(k.tenantId).toBe(owner.get(k.id));
        }),
        { numRuns: target.label === 'memory' ? runs(100, 200) : runs(15, 25) },
      );
    }, 180_000);
  });
}
