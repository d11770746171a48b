import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../../examples/recipes/tenant-keys-mcp/server.js';
import { connectClient, toolNames } from '../mcp/harness.js';
import { as, client, headerIdentity } from './identify.js';

const ADMIN = as('u-ada', 'org-acme', ['admin']);
const OTHER = as('u-bob', 'org-globex', ['admin']);
const SUPER = as('u-root', 'org-ocore', ['superadmin']);
// The fields of every key object in the API reference (seed 004), plaintextKey only in the create answer.
const FIELDS = [
  'createdAt',
  'expiresAt',
  'id',
  'lastUsedAt',
  'mcpActive',
  'mcpAllowlistMode',
  'mcpInstanceIds',
  'mcpPermissions',
  'mcpPreset',
  'mcpProjectIds',
  'mcpReadOnly',
  'mcpReconnectRequired',
  'mcpReconnectRequiredMessage',
  'mcpToolAllowlist',
  'name',
  'permissions',
  'prefix',
  'scope',
];

describe('recipe tenant-keys-mcp (oCore, seeds 001 and 004)', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await start({ identify: headerIdentity });
    call = client(server.url);
  });
  afterAll(() => server?.close());
  const mcp = (token: string) => connectClient(new URL('/mcp', server.url), token);
  const createBody = {
    expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    mcpActive: true,
    mcpAllowlistMode: 'allow',
    mcpInstanceIds: ['i-1'],
    mcpPermissions: ['projects:read', 'instances:read', 'instances:write'],
    mcpPreset: 'full-access',
    mcpProjectIds: ['p1'],
    mcpReadOnly: false,
    mcpToolAllowlist: ['list_projects', 'get_instance', 'restart_instance'],
    name: 'Claude Desktop',
    permissions: ['projects:read'],
    scope: 'organization',
  };

  it('POST /api-keys: 201 with the documented fields and plaintextKey once', async () => {
    const a = await call('POST', '/api/api-keys', { headers: ADMIN, body: createBody });
    expect(a.status, a.text).toBe(201);
    expect(Object.keys(a.json).sort()).toEqual([...FIELDS, 'plaintextKey'].sort());
    const { plaintextKey, ...key } = a.json;
    expect(plaintextKey).toMatch(/^ock_/);
    expect(key).toMatchObject({ ...createBody, mcpReconnectRequired: false, lastUsedAt: null });
    expect(plaintextKey.startsWith(key.prefix.slice(0, -1))).toBe(true);
    const one = await call('GET', `/api/api-keys/${key.id}`, { headers: ADMIN });
    expect(Object.keys(one.json).sort()).toEqual(FIELDS.slice().sort());
    expect(one.json).toEqual({ ...key });
    expect((await call('GET', '/api/api-keys', { headers: ADMIN })).text).not.toContain(plaintextKey);
    expect((await call('POST', '/api/api-keys', { headers: ADMIN, body: { name: 'x', mcpAllowlistMode: 'some' } })).status).toBe(400);
    expect((await call('POST', '/api/api-keys', { headers: ADMIN, body: { name: 'x', mcpPreset: 'nope' } })).status).toBe(400);
  });

  it("GET /api-keys lists the organization's keys as { apiKeys, total }; GET/PUT/DELETE of another organization's key is 404", async () => {
    const mine = await call('POST', '/api/api-keys', { headers: ADMIN, body: { name: 'mine' } });
    expect(mine.json).toMatchObject({ scope: 'organization', mcpActive: true, mcpAllowlistMode: 'all', permissions: [], mcpPermissions: [], expiresAt: null });
    const list = await call('GET', '/api/api-keys', { headers: ADMIN });
    expect(Object.keys(list.json).sort()).toEqual(['apiKeys', 'total']);
    expect(list.json.total).toBe(list.json.apiKeys.length);
    expect(list.json.apiKeys.map((k: { id: string }) => k.id)).toContain(mine.json.id);
    expect((await call('GET', '/api/api-keys', { headers: OTHER })).json).toEqual({ apiKeys: [], total: 0 });
    for (const method of ['GET', 'PUT', 'DELETE'])
      expect((await call(method, `/api/api-keys/${mine.json.id}`, { headers: OTHER, body: method === 'PUT' ? { name: 'x' } : undefined })).status, method).toBe(
        404,
      );
    expect((await call('PATCH', `/api/api-keys/${mine.json.id}/toggle-active`, { headers: OTHER })).status).toBe(404);
    expect((await call('GET', '/api/api-keys')).status).toBe(401);
    expect((await call('GET', '/api/api-keys', { headers: as('u', 'org-acme', ['member']) })).status).toBe(403);
  });

  it('the MCP server enforces the flat mcp* fields: tool allowlist, read-only, project and instance ids', async () => {
    const a = await call('POST', '/api/api-keys', { headers: ADMIN, body: createBody });
    const session = await mcp(a.json.plaintextKey);
    expect(await toolNames(session)).toEqual(['get_instance', 'list_projects', 'restart_instance']);
    expect(await session.callTool({ name: 'get_instance', arguments: { instanceId: 'i-1' } })).toEqual({ content: [{ type: 'text', text: 'instance i-1' }] });
    expect(await session.callTool({ name: 'get_instance', arguments: { instanceId: 'i-2' } })).toMatchObject({ isError: true });
    // PUT: read-only and a narrower allowlist take effect in the open session.
    const put = await call('PUT', `/api/api-keys/${a.json.id}`, {
      headers: ADMIN,
      body: { mcpReadOnly: true, mcpToolAllowlist: ['get_instance', 'restart_instance'] },
    });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toMatchObject({
      mcpReadOnly: true,
      mcpAllowlistMode: 'allow',
      mcpToolAllowlist: ['get_instance', 'restart_instance'],
      permissions: ['projects:read'],
      mcpProjectIds: ['p1'],
    });
    expect(await toolNames(session)).toEqual(['get_instance']);
    const perms = await call('PUT', `/api/api-keys/${a.json.id}`, { headers: ADMIN, body: { mcpPermissions: ['projects:read'], mcpAllowlistMode: 'all' } });
    expect(perms.json).toMatchObject({ permissions: ['projects:read'], mcpPermissions: ['projects:read'] });
    expect(await toolNames(session)).toEqual(['list_projects']);
    await session.close();
  });

  it('PATCH /api-keys/{id}/toggle-active pauses and resumes MCP access only; the HTTP API keeps working', async () => {
    const a = await call('POST', '/api/api-keys', { headers: ADMIN, body: { ...createBody, mcpProjectIds: ['p1'] } });
    const token = a.json.plaintextKey;
    const http = () => call('GET', '/api/v1/projects', { headers: { 'x-api-key': token } });
    expect((await http()).json).toEqual({ projects: ['p1'] });
    const off = await call('PATCH', `/api/api-keys/${a.json.id}/toggle-active`, { headers: ADMIN });
    expect(off.status, off.text).toBe(200);
    expect(Object.keys(off.json).sort()).toEqual(FIELDS.slice().sort());
    expect(off.json.mcpActive).toBe(false);
    await expect(mcp(token)).rejects.toMatchObject({ code: 403 });
    expect((await http()).status).toBe(200);
    expect((await call('PATCH', `/api/api-keys/${a.json.id}/toggle-active`, { headers: ADMIN })).json.mcpActive).toBe(true);
    const session = await mcp(token);
    expect((await toolNames(session)).length).toBeGreaterThan(0);
    await session.close();
    // DELETE revokes: both doors close at once.
    const gone = await call('DELETE', `/api/api-keys/${a.json.id}`, { headers: ADMIN });
    expect(gone.status).toBe(200);
    expect(gone.json).toEqual({ message: expect.any(String) });
    expect((await http()).status).toBe(401);
    await expect(mcp(token)).rejects.toMatchObject({ code: 401 });
    expect((await call('GET', `/api/api-keys/${a.json.id}`, { headers: ADMIN })).status).toBe(404);
  });

  it('GET /admin/api-keys?page=0&limit=0&search=<string> (the curl example) and DELETE /admin/api-keys/{id}', async () => {
    const globex = await call('POST', '/api/api-keys', { headers: OTHER, body: { name: 'globex reporting' } });
    const example = await call('GET', '/api/admin/api-keys?page=0&limit=0&search=%3Cstring%3E', { headers: SUPER });
    expect(example.status, example.text).toBe(200);
    expect(example.json).toEqual({ apiKeys: [], total: 0 });
    const all = await call('GET', '/api/admin/api-keys?page=1&limit=100', { headers: SUPER });
    expect(new Set(all.json.apiKeys.map((k: { tenantId: string }) => k.tenantId))).toEqual(new Set(['org-acme', 'org-globex']));
    const found = await call('GET', '/api/admin/api-keys?search=globex', { headers: SUPER });
    expect(found.json.apiKeys.map((k: { id: string }) => k.id)).toEqual([globex.json.id]);
    const paged = await call('GET', '/api/admin/api-keys?page=2&limit=1', { headers: SUPER });
    expect([paged.json.apiKeys.length, paged.json.total]).toEqual([1, all.json.total]);
    expect((await call('GET', '/api/admin/api-keys', { headers: ADMIN })).status).toBe(403);
    const revoked = await call('DELETE', `/api/admin/api-keys/${globex.json.id}`, { headers: SUPER });
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ message: expect.any(String) });
    expect((await call('DELETE', '/api/admin/api-keys/497f6eca-6276-4993-bfeb-53cbbbba6f08', { headers: SUPER })).status).toBe(404);
    expect((await call('GET', '/api/api-keys', { headers: OTHER })).json.total).toBe(0);
  });
});
