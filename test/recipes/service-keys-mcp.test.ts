import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolNotFound } from 'keysmith/mcp';
import { SCOPES, start } from '../../examples/recipes/service-keys-mcp/server.js';
import { connectClient, toolNames } from '../mcp/harness.js';
import { as, client, headerIdentity } from './identify.js';

const ADMIN = as('u-admin', 'acme', ['TenantAdmin']);
const OTHER_ADMIN = as('u-globex', 'globex', ['TenantAdmin']);
const DAY = 86_400_000;

describe('recipe service-keys-mcp (Oneleet, seed 000)', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await start({ identify: headerIdentity });
    call = client(server.url);
  });
  afterAll(() => server?.close());
  const mcpUrl = () => new URL('/mcp', server.url);
  const create = async (body: Record<string, unknown>, headers = ADMIN) => {
    const a = await call('POST', '/settings/api/keys', { headers, body });
    expect(a.status, a.text).toBe(201);
    return a.json as { key: { id: string; scopes: string[]; expiresAt: string | null }; token: string };
  };

  it('New service key: full access or limited scopes, no expiration or 7/30/60/90 days or custom; the secret shown once', async () => {
    const before = Date.now();
    const full = await create({ name: 'Claude Code', preset: 'full-access' });
    expect(full.token).toMatch(/^service_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/);
    expect(full.key).toMatchObject({ scopes: ['*'], expiresAt: null });
    for (const days of [7, 30, 60, 90]) {
      const { key } = await create({ name: `${days} days`, scopes: ['READ_EVIDENCE'], expiresIn: `${days}d` });
      expect(new Date(key.expiresAt!).getTime() - before).toBeGreaterThanOrEqual(days * DAY);
      expect(new Date(key.expiresAt!).getTime() - Date.now()).toBeLessThanOrEqual(days * DAY);
    }
    const custom = new Date(Date.now() + 12 * DAY).toISOString();
    expect((await create({ name: 'custom', scopes: ['READ_TENANT'], expiresAt: custom })).key.expiresAt).toBe(custom);
    const unknown = await call('POST', '/settings/api/keys', { headers: ADMIN, body: { name: 'x', scopes: ['READ_EVERYTHING'] } });
    expect(unknown.status).toBe(400);
    // After Done: the key is in the list with its scopes, and the secret is nowhere.
    const list = await call('GET', '/settings/api/keys?limit=100', { headers: ADMIN });
    expect(list.json.items.find((k: { id: string }) => k.id === full.key.id)).toMatchObject({ name: 'Claude Code', scopes: ['*'], status: 'active' });
    expect(list.text).not.toContain(full.token);
    expect((await call('GET', `/settings/api/keys/${full.key.id}`, { headers: ADMIN })).text).not.toContain(full.token);
  });

  it('MCP over Streamable HTTP with the .mcp.json header: full access sees every tool, a limited key only its scopes', async () => {
    const full = await create({ name: 'full', preset: 'full-access' });
    const limited = await create({ name: 'evidence bot', scopes: ['READ_EVIDENCE', 'WRITE_EVIDENCE'] });
    const a = await connectClient(mcpUrl(), full.token);
    expect((await toolNames(a)).length).toBe(SCOPES.length);
    const b = await connectClient(mcpUrl(), limited.token);
    expect(await toolNames(b)).toEqual(['list_evidence', 'upload_evidence']);
    await b.callTool({ name: 'upload_evidence', arguments: { control: 'AC-1', title: 'access review.pdf' } });
    expect(await b.callTool({ name: 'list_evidence', arguments: {} })).toEqual({ content: [{ type: 'text', text: '["AC-1: access review.pdf"]' }] });
    expect(await b.callTool({ name: 'list_controls', arguments: {} })).toEqual(toolNotFound('list_controls'));
    // The same key over plain HTTP: Bearer authorization, scope checked.
    expect((await call('GET', '/api/v1/public/evidence', { headers: { authorization: `Bearer ${limited.token}` } })).json.evidence).toEqual([
      'AC-1: access review.pdf',
    ]);
    const noScope = await call('GET', '/api/v1/public/controls', { headers: { authorization: `Bearer ${limited.token}` } });
    expect(noScope.status).toBe(403);
    expect(noScope.headers.get('www-authenticate')).toContain('insufficient_scope');
    await Promise.all([a.close(), b.close()]);
  });

  it('Edit: change scopes or add an expiration date; scope is checked on every call', async () => {
    const { key, token } = await create({ name: 'editable', scopes: ['READ_EVIDENCE'] });
    const session = await connectClient(mcpUrl(), token);
    expect(await toolNames(session)).toEqual(['list_evidence']);
    const edited = await call('PATCH', `/settings/api/keys/${key.id}`, {
      headers: ADMIN,
      body: { scopes: ['READ_EVIDENCE', 'READ_CONTROLS'], expiresIn: '30d' },
    });
    expect(edited.status, edited.text).toBe(200);
    expect(new Date(edited.json.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * DAY);
    expect(await toolNames(session)).toEqual(['list_controls', 'list_evidence']);
    await call('PATCH', `/settings/api/keys/${key.id}`, { headers: ADMIN, body: { scopes: ['READ_CONTROLS'] } });
    expect(await session.callTool({ name: 'list_evidence', arguments: {} })).toEqual(toolNotFound('list_evidence'));
    await session.close();
  });

  it('Revoke: immediately no longer authorized (MCP and HTTP), and shown as revoked', async () => {
    const { key, token } = await create({ name: 'to revoke', scopes: ['READ_EVIDENCE'] });
    const session = await connectClient(mcpUrl(), token);
    expect(await toolNames(session)).toEqual(['list_evidence']);
    expect((await call('DELETE', `/settings/api/keys/${key.id}`, { headers: ADMIN })).status).toBe(204);
    await expect(session.callTool({ name: 'list_evidence', arguments: {} })).rejects.toThrow();
    await expect(connectClient(mcpUrl(), token)).rejects.toMatchObject({ code: 401 });
    expect((await call('GET', '/api/v1/public/evidence', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    const revoked = await call('GET', '/settings/api/keys?status=revoked', { headers: ADMIN });
    expect(revoked.json.items.map((k: { id: string; status: string }) => [k.id, k.status])).toContainEqual([key.id, 'revoked']);
    await session.close().catch(() => {});
  });

  it('Expiration is checked on every MCP call', async () => {
    const { token } = await create({ name: 'short-lived', scopes: ['READ_EVIDENCE'], expiresAt: new Date(Date.now() + 1500).toISOString() });
    const session = await connectClient(mcpUrl(), token);
    expect(await toolNames(session)).toEqual(['list_evidence']);
    await new Promise((r) => setTimeout(r, 1600));
    await expect(session.callTool({ name: 'list_evidence', arguments: {} })).rejects.toThrow();
    await session.close().catch(() => {});
  });

  it('Tenant isolation and Tenant Admins only', async () => {
    const acme = await create({ name: 'acme key', scopes: ['READ_EVIDENCE'] });
    const globex = await create({ name: 'globex key', scopes: ['READ_EVIDENCE'] }, OTHER_ADMIN);
    expect((await call('GET', '/api/v1/public/evidence', { headers: { authorization: `Bearer ${globex.token}` } })).json.evidence).toEqual([]);
    expect((await call('GET', `/settings/api/keys/${acme.key.id}`, { headers: OTHER_ADMIN })).status).toBe(404);
    expect((await call('DELETE', `/settings/api/keys/${acme.key.id}`, { headers: OTHER_ADMIN })).status).toBe(404);
    expect((await call('GET', '/settings/api/keys', { headers: as('u', 'acme', ['Member']) })).status).toBe(403);
    expect((await call('GET', '/settings/api/keys')).status).toBe(401);
  });
});
