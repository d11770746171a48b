import { describe, expect, it } from 'vitest';
import { memoryStore } from 'keysmith/memory';
import { runStoreConformance } from 'keysmith/testing';

runStoreConformance({ name: 'memory', createStore: () => ({ store: memoryStore() }), test: { describe, it } });

describe('memory store: records built with one fixed shape', () => {
  const base = async () => {
    const { createKeyring } = await import('keysmith');
    const store = memoryStore();
    const keyring = createKeyring({ store, prefix: 'sk', scopes: ['a:read'] });
    const { key } = await keyring.create({ tenantId: 't1', name: 'k', scopes: ['a:read'], metadata: { n: 1 } });
    const stored = (await store.findById(key.id))!;
    return { store, key, stored };
  };

  it('update applies KeyPatch fields only (undefined = not given) and keeps every other field', async () => {
    const { store, stored } = await base();
    const hostile = { name: 'renamed', enabled: undefined, hash: 'sha256:x', tenantId: 't2', lastUsedAt: new Date(0), ownerId: null } as never;
    const updated = (await store.update('t1', stored.id, hostile))!;
    expect(Object.keys(updated)).toEqual(Object.keys(stored));
    expect(updated).toEqual({ ...stored, name: 'renamed', ownerId: null, version: stored.version + 1 });
    expect(await store.findById(stored.id)).toEqual(updated);
  });

  it('revoke sets revokedAt, revokedBy, updatedAt and the version, nothing else', async () => {
    const { store, stored } = await base();
    const at = new Date(Date.now() + 1000);
    const revoked = (await store.revoke('t1', stored.id, at, 'admin'))!;
    expect(Object.keys(revoked)).toEqual(Object.keys(stored));
    expect(revoked).toEqual({ ...stored, revokedAt: at, revokedBy: 'admin', updatedAt: at, version: stored.version + 1 });
  });

  it('create stores every field of ApiKeyRecord, in its order', async () => {
    const { stored, key } = await base();
    expect(Object.keys(stored)).toEqual([
      'id',
      'tenantId',
      'name',
      'prefix',
      'preview',
      'hash',
      'scopes',
      'roles',
      'preset',
      'resources',
      'requireMapping',
      'mcp',
      'enabled',
      'expiresAt',
      'revokedAt',
      'revokedBy',
      'createdAt',
      'createdBy',
      'updatedAt',
      'lastUsedAt',
      'ownerId',
      'ipAllowlist',
      'remaining',
      'refill',
      'refilledAt',
      'rateLimits',
      'metadata',
      'supersededBy',
      'version',
    ]);
    expect(key).toMatchObject({ id: stored.id, tenantId: 't1', name: 'k', scopes: ['a:read'], metadata: { n: 1 }, version: 1, lastUsedAt: null });
  });
});
