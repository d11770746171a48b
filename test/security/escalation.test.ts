import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, type ActorPermissions, type Keyring } from 'keysmith';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS, type OpenStore } from '../support/store-targets.js';

/**
 * Issue 12 items 4-6 through the keyring, on every store: no actor grants or keeps more than it
 * holds, in any dimension. The actor is always a real key, as authorizeWithKey builds it.
 */

const TENANT = 'tenant_sec';

/** What a key may do as an admin: exactly what authorizeWithKey hands the keyring. */
async function actorOf(keyring: Keyring, token: string, ip?: string): Promise<ActorPermissions> {
  const verified = await keyring.verify(token, { ip, limits: false });
  if (!verified.valid) throw new Error(`the actor key does not verify: ${verified.code}`);
  const { key, permissions } = verified;
  return {
    scopes: permissions.scopes,
    resources: permissions.resources,
    requireMapping: permissions.requireMapping,
    mcp: permissions.mcp,
    expiresAt: key.expiresAt,
    ipAllowlist: key.ipAllowlist,
    remaining: key.remaining,
    refill: key.refill,
    rateLimits: key.rateLimits,
  };
}

async function refusal(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isKeysmithError(error)) throw new Error(`expected ESCALATION, got ${error === null ? 'success' : String(error)}`);
  return error.code;
}

