import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS, type OpenStore } from '../support/store-targets.js';
import { makeClient } from '../http/admin-client.js';
import { FRAMEWORKS, type RunningApp } from '../http/apps.js';
import { TENANT_A } from '../http/fixture.js';

/**
 * Issue 12, items 2 and 3, on every store (memory, PGlite, the PostgreSQL server with
 * KEYSMITH_PG_URL, MongoDB through the wire test server):
 * - a rotated-out (superseded) key stays out: its expiry only ever moves earlier, it is never
 *   resumed into life again, and it never gets a second successor;
 * - credits move to the successor exactly once: verifies racing a rotation spend each credit once,
 *   on the old key or on the new one, never on both.
 */

let tenantSeq = 0;
const freshTenant = () => `rot_${Date.now().toString(36)}_${tenantSeq++}`;

for (const target of STORE_TARGETS) {
  describe(`rotation security: ${target.label}`, () => {
    let opened: OpenStore;
    let keyring: Keyring;
    beforeAll(async () => {
      opened = await target.open();
      keyring = createKeyring({ store: opened.store, prefix: 'sk' });
    }, START_TIMEOUT);
    afterAll(async () => opened?.close());

    it('verifies racing a rotation spend at most 100 of 100 credits across old and new key, and exactly 100 once drained', async () => {
      for (let trial = 0; trial < 3; trial++) {
        const tenant = freshTenant();
        const { key, token } = await keyring.create({ tenantId: tenant, name: 'metered', remaining: 100 });
        let rotated = false;
        let oldSpent = 0;
        let rotation: ReturnType<Keyring['rotate']> | undefined;
        // Eight callers verify the old token back to back, before, during and after the rotation. The
        // caller that sees the threshold starts the rotation itself (on the memory store every step is
        // a microtask, so a timer in the test body would never get a turn).
        const threshold = 5 + trial * 10;
        const worker = async () => {
          let extra = 3;
          for (let round = 0; extra > 0 && round < 1_000; round++) {
            if (rotated) extra--;
            const r = await keyring.verify(token, { cost: 1 });
            if (r.valid) oldSpent++;
            if (!rotation && oldSpent >= threshold) {
              rotation = keyring.rotate(tenant, key.id, { graceMs: 60_000 });
              void rotation.then(
                () => (rotated = true),
                () => (rotated = true),
              );
            }
          }
        };
        await Promise.all(Array.from({ length: 8 }, worker));
        expect(rotation, 'the rotation started').toBeDefined();
        const next = await rotation!;
        const moved = next.key.remaining!;
        expect(oldSpent + moved, `old spent ${oldSpent}, moved ${moved}`).toBe(100);
        let newSpent = 0;
        for (;;) {
          const r = await keyring.verify(next.token, { cost: 1 });
          if (!r.valid) {
            expect(r.code).toBe('USAGE_EXCEEDED');
            break;
          }
          newSpent++;
        }
        expect(oldSpent + newSpent, `old spent ${oldSpent}, new spent ${newSpent}`).toBe(100);
        expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
      }
    }, 60_000);

    it('a superseded key: its expiry only moves earlier, it is never resumed, and it has one successor', async () => {
      const tenant = freshTenant();
      const { key, token } = await keyring.create({ tenantId: tenant, name: 'leaky', remaining: 10, refill: { amount: 10, interval: 'day' } });
      const next = await keyring.rotate(tenant, key.id, { graceMs: 60_000 });
      const graceEnd = next.previous.expiresAt!;

      const far = new Date(Date.now() + 365 * 86_400_000);
      for (const patch of [{ expiresAt: null }, { expiresAt: far }, { expiresIn: '1d' }, { expiresAt: new Date(graceEnd.getTime() + 1) }]) {
        await expect(keyring.update(tenant, key.id, patch), JSON.stringify(patch)).rejects.toMatchObject({
          code: 'VALIDATION',
          issues: [{ path: [Object.keys(patch)[0]] }],
        });
      }
      expect(next.previous).toMatchObject({ supersededBy: next.key.id, remaining: 0, refill: null });
      expect(next.key).toMatchObject({ supersededBy: null, remaining: 10, refill: { amount: 10, interval: 'day' } });
      // Credits moved to the successor: the old key gets none back.
      for (const patch of [{ remaining: 1_000 }, { remaining: null }, { refill: { amount: 5, interval: 'day' as const } }]) {
        await expect(keyring.update(tenant, key.id, patch), JSON.stringify(patch)).rejects.toMatchObject({ code: 'VALIDATION' });
      }
      expect((await keyring.get(tenant, key.id))!.expiresAt).toEqual(graceEnd);

      // Pausing is fine; resuming a superseded key is not (resume its successor instead).
      await keyring.setEnabled(tenant, key.id, false);
      await expect(keyring.setEnabled(tenant, key.id, true)).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['enabled'] }] });
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'DISABLED' });

      // An earlier expiry, a new name: allowed.
      const sooner = new Date(Date.now() + 30_000);
      await expect(keyring.update(tenant, key.id, { expiresAt: sooner, name: 'leaky (old)' })).resolves.toMatchObject({ expiresAt: sooner });

      // One successor only: a second rotation of the old key is refused and mints nothing.
      await expect(keyring.rotate(tenant, key.id, { graceMs: 60_000 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
      const { items } = await keyring.list(tenant, { includeRevoked: true });
      expect(items.map((k) => k.id).sort()).toEqual([key.id, next.key.id].sort());
      // The successor itself is an ordinary key.
      await expect(keyring.update(tenant, next.key.id, { expiresAt: null })).resolves.toMatchObject({ expiresAt: null });
    });
  });
}

for (const { name, start } of FRAMEWORKS) {
  describe(`a rotated-out key stays out over the admin API (${name}, real HTTP)`, () => {
    let now = Date.now();
    let keyring: Keyring;
    let app: RunningApp;
    beforeAll(async () => {
      keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: () => now });
      app = await start(keyring);
    });
    afterAll(async () => app?.close());

    it('PATCH cannot lift or extend the expiry of a superseded key; it expires when its grace ends', async () => {
      const admin = makeClient(app.url);
      const { key, token } = await keyring.create({ tenantId: TENANT_A, name: 'to rotate' });
      const rotate = await admin({ method: 'POST', path: `/admin/keys/${key.id}/rotate`, as: 'alice', body: { graceMs: 5_000 } });
      expect(rotate.status).toBe(201);
      for (const body of [{ expiresAt: null }, { expiresAt: new Date(now + 86_400_000).toISOString() }, { expiresIn: '30d' }]) {
        const answer = await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body });
        expect(answer.status, JSON.stringify(body)).toBe(400);
        expect(answer.json).toMatchObject({ error: { code: 'VALIDATION' } });
      }
      expect(rotate.json).toMatchObject({ previous: { id: key.id, supersededBy: (rotate.json as { key: { id: string } }).key.id } });
      const shown = await admin({ method: 'GET', path: `/admin/keys/${key.id}`, as: 'alice' });
      expect(shown.json).toMatchObject({ supersededBy: expect.any(String) });
      expect((await keyring.verify(token)).valid).toBe(true); // inside its grace period
      now += 5_001;
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'EXPIRED' });
    });
  });
}
