import { describe, expect, it } from 'vitest';
import { can, canAccess, canAll, canAny, createKeyring, isKeysmithError, parseQuery, type Permissions } from 'keysmith';
import { covers } from '../../src/permissions/scopes.js';
import { evaluateQuery } from '../../src/permissions/query.js';
import { memoryStore } from 'keysmith/memory';

const perms = (scopes: string[], extra: Partial<Permissions> = {}): Permissions => ({
  scopes,
  roles: [],
  resources: {},
  requireMapping: false,
  mcp: { enabled: true, tools: { mode: 'all', names: [] }, readOnly: false },
  ...extra,
});

describe('scopes', () => {
  it('matches exact scopes and the * and resource:* wildcards', () => {
    expect(covers('*', 'anything:at:all')).toBe(true);
    expect(covers('evidence:*', 'evidence:read')).toBe(true);
    expect(covers('evidence:*', 'evidence:read:own')).toBe(true);
    expect(covers('evidence:*', 'evidence')).toBe(false);
    expect(covers('evidence:*', 'controls:read')).toBe(false);
    expect(covers('*:read', 'evidence:read')).toBe(true);
    expect(covers('*:read', 'evidence:write')).toBe(false);
    expect(covers('evidence:read', 'evidence:read')).toBe(true);
    expect(covers('evidence:read', 'evidence:*')).toBe(false);
    expect(covers('evidence:read', '*')).toBe(false);
    expect(covers('READ_EVIDENCE', 'READ_EVIDENCE')).toBe(true);
    expect(covers('READ_EVIDENCE', 'read_evidence')).toBe(false);
  });

  it('can / canAll / canAny', () => {
    const p = perms(['evidence:read', 'controls:*']);
    expect(can(p, 'evidence:read')).toBe(true);
    expect(can(p, 'evidence:write')).toBe(false);
    expect(canAll(p, ['evidence:read', 'controls:write'])).toBe(true);
    expect(canAll(p, ['evidence:read', 'evidence:write'])).toBe(false);
    expect(canAny(p, ['evidence:write', 'controls:delete'])).toBe(true);
    expect(canAny(p, ['evidence:write'])).toBe(false);
    expect(can({ permissions: p }, 'controls:read')).toBe(true);
  });
});

describe('permission queries', () => {
  const p = perms(['evidence:read', 'controls:write']);
  it('evaluates AND, OR, NOT and parentheses with AND binding tighter', () => {
    expect(evaluateQuery(p, parseQuery('evidence:read AND (controls:read OR controls:write)'))).toBe(true);
    expect(evaluateQuery(p, parseQuery('evidence:read AND controls:read'))).toBe(false);
    expect(evaluateQuery(p, parseQuery('controls:read OR evidence:read AND controls:write'))).toBe(true);
    expect(evaluateQuery(p, parseQuery('NOT admin:* AND evidence:read'))).toBe(true);
    expect(evaluateQuery(p, parseQuery('evidence:read and not controls:write'))).toBe(false);
  });

  it('rejects bad queries up front with a clear error', () => {
    for (const [query, reason] of [
      ['', /empty/],
      ['a:read AND', /ends/],
      ['(a:read', /never closed/],
      ['a:read)', /unexpected/],
      ['a:read b:read', /unexpected/],
      ['a:read AND OR b:read', /unexpected/],
      ['a:read AND b!', /not a valid scope/],
      ['('.repeat(40) + 'a' + ')'.repeat(40), /deeper/],
    ] as const) {
      try {
        parseQuery(query);
        expect.unreachable(query);
      } catch (e) {
        expect(isKeysmithError(e) && e.code === 'INVALID_QUERY').toBe(true);
        expect((e as Error).message).toMatch(reason);
      }
    }
  });
});

describe('resources', () => {
  it('limits listed kinds, allows unlisted ones unless requireMapping', () => {
    const p = perms([], { resources: { project: ['p1', 'p2'], agent: [] } });
    expect(canAccess(p, 'project', 'p1')).toBe(true);
    expect(canAccess(p, 'project', 'p3')).toBe(false);
    expect(canAccess(p, 'agent', 'a1')).toBe(true);
    expect(canAccess(p, 'instance', 'i1')).toBe(true);
    const strict = { ...p, requireMapping: true };
    expect(canAccess(strict, 'agent', 'a1')).toBe(false);
    expect(canAccess(strict, 'instance', 'i1')).toBe(false);
    expect(canAccess(strict, 'project', 'p2')).toBe(true);
    const some = { ...p, requireMapping: ['agent'] };
    expect(canAccess(some, 'agent', 'a1')).toBe(false);
    expect(canAccess(some, 'instance', 'i1')).toBe(true);
    expect(canAccess(perms([], { resources: { project: ['*'] } }), 'project', 'any')).toBe(true);
  });
});

