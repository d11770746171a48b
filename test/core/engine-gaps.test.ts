import { describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { manualClock } from '../support/counting-store.js';

const DAY = 86_400_000;

function setup(extra: Partial<Parameters<typeof createKeyring>[0]> = {}) {
  const clock = manualClock();
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_test', clock: clock.now, cache: false, ...extra });
  return { keyring, clock };
}

describe('per-key requireMapping (fail closed for one key)', () => {
  it('an empty list denies for that key only; the keyring-wide option still applies and cannot be loosened', async () => {
    const { keyring } = setup();
    const closed = await keyring.create({ tenantId: 't', name: 'closed', requireMapping: ['agent'], resources: { agent: [] } });
    const open = await keyring.create({ tenantId: 't', name: 'open', resources: { agent: [] } });
    const all = await keyring.create({ tenantId: 't', name: 'all', requireMapping: true });
    const agent = { resource: { kind: 'agent', id: 'Alpha Agent' } };
    expect(await keyring.verify(closed.token, agent)).toMatchObject({ valid: false, code: 'FORBIDDEN_RESOURCE' });
    expect(await keyring.verify(open.token, agent)).toMatchObject({ valid: true });
    expect(await keyring.verify(all.token, { resource: { kind: 'project', id: 'p' } })).toMatchObject({ valid: false, code: 'FORBIDDEN_RESOURCE' });
    await keyring.update('t', closed.key.id, { resources: { agent: ['Alpha Agent'] } });
    expect(await keyring.verify(closed.token, agent)).toMatchObject({ valid: true });
    await keyring.update('t', closed.key.id, { requireMapping: false, resources: { agent: [] } });
    expect(await keyring.verify(closed.token, agent)).toMatchObject({ valid: true });

    const strict = setup({ requireMapping: ['agent'] }).keyring;
    const loose = await strict.create({ tenantId: 't', name: 'loose', requireMapping: false });
    const both = await strict.create({ tenantId: 't', name: 'both', requireMapping: ['project'] });
    expect(await strict.verify(loose.token, agent)).toMatchObject({ code: 'FORBIDDEN_RESOURCE' });
    const verified = await strict.verify(both.token);
    expect(verified.valid && verified.permissions.requireMapping).toEqual(['agent', 'project']);
  });

  it('a key that fails closed is narrower, so a limited actor may mint it; bad kinds are field issues', async () => {
    const { keyring } = setup();
    const actor = { scopes: ['docs:read'], resources: { agent: ['A'] } };
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['docs:read'], requireMapping: ['agent'], actor })).resolves.toBeTruthy();
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['docs:read'], actor })).rejects.toMatchObject({ code: 'ESCALATION' });
    await expect(keyring.create({ tenantId: 't', name: 'x', requireMapping: ['no.dots'] as string[] })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['requireMapping', 0] }],
    });
  });
});

describe('createDefaults', () => {
  const roles = { Admin: ['*'], Supervisor: ['calls:read'] };

  it('fills what the input leaves out; explicit fields and the preset win; expiresAt: null means never', async () => {
    const { keyring, clock } = setup({
      roles,
      presets: { agentless: { resources: { agent: [] }, requireMapping: ['agent'] } },
      createDefaults: { roles: ['Admin'], resources: { agent: ['*'] }, mcp: { readOnly: true }, expiresIn: '90d' },
    });
    const plain = await keyring.create({ tenantId: 't', name: 'plain' });
    expect(plain.key).toMatchObject({
      roles: ['Admin'],
      resources: { agent: ['*'] },
      requireMapping: false,
      mcp: { enabled: true, readOnly: true },
      preset: null,
    });
    expect(plain.key.expiresAt?.getTime()).toBe(clock.now() + 90 * DAY);
    const own = await keyring.create({
      tenantId: 't',
      name: 'own',
      roles: ['Supervisor'],
      resources: { agent: ['Alpha Agent'] },
      expiresAt: null,
      mcp: { readOnly: false },
    });
    expect(own.key).toMatchObject({ roles: ['Supervisor'], resources: { agent: ['Alpha Agent'] }, expiresAt: null, mcp: { readOnly: false } });
    const preset = await keyring.create({ tenantId: 't', name: 'preset', preset: 'agentless', expiresIn: '7d' });
    expect(preset.key).toMatchObject({ roles: ['Admin'], resources: { agent: [] }, requireMapping: ['agent'], preset: 'agentless' });
    expect(preset.key.expiresAt?.getTime()).toBe(clock.now() + 7 * DAY);
  });

  it('a default preset applies when the input names none, and the key remembers it', async () => {
    const { keyring } = setup({ createDefaults: { preset: 'read-only' } });
    expect((await keyring.create({ tenantId: 't', name: 'k' })).key).toMatchObject({ preset: 'read-only', scopes: ['*:read'], mcp: { readOnly: true } });
    expect((await keyring.create({ tenantId: 't', name: 'k', preset: 'full-access' })).key).toMatchObject({ preset: 'full-access', scopes: ['*'] });
  });

  it('defaults count for the no-escalation rule like explicit fields', async () => {
    const { keyring } = setup({ roles, createDefaults: { roles: ['Admin'] } });
    await expect(keyring.create({ tenantId: 't', name: 'k', actor: { scopes: ['calls:read'] } })).rejects.toMatchObject({ code: 'ESCALATION' });
    await expect(keyring.create({ tenantId: 't', name: 'k', roles: ['Supervisor'], actor: { scopes: ['calls:read'] } })).resolves.toBeTruthy();
  });

  it('bad defaults are refused when the keyring is built (CONFIG), never at the first create', () => {
    const bad = [
      { roles: ['Nobody'] },
      { scopes: ['launch:missiles'] },
      { preset: 'nope' },
      { expiresIn: 'soon' },
      { resources: { 'a.b': ['x'] } },
      { colour: 'red' },
    ];
    for (const createDefaults of bad) {
      expect(() => setup({ roles, scopes: ['calls:read'], createDefaults: createDefaults as never }), JSON.stringify(createDefaults)).toThrow(
        expect.objectContaining({ code: 'CONFIG' }),
      );
    }
  });
});

