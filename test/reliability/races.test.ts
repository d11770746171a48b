import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, type Keyring, type KeyStore } from 'keysmith';
import { START_TIMEOUT } from '../support/pg.js';
import { gatedGets, STORE_TARGETS, type OpenStore } from '../support/store-targets.js';

/**
 * Races through the KEYRING (its read-checks-write paths included, not only the store's guarded
 * writes), on every store. Each test uses its own tenant so the stores can be shared.
 */

type Settled<T> = { ok: true; value: T } | { ok: false; code: string };

async function race<T>(n: number, run: (i: number) => Promise<T>): Promise<Settled<T>[]> {
  return Promise.all(
    Array.from({ length: n }, (_, i) =>
      run(i).then(
        (value): Settled<T> => ({ ok: true, value }),
        (error: unknown): Settled<T> => ({ ok: false, code: isKeysmithError(error) ? error.code : `not a KeysmithError: ${String(error)}` }),
      ),
    ),
  );
}

const codes = (results: Settled<unknown>[]) => results.filter((r): r is { ok: false; code: string } => !r.ok).map((r) => r.code);
const winners = <T>(results: Settled<T>[]) => results.filter((r): r is { ok: true; value: T } => r.ok).map((r) => r.value);

let tenantSeq = 0;
const freshTenant = () => `race_${Date.now().toString(36)}_${tenantSeq++}`;

