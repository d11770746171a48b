import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { countingStore } from '../support/counting-store.js';
import { localChannel } from '../support/local-channel.js';
import { makeClient } from './admin-client.js';
import { FRAMEWORKS, type RunningApp } from './apps.js';
import { TENANT_A, TENANT_B } from './fixture.js';

/**
 * Issue 12, item 10: a management call that fails — another tenant's id, any string in the path,
 * a lost version race — changes nothing, so it evicts nothing and publishes nothing. Only ids of
 * keys whose change the store confirmed are announced, once.
 */
for (const { name, start } of FRAMEWORKS) {
  describe(`failed admin calls have no side effects (${name}, real HTTP)`, () => {
    const inner = memoryStore();
    const counted = countingStore(inner);
    const { channel, published } = localChannel();
    let keyring: Keyring;
    let app: RunningApp;
    beforeAll(async () => {
      keyring = createKeyring({ store: counted.store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: channel });
      await keyring.ready();
      app = await start(keyring);
    });
    afterAll(async () => {
      await app?.close();
      await keyring?.close();
    });

    it("another tenant's id or any path string: 404, no store write, no eviction, nothing published", async () => {
      const admin = makeClient(app.url);
      const bobs = await keyring.create({ tenantId: TENANT_B, name: 'bob key' });
      const alices = await keyring.create({ tenantId: TENANT_A, name: 'alice key' });
      expect((await keyring.verify(bobs.token)).valid).toBe(true); // cached on this instance
      const reads = counted.calls.findById ?? 0;
      const untouched = [await inner.findById(bobs.key.id), await inner.findById(alices.key.id)];

      const long = 'A'.repeat(9_000);
      const attempts: [string, string, unknown?][] = [
        ['DELETE', `/admin/keys/${bobs.key.id}`],
        ['PATCH', `/admin/keys/${bobs.key.id}`, { name: 'mine now' }],
        ['POST', `/admin/keys/${bobs.key.id}/toggle-active`, { enabled: false }],
        ['POST', `/admin/keys/${bobs.key.id}/rotate`, {}],
        ['DELETE', `/admin/keys/${long}`],
        ['PATCH', `/admin/keys/${long}`, { name: 'x' }],
        ['DELETE', `/admin/keys/${encodeURIComponent('../keys/\u0000')}`],
        ['DELETE', `/admin/keys/${encodeURIComponent(`${bobs.key.id} `)}`],
        ['PATCH', `/admin/keys/${alices.key.id}`, { name: 'lost race', version: 99 }], // own key, stale version: 409
      ];
      for (const [method, path, body] of attempts) {
        const before = counted.total();
        const answer = await admin({ method, path, as: 'alice', body });
        expect(answer.status, `${method} ${path.slice(0, 40)}`).toBe(path.includes(alices.key.id) ? 409 : 404);
        if (path.includes(long) || path.includes('%00') || path.includes('%20')) {
          expect(counted.total() - before, `a malformed id never reaches the store: ${path.slice(0, 40)}`).toBe(0);
        }
      }
      expect(published).toEqual([]);
      // Bob's cached record is still there: his next verify asks the store nothing.
      expect((await keyring.verify(bobs.token)).valid).toBe(true);
      expect(counted.calls.findById ?? 0).toBe(reads);
      expect([await inner.findById(bobs.key.id), await inner.findById(alices.key.id)]).toEqual(untouched);
    });

    it('a confirmed change is announced once, with its own id', async () => {
      const admin = makeClient(app.url);
      const { key, token } = await keyring.create({ tenantId: TENANT_A, name: 'to revoke' });
      published.length = 0;
      expect((await admin({ method: 'DELETE', path: `/admin/keys/${key.id}`, as: 'alice' })).status).toBe(204);
      expect(published).toEqual([key.id]);
      expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'REVOKED' });
      published.length = 0;
      // Revoking it again is a 404: the key is already revoked in this tenant, so it is announced again
      // (a revoke whose answer was lost still reaches every cache), but nothing else is.
      expect((await admin({ method: 'DELETE', path: `/admin/keys/${key.id}`, as: 'alice' })).status).toBe(404);
      expect((await admin({ method: 'DELETE', path: `/admin/keys/${key.id}`, as: 'bob' })).status).toBe(404);
      expect(published).toEqual([key.id]);
    });
  });
}