describe('pause: whole key vs MCP only', () => {
  it('setEnabled pauses everything (status paused); setMcpEnabled only MCP (status stays active)', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k' });
    const mcpOff = await keyring.setMcpEnabled('t', key.id, false);
    expect(mcpOff).toMatchObject({ enabled: true, status: 'active', mcp: { enabled: false, tools: { mode: 'all' } } });
    const r = await keyring.verify(token);
    expect(r.valid && r.permissions.mcp.enabled).toBe(false);
    const paused = await keyring.setEnabled('t', key.id, false);
    expect(paused).toMatchObject({ enabled: false, status: 'paused', mcp: { enabled: false } });
    expect(await keyring.verify(token)).toMatchObject({ code: 'DISABLED' });
    expect(await keyring.setEnabled('t', key.id, true)).toMatchObject({ status: 'active', mcp: { enabled: false } });
    expect(await keyring.setMcpEnabled('t', key.id, true)).toMatchObject({ mcp: { enabled: true } });
    await expect(keyring.setMcpEnabled('t', key.id, 'no' as never)).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(keyring.setMcpEnabled('other', key.id, false)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('pause is the soft revoke: a paused key can be resumed, a revoked one never', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k' });
    await keyring.setEnabled('t', key.id, false);
    await keyring.setEnabled('t', key.id, true);
    expect(await keyring.verify(token)).toMatchObject({ valid: true });
    await keyring.revoke('t', key.id);
    const error = await keyring.setEnabled('t', key.id, true).catch((e: unknown) => e);
    expect(isKeysmithError(error) && error.code).toBe('NOT_FOUND');
    expect((await keyring.get('t', key.id))?.status).toBe('revoked');
  });

  it('rotating a paused key gives a paused successor; resuming it is an explicit step', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k' });
    await keyring.setEnabled('t', key.id, false);
    await keyring.setMcpEnabled('t', key.id, false);
    const rotated = await keyring.rotate('t', key.id, { graceMs: 60_000 });
    expect(rotated.key).toMatchObject({ enabled: false, status: 'paused', mcp: { enabled: false } });
    expect(rotated.previous).toMatchObject({ enabled: false, status: 'paused' });
    expect(await keyring.verify(rotated.token)).toMatchObject({ code: 'DISABLED' });
    expect(await keyring.verify(token)).toMatchObject({ code: 'DISABLED' });
    await keyring.setEnabled('t', rotated.key.id, true);
    expect(await keyring.verify(rotated.token)).toMatchObject({ valid: true });
    expect(await keyring.verify(token)).toMatchObject({ code: 'DISABLED' }); // the old key is not resumed with it
  });
});

describe('update with expiresIn', () => {
  it('sets expiresAt from the moment of the update, like create', async () => {
    const { keyring, clock } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k' });
    clock.advance(5 * DAY);
    const updated = await keyring.update('t', key.id, { expiresIn: '30d' });
    expect(updated.expiresAt?.getTime()).toBe(clock.now() + 30 * DAY);
    clock.advance(30 * DAY);
    expect(await keyring.verify(token)).toMatchObject({ code: 'EXPIRED' });
    expect((await keyring.get('t', key.id))?.status).toBe('expired');
  });

  it('refuses expiresIn with expiresAt, and bad durations, as field issues', async () => {
    const { keyring, clock } = setup();
    const { key } = await keyring.create({ tenantId: 't', name: 'k' });
    await expect(keyring.update('t', key.id, { expiresIn: '7d', expiresAt: new Date(clock.now() + DAY) })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['expiresIn'] }],
    });
    await expect(keyring.update('t', key.id, { expiresIn: '0d' })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['expiresIn'] }] });
    await expect(keyring.update('t', key.id, { expiresIn: -1 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