for (const target of STORE_TARGETS) {
  describe(`no escalation in any dimension: ${target.label}`, () => {
    let open: OpenStore;
    let keyring: Keyring;
    beforeAll(async () => {
      open = await target.open();
      keyring = createKeyring({ store: open.store, prefix: 'sk_sec', requireMapping: true, cache: false });
    }, START_TIMEOUT);
    afterAll(async () => open?.close());

    it('item 4: with requireMapping, a kind the actor does not list is one it cannot grant, to others or itself', async () => {
      const manager = await keyring.create({ tenantId: TENANT, name: 'p1 manager', scopes: ['keys:manage', 'docs:read'], resources: { project: ['p1'] } });
      const actor = await actorOf(keyring, manager.token);
      for (const org of [['*'], ['o1']]) {
        expect(await refusal(keyring.create({ tenantId: TENANT, name: 'x', scopes: ['docs:read'], resources: { project: ['p1'], org }, actor }))).toBe(
          'ESCALATION',
        );
        expect(await refusal(keyring.update(TENANT, manager.key.id, { resources: { project: ['p1'], org }, actor }))).toBe('ESCALATION');
      }
      expect(await refusal(keyring.create({ tenantId: TENANT, name: 'x', resources: { project: ['*'] }, actor }))).toBe('ESCALATION');
      expect((await keyring.create({ tenantId: TENANT, name: 'ok', scopes: ['docs:read'], resources: { project: ['p1'] }, actor })).key.resources).toEqual({
        project: ['p1'],
      });
      expect((await keyring.get(TENANT, manager.key.id))?.resources).toEqual({ project: ['p1'] });
    });

    it('item 5: an actor may not update, pause, resume, rotate or revoke a key that holds more than it does', async () => {
      const manager = await keyring.create({ tenantId: TENANT, name: 'reader manager', scopes: ['keys:manage', 'docs:read'], resources: { project: ['*'] } });
      const actor = await actorOf(keyring, manager.token);
      const strong = await keyring.create({ tenantId: TENANT, name: 'strong', scopes: ['docs:read', 'docs:write'], resources: { project: ['*'] } });
      const id = strong.key.id;
      expect(await refusal(keyring.update(TENANT, id, { scopes: ['docs:read'], actor }))).toBe('ESCALATION');
      expect(await refusal(keyring.update(TENANT, id, { name: 'renamed', actor }))).toBe('ESCALATION');
      expect(await refusal(keyring.setEnabled(TENANT, id, false, { actor }))).toBe('ESCALATION');
      expect(await refusal(keyring.rotate(TENANT, id, { actor }))).toBe('ESCALATION');
      expect(await refusal(keyring.revoke(TENANT, id, { actor }))).toBe('ESCALATION');
      expect(await keyring.get(TENANT, id)).toMatchObject({ name: 'strong', scopes: ['docs:read', 'docs:write'], enabled: true, revokedAt: null, version: 1 });
      expect((await keyring.verify(strong.token)).valid).toBe(true);
      // Paused keys too: resuming one that holds more is a change as well.
      await keyring.setEnabled(TENANT, id, false);
      expect(await refusal(keyring.setEnabled(TENANT, id, true, { actor }))).toBe('ESCALATION');
      // Within its rights, everything works.
      const small = await keyring.create({ tenantId: TENANT, name: 'small', scopes: ['docs:read'], resources: { project: ['p2'] }, actor });
      await keyring.setEnabled(TENANT, small.key.id, false, { actor });
      const rotated = await keyring.rotate(TENANT, small.key.id, { actor });
      expect((await keyring.revoke(TENANT, rotated.key.id, { actor })).revokedAt).not.toBeNull();
    });

    it('item 6: expiry, addresses, credits and rate limits bind children and the key itself', async () => {
      const manager = await keyring.create({
        tenantId: TENANT,
        name: 'limited manager',
        scopes: ['keys:manage', 'docs:read'],
        resources: { project: ['*'] },
        expiresIn: '30d',
        ipAllowlist: ['10.1.0.0/16', '2001:db8::/32'],
        remaining: 100,
        refill: { amount: 100, interval: 'day' },
        rateLimits: [{ name: 'burst', limit: 60, windowMs: 60_000 }],
      });
      const asActor = await actorOf(keyring, manager.token, '10.1.2.3');
      const record = (await keyring.get(TENANT, manager.key.id))!;
      const child = {
        tenantId: TENANT,
        name: 'child',
        scopes: ['docs:read'],
        resources: { project: ['p1'] },
        expiresIn: '1d',
        ipAllowlist: ['10.1.2.0/24'],
        remaining: 50,
        refill: { amount: 10, interval: 'month' as const },
        rateLimits: [{ name: 'burst', limit: 1, windowMs: 1_000 }],
        actor: asActor,
      };
      const refused: Record<string, unknown>[] = [
        { expiresIn: undefined },
        { expiresIn: '31d' },
        { ipAllowlist: [] },
        { ipAllowlist: ['10.0.0.0/8'] },
        { ipAllowlist: ['10.2.0.1'] },
        { ipAllowlist: ['2001:db8::/16'] },
        { remaining: undefined },
        { remaining: 101 },
        { refill: { amount: 1000, interval: 'day' } },
        { refill: { amount: 10, interval: 60_000 } },
        { rateLimits: [] },
        { rateLimits: [{ name: 'burst', limit: 2, windowMs: 1_000 }] },
      ];
      for (const change of refused) expect(await refusal(keyring.create({ ...child, ...change })), JSON.stringify(change)).toBe('ESCALATION');
      const made = await keyring.create(child);
      expect(made.key).toMatchObject({ ipAllowlist: ['10.1.2.0/24'], remaining: 50 });
      const self = manager.key.id;
      for (const patch of [
        { expiresAt: null },
        { expiresAt: new Date(Date.now() + 60 * 86_400_000) },
        { ipAllowlist: [] },
        { ipAllowlist: ['0.0.0.0/0'] },
        { remaining: null },
        { remaining: 1_000 },
        { refill: null, remaining: null },
        { refill: { amount: 1000, interval: 'day' as const } },
        { rateLimits: [] },
        { rateLimits: [{ name: 'burst', limit: 600, windowMs: 60_000 }] },
      ]) {
        expect(await refusal(keyring.update(TENANT, self, { ...patch, actor: asActor })), JSON.stringify(patch)).toBe('ESCALATION');
      }
      const after = (await keyring.get(TENANT, self))!;
      expect(after).toMatchObject({
        expiresAt: record.expiresAt,
        ipAllowlist: record.ipAllowlist,
        remaining: 100,
        refill: record.refill,
        rateLimits: record.rateLimits,
        version: 1,
      });
      // Narrowing itself is allowed.
      expect((await keyring.update(TENANT, self, { remaining: 10, ipAllowlist: ['10.1.1.0/24'], actor: asActor })).remaining).toBe(10);
    });
  });
}