describe('roles, presets and vocabulary in the keyring', () => {
  const roles = {
    Viewer: ['evidence:read'],
    Editor: { scopes: ['evidence:write'], inherits: ['Viewer'] },
    Supervisor: { scopes: ['controls:*'], inherits: ['Editor'] },
    Admin: ['*'],
  };
  const scopes = ['evidence:read', 'evidence:write', 'controls:read', 'controls:write', 'keys:manage'];

  it('expands roles with inheritance into effective scopes', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', roles, scopes });
    const { token } = await keyring.create({ tenantId: 't', name: 'sup', roles: ['Supervisor'] });
    const result = await keyring.verify(token);
    if (!result.valid) throw new Error(result.code);
    expect(new Set(result.permissions.scopes)).toEqual(new Set(['controls:*', 'evidence:write', 'evidence:read']));
    expect(await keyring.verify(token, { scopes: ['evidence:read', 'controls:write'] })).toMatchObject({ valid: true });
    expect(await keyring.verify(token, { scopes: ['keys:manage'] })).toMatchObject({
      valid: false,
      code: 'INSUFFICIENT_SCOPE',
      requiredScopes: ['keys:manage'],
    });
  });

  it('refuses role cycles and unknown parents at creation', () => {
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', roles: { A: { inherits: ['B'] }, B: { inherits: ['A'] } } })).toThrow(/cycle/);
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', roles: { A: { inherits: ['Nope'] } } })).toThrow(/unknown role/);
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', scopes, roles: { A: ['other:read'] } })).toThrow(/Unknown scope/);
  });

  it('rejects unknown scopes and roles at mint time when a vocabulary is declared', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', roles, scopes });
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['evidence:delete'] })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['scopes', 0] }],
    });
    await expect(keyring.create({ tenantId: 't', name: 'x', roles: ['Ghost'] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['nothing:*'] })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['evidence:*', '*'] })).resolves.toBeTruthy();
  });

  it('accepts a zod enum and upper-case scope styles as the vocabulary', async () => {
    const { z } = await import('zod');
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: z.enum(['READ_EVIDENCE', 'WRITE_EVIDENCE']) });
    const { token } = await keyring.create({ tenantId: 't', name: 'x', scopes: ['READ_EVIDENCE'] });
    expect(await keyring.verify(token, { scopes: ['READ_EVIDENCE'] })).toMatchObject({ valid: true });
    expect(await keyring.verify(token, { scopes: ['WRITE_EVIDENCE'] })).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
    await expect(keyring.create({ tenantId: 't', name: 'x', scopes: ['DELETE_EVERYTHING'] })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('applies built-in and application presets; explicit fields win; the key remembers the preset', async () => {
    const keyring = createKeyring({
      store: memoryStore(),
      prefix: 'sk',
      presets: { auditor: { scopes: ['evidence:read'], resources: { project: ['p1'] }, mcp: { tools: { mode: 'allow', names: ['search'] } } } },
    });
    const ro = await keyring.create({ tenantId: 't', name: 'ro', preset: 'read-only' });
    expect(ro.key).toMatchObject({ preset: 'read-only', scopes: ['*:read'], mcp: { readOnly: true } });
    const full = await keyring.create({ tenantId: 't', name: 'full', preset: 'full-access' });
    expect(full.key.scopes).toEqual(['*']);
    const auditor = await keyring.create({ tenantId: 't', name: 'a', preset: 'auditor', scopes: ['evidence:read', 'controls:read'] });
    expect(auditor.key).toMatchObject({
      preset: 'auditor',
      scopes: ['evidence:read', 'controls:read'],
      resources: { project: ['p1'] },
      mcp: { tools: { mode: 'allow', names: ['search'] } },
    });
    expect(await keyring.verify(ro.token, { scopes: ['evidence:read'] })).toMatchObject({ valid: true });
    expect(await keyring.verify(ro.token, { scopes: ['evidence:write'] })).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
    await expect(keyring.create({ tenantId: 't', name: 'x', preset: 'nope' })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['preset'] }] });
    const updated = await keyring.update('t', ro.key.id, { preset: 'auditor' });
    expect(updated).toMatchObject({ preset: 'auditor', scopes: ['evidence:read'] });
  });

  it('enforces resource limits in verify, fail-closed with requireMapping', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', requireMapping: ['project'] });
    const limited = await keyring.create({ tenantId: 't', name: 'l', scopes: ['*'], resources: { project: ['p1'] } });
    const unmapped = await keyring.create({ tenantId: 't', name: 'u', scopes: ['*'] });
    expect(await keyring.verify(limited.token, { resource: { kind: 'project', id: 'p1' } })).toMatchObject({ valid: true });
    expect(await keyring.verify(limited.token, { resource: { kind: 'project', id: 'p2' } })).toMatchObject({ valid: false, code: 'FORBIDDEN_RESOURCE' });
    expect(await keyring.verify(unmapped.token, { resource: { kind: 'project', id: 'p1' } })).toMatchObject({ valid: false, code: 'FORBIDDEN_RESOURCE' });
    expect(await keyring.verify(unmapped.token, { resource: [{ kind: 'agent', id: 'a' }] })).toMatchObject({ valid: true });
  });

  it('checks a permission query in verify; an invalid query fails closed', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const { token } = await keyring.create({ tenantId: 't', name: 'q', scopes: ['evidence:read', 'controls:write'] });
    expect(await keyring.verify(token, { query: 'evidence:read AND (controls:read OR controls:write)' })).toMatchObject({ valid: true });
    expect(await keyring.verify(token, { query: parseQuery('evidence:write OR controls:read') })).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
    expect(await keyring.verify(token, { query: 'evidence:read AND (' })).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
  });
});