for (const target of STORE_TARGETS) {
  describe(`races through the keyring: ${target.label}`, () => {
    let opened: OpenStore;
    const keyringOn = (store: KeyStore, cache = true): Keyring => createKeyring({ store, prefix: 'sk', ...(cache ? {} : { cache: false as const }) });

    beforeAll(async () => {
      opened = await target.open();
    }, START_TIMEOUT);
    afterAll(async () => opened?.close());

    it('100 concurrent revokes of one key: exactly one succeeds, the other 99 are NOT_FOUND', async () => {
      const keyring = keyringOn(opened.store);
      const tenant = freshTenant();
      const { key, token } = await keyring.create({ tenantId: tenant, name: 'victim' });
      expect((await keyring.verify(token)).valid).toBe(true); // cached, so the revoke must also clear the cache
      const results = await race(100, (i) => keyring.revoke(tenant, key.id, { by: `admin_${i}` }));
      const won = winners(results);
      expect(won).toHaveLength(1);
      expect(codes(results)).toEqual(Array(99).fill('NOT_FOUND'));
      const stored = (await opened.store.findById(key.id))!;
      expect(stored.revokedBy).toBe(won[0]!.revokedBy);
      expect(stored.version).toBe(2);
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'REVOKED' });
    });

    it('versioned updates: of 20 writers per version exactly one wins, the rest get VERSION_CONFLICT', async () => {
      const keyring = keyringOn(opened.store);
      const tenant = freshTenant();
      const { key } = await keyring.create({ tenantId: tenant, name: 'v' });
      for (let version = 1; version <= 4; version++) {
        const results = await race(20, (i) => keyring.update(tenant, key.id, { name: `v${version} writer ${i}`, version }));
        const won = winners(results);
        expect(won, `round ${version}`).toHaveLength(1);
        expect(codes(results)).toEqual(Array(19).fill('VERSION_CONFLICT'));
        const stored = (await opened.store.findById(key.id))!;
        expect(stored).toMatchObject({ name: won[0]!.name, version: version + 1 });
      }
    });

    it('read, then versioned update, retried on conflict: 12 writers lose no increment', async () => {
      const keyring = keyringOn(opened.store);
      const tenant = freshTenant();
      const { key } = await keyring.create({ tenantId: tenant, name: 'counter', metadata: { count: 0 } });
      let conflicts = 0;
      await race(12, async () => {
        for (;;) {
          const current = (await keyring.get(tenant, key.id))!;
          try {
            return await keyring.update(tenant, key.id, { metadata: { count: (current.metadata.count as number) + 1 }, version: current.version });
          } catch (error) {
            if (!isKeysmithError(error) || error.code !== 'VERSION_CONFLICT') throw error;
            conflicts++;
          }
        }
      });
      const stored = (await opened.store.findById(key.id))!;
      expect(stored.metadata).toEqual({ count: 12 });
      expect(stored.version).toBe(13);
      expect(conflicts).toBeGreaterThanOrEqual(0); // how many depends on the store's scheduling
    }, 60_000);

    it('credits: 100 concurrent verifies of a key with 25 credits (cache on): exactly 25 pass, none below zero', async () => {
      const keyring = keyringOn(opened.store);
      const tenant = freshTenant();
      const { key, token } = await keyring.create({ tenantId: tenant, name: 'metered', remaining: 25 });
      const results = await Promise.all(Array.from({ length: 100 }, () => keyring.verify(token)));
      const passed = results.filter((r) => r.valid);
      expect(passed).toHaveLength(25);
      // Each credit sold once: the balances handed out are 24, 23, …, 0, each exactly once.
      expect(passed.map((r) => (r.valid ? r.key.remaining : -1)).sort((a, b) => a! - b!)).toEqual(Array.from({ length: 25 }, (_, i) => i));
      expect(results.filter((r) => !r.valid).map((r) => (r.valid ? '' : r.code))).toEqual(Array(75).fill('USAGE_EXCEEDED'));
      expect((await opened.store.findById(key.id))!.remaining).toBe(0);
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
      expect((await opened.store.findById(key.id))!.remaining).toBe(0);
    });

    it('credits with a cost: 10 credits at cost 3 by 30 callers sell exactly 3, leaving 1', async () => {
      const keyring = keyringOn(opened.store);
      const { key, token } = await keyring.create({ tenantId: freshTenant(), name: 'metered', remaining: 10 });
      const results = await Promise.all(Array.from({ length: 30 }, () => keyring.verify(token, { cost: 3 })));
      expect(results.filter((r) => r.valid)).toHaveLength(3);
      expect((await opened.store.findById(key.id))!.remaining).toBe(1);
    });

    it('20 concurrent rotations of one key (all read first): one new token, 19 VERSION_CONFLICT, one new record', async () => {
      const tenant = freshTenant();
      const plain = keyringOn(opened.store);
      const { key, token } = await plain.create({ tenantId: tenant, name: 'rotating', scopes: ['docs:read'] });
      const keyring = keyringOn(gatedGets(opened.store, key.id, 20));
      const results = await race(20, () => keyring.rotate(tenant, key.id, { graceMs: 60_000 }));
      const won = winners(results);
      expect(won).toHaveLength(1);
      expect(codes(results)).toEqual(Array(19).fill('VERSION_CONFLICT'));
      const { items } = await opened.store.list(tenant, { page: 1, limit: 100, includeRevoked: true });
      expect(items.map((r) => r.id).sort()).toEqual([key.id, won[0]!.key.id].sort());
      expect(await plain.verify(won[0]!.token)).toMatchObject({ valid: true, key: { id: won[0]!.key.id, scopes: ['docs:read'] } });
      expect((await plain.verify(token)).valid).toBe(true); // still inside its grace period
      expect((await opened.store.findById(key.id))!.version).toBe(2);
    });

    it('20 rotations without a gate: exactly one new key (a rotated-out key is never rotated again), every failure is VERSION_CONFLICT', async () => {
      const tenant = freshTenant();
      const keyring = keyringOn(opened.store);
      const { key } = await keyring.create({ tenantId: tenant, name: 'rotating' });
      const results = await race(20, () => keyring.rotate(tenant, key.id, { graceMs: 60_000 }));
      expect(winners(results)).toHaveLength(1);
      expect(codes(results)).toEqual(Array(19).fill('VERSION_CONFLICT'));
      const { items } = await opened.store.list(tenant, { page: 1, limit: 100, includeRevoked: true });
      expect(items).toHaveLength(2);
    });

    it('20 rotations without a gate, each naming the version it saw: exactly one new token', async () => {
      const tenant = freshTenant();
      const keyring = keyringOn(opened.store);
      const { key } = await keyring.create({ tenantId: tenant, name: 'rotating' });
      const results = await race(20, () => keyring.rotate(tenant, key.id, { graceMs: 60_000, version: key.version }));
      expect(winners(results)).toHaveLength(1);
      expect(codes(results)).toEqual(Array(19).fill('VERSION_CONFLICT'));
      const { items } = await opened.store.list(tenant, { page: 1, limit: 100, includeRevoked: true });
      expect(items).toHaveLength(2);
    });
  });
}
