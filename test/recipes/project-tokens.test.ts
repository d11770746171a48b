import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { start } from '../../examples/recipes/project-tokens/server.js';
import { as, client, headerIdentity } from './identify.js';

const ADMIN = as('u-admin', 'org1', ['admin']);
const P1_ADMIN = as('u-p1', 'org1', ['project-admin:p1']);
const MEMBER = as('u-member', 'org1', ['member']);

describe('recipe project-tokens (OnetSolutions, seed 002)', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let call: ReturnType<typeof client>;
  beforeAll(async () => {
    server = await start({ identify: headerIdentity });
    call = client(server.url);
  });
  afterAll(() => server?.close());
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('Creating an API key: name, optional expiration, scopes; the key is shown once', async () => {
    const created = await call('POST', '/v1/account/keys', { headers: ADMIN, body: { name: 'CI/CD Pipeline', scopes: ['instances:read'], expiresIn: '90d' } });
    expect(created.status, created.text).toBe(201);
    expect(created.json.token).toMatch(/^onet_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/);
    expect(created.json.key).toMatchObject({ name: 'CI/CD Pipeline', scopes: ['instances:read'], status: 'active', lastUsedAt: null });
    const noExpiry = await call('POST', '/v1/account/keys', { headers: ADMIN, body: { name: 'Monitoring Script', scopes: ['instances:read'] } });
    expect(noExpiry.json.key.expiresAt).toBeNull();
    const list = await call('GET', '/v1/account/keys', { headers: ADMIN });
    expect(list.text).not.toContain(created.json.token);
  });

  it('Using API keys: curl -X GET /v1/instances -H "Authorization: Bearer YOUR_API_KEY"; the list then shows last used', async () => {
    const { json } = await call('POST', '/v1/account/keys', {
      headers: ADMIN,
      body: { name: 'Production Deploy', scopes: ['instances:read'], expiresIn: '30d' },
    });
    const instances = await call('GET', '/v1/instances', { headers: bearer(json.token) });
    expect(instances.status, instances.text).toBe(200);
    expect(instances.json.data.map((i: { id: string }) => i.id)).toEqual(['vps-1', 'vps-2']);
    expect((await call('GET', '/v1/instances')).status).toBe(401);
    // Viewing keys: name, creation date, last used date, expiration date.
    const list = await call('GET', '/v1/account/keys?status=active&limit=100', { headers: ADMIN });
    const row = list.json.items.find((k: { id: string }) => k.id === json.key.id);
    expect(row).toMatchObject({ name: 'Production Deploy', createdAt: expect.any(String), lastUsedAt: expect.any(String), expiresAt: json.key.expiresAt });
  });

  it('Revoking keys is immediate and permanent', async () => {
    const { json } = await call('POST', '/v1/account/keys', { headers: ADMIN, body: { name: 'Staging CI', scopes: ['instances:read'] } });
    expect((await call('GET', '/v1/instances', { headers: bearer(json.token) })).status).toBe(200);
    expect((await call('DELETE', `/v1/account/keys/${json.key.id}`, { headers: ADMIN })).status).toBe(204);
    const after = await call('GET', '/v1/instances', { headers: bearer(json.token) });
    expect(after.status).toBe(401);
    expect(after.headers.get('www-authenticate')).toContain('invalid_token');
    expect((await call('DELETE', `/v1/account/keys/${json.key.id}`, { headers: ADMIN })).status).toBe(404);
    const list = await call('GET', '/v1/account/keys?limit=100', { headers: ADMIN });
    expect(list.json.items.map((k: { id: string }) => k.id)).not.toContain(json.key.id);
  });

  it('Project tokens are scoped to one project: its token page, its instances, nothing else', async () => {
    const token = await call('POST', '/v1/projects/p1/keys', { headers: P1_ADMIN, body: { name: 'p1 deploy', scopes: ['instances:read'] } });
    expect(token.status, token.text).toBe(201);
    expect(token.json.key.resources).toEqual({ project: ['p1'] });
    const t = bearer(token.json.token);
    expect((await call('GET', '/v1/instances', { headers: t })).json.data.map((i: { id: string }) => i.id)).toEqual(['vps-1']);
    expect((await call('GET', '/v1/projects/p1/instances', { headers: t })).status).toBe(200);
    expect((await call('GET', '/v1/projects/p2/instances', { headers: t })).status).toBe(403);
    // The p1 token page lists p1's tokens only; p2's page and the p1 admin's view of account keys do not.
    const p1 = await call('GET', '/v1/projects/p1/keys', { headers: ADMIN });
    expect(p1.json.items.map((k: { id: string }) => k.id)).toEqual([token.json.key.id]);
    expect((await call('GET', '/v1/projects/p2/keys', { headers: ADMIN })).json.items).toEqual([]);
    expect((await call('GET', '/v1/projects/p2/keys', { headers: P1_ADMIN })).status).toBe(403);
    expect((await call('GET', '/v1/account/keys', { headers: P1_ADMIN })).status).toBe(403);
    const wider = await call('POST', '/v1/projects/p1/keys', { headers: P1_ADMIN, body: { name: 'x', resources: { project: ['p1', 'p2'] } } });
    expect(wider.status).toBe(403);
    const account = (await call('GET', '/v1/account/keys?status=active&limit=100', { headers: ADMIN })).json.items.find(
      (k: { resources: object }) => Object.keys(k.resources).length === 0,
    ).id;
    expect((await call('DELETE', `/v1/projects/p1/keys/${account}`, { headers: P1_ADMIN })).status).toBe(404);
  });

  it('only administrators manage keys: no session 401, a member 403', async () => {
    expect((await call('GET', '/v1/account/keys')).status).toBe(401);
    expect((await call('GET', '/v1/account/keys', { headers: MEMBER })).status).toBe(403);
    expect((await call('POST', '/v1/projects/p1/keys', { headers: MEMBER, body: { name: 'x' } })).status).toBe(403);
  });
});