describe('no escalation', () => {
  const actor = { scopes: ['evidence:read', 'controls:*'], resources: { project: ['p1', 'p2'] } };

  it('create refuses scopes, wildcards and resources beyond the actor', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', roles: { Admin: ['*'] } });
    const ok = { tenantId: 't', name: 'k', actor, resources: { project: ['p1'] } };
    await expect(keyring.create({ ...ok, scopes: ['evidence:read', 'controls:write'] })).resolves.toBeTruthy();
    await expect(keyring.create({ ...ok, scopes: ['controls:*'] })).resolves.toBeTruthy();
    for (const bad of [
      { ...ok, scopes: ['evidence:write'] },
      { ...ok, scopes: ['evidence:*'] },
      { ...ok, scopes: ['*'] },
      { ...ok, roles: ['Admin'] },
      { ...ok, preset: 'full-access' },
      { ...ok, scopes: ['evidence:read'], resources: { project: ['p3'] } },
      { ...ok, scopes: ['evidence:read'], resources: { project: ['*'] } },
      { ...ok, scopes: ['evidence:read'], resources: {} },
    ]) {
      await expect(keyring.create(bad), JSON.stringify(bad)).rejects.toMatchObject({ code: 'ESCALATION' });
    }
  });

  it('update and rotate refuse to widen beyond the actor', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const { key } = await keyring.create({ tenantId: 't', name: 'k', scopes: ['evidence:read'], resources: { project: ['p1'] } });
    await expect(keyring.update('t', key.id, { scopes: ['evidence:write'], actor })).rejects.toMatchObject({ code: 'ESCALATION' });
    await expect(keyring.update('t', key.id, { resources: { project: [] }, actor })).rejects.toMatchObject({ code: 'ESCALATION' });
    await expect(keyring.update('t', key.id, { scopes: ['controls:read'], actor })).resolves.toMatchObject({ scopes: ['controls:read'] });
    const admin = await keyring.create({ tenantId: 't', name: 'admin', scopes: ['*'] });
    await expect(keyring.rotate('t', admin.key.id, { actor })).rejects.toMatchObject({ code: 'ESCALATION' });
    expect(await keyring.verify(admin.token)).toMatchObject({ valid: true });
  });

  it('a read-only MCP actor cannot mint a writable MCP key', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const mcpActor = { scopes: ['*'], mcp: { enabled: true, tools: { mode: 'allow' as const, names: ['search'] }, readOnly: true } };
    await expect(keyring.create({ tenantId: 't', name: 'k', actor: mcpActor })).rejects.toMatchObject({ code: 'ESCALATION' });
    await expect(
      keyring.create({ tenantId: 't', name: 'k', actor: mcpActor, mcp: { readOnly: true, tools: { mode: 'allow', names: ['search'] } } }),
    ).resolves.toBeTruthy();
    await expect(keyring.create({ tenantId: 't', name: 'k', actor: mcpActor, mcp: { enabled: false } })).resolves.toBeTruthy();
  });
});
