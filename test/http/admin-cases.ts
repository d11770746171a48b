import { expect } from 'vitest';
import { expectError, type ScenarioContext } from './admin-client.js';
import { TENANT_A, TENANT_B } from './fixture.js';

export interface AdminCase {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ONE table of admin scenarios, run against Express, Fastify and Hono (admin.test.ts). */
export const ADMIN_CASES: AdminCase[] = [
  {
    name: 'without a session: 401, and nothing about routes leaks',
    async run({ admin, same }) {
      for (const path of ['/admin/keys', '/admin/nowhere']) {
        const a = await admin({ path });
        expectError(a, 401, 'UNAUTHORIZED');
        expect(a.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
        same(`401 ${path}`, a);
      }
    },
  },
  {
    name: 'authorize returning a wrong shape is a 500 without details, never access',
    async run({ admin, same }) {
      const a = await admin({ path: '/admin/keys', as: 'broken' });
      expectError(a, 500, 'INTERNAL');
      expect(a.json.error.message).toBe('Internal server error');
      same('500', a);
    },
  },
  {
    name: 'create: 201 with the plaintext token once; redacted key, ISO dates, tenant and creator from the session',
    async run({ admin, fx }) {
      const a = await admin({
        method: 'POST',
        path: '/admin/keys',
        as: 'alice',
        body: { name: 'ci', scopes: ['docs:read'], expiresIn: '30d', metadata: { team: 'infra' } },
      });
      expect(a.status, a.text).toBe(201);
      expect(Object.keys(a.json).sort()).toEqual(['key', 'token']);
      const { key, token } = a.json;
      expect(key).not.toHaveProperty('hash');
      expect(key).toMatchObject({
        tenantId: TENANT_A,
        name: 'ci',
        scopes: ['docs:read'],
        createdBy: 'alice',
        enabled: true,
        revokedAt: null,
        metadata: { team: 'infra' },
        version: 1,
      });
      expect(key.createdAt).toMatch(ISO);
      expect(key.expiresAt).toMatch(ISO);
      expect(token.startsWith(`sk_test_${key.id}_`)).toBe(true);
      expect(key.preview.endsWith('…')).toBe(true);
      const verified = await fx.keyring.verify(token);
      expect(verified.valid && verified.key.id).toBe(key.id);
      // Never again: not in get, not in list.
      expect((await admin({ path: `/admin/keys/${key.id}`, as: 'alice' })).text).not.toContain(token);
      expect((await admin({ path: '/admin/keys?limit=100', as: 'alice' })).text).not.toContain(token);
    },
  },
  {
    name: 'create: the tenant comes from the session; tenantId, createdBy and actor in the body are refused',
    async run({ admin, same }) {
      for (const field of ['tenantId', 'createdBy', 'actor', 'actorId']) {
        const a = await admin({
          method: 'POST',
          path: '/admin/keys',
          as: 'alice',
          body: { name: 'x', [field]: field === 'actor' ? { scopes: ['*'] } : TENANT_B },
        });
        expectError(a, 400, 'VALIDATION');
        expect(a.json.error.issues).toEqual([{ path: [field], message: `Unrecognized key: "${field}" (it comes from your session)` }]);
        same(`refused ${field}`, a);
      }
    },
  },
  {
    name: "create: bad input answers 400 with zod's field issues",
    async run({ admin, same }) {
      const unknown = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x', colour: 'red' } });
      expectError(unknown, 400, 'VALIDATION');
      expect(unknown.json.error.issues).toEqual([{ path: [], message: expect.stringContaining('colour') }]);
      same('unknown field', unknown);
      const noName = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { scopes: ['docs:read'] } });
      expectError(noName, 400, 'VALIDATION');
      expect(noName.json.error.issues.map((i: { path: unknown[] }) => i.path)).toEqual([['name']]);
      same('no name', noName);
      const badScope = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x', scopes: ['docs:read', 'launch:missiles'] } });
      expectError(badScope, 400, 'VALIDATION');
      expect(badScope.json.error.issues).toEqual([{ path: ['scopes', 1], message: 'Unknown scope "launch:missiles"' }]);
      const notObject = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: ['x'] });
      expectError(notObject, 400, 'VALIDATION');
      expect(notObject.json.error.issues).toEqual([{ path: [], message: 'Expected a JSON object' }]);
      const empty = await admin({ method: 'POST', path: '/admin/keys', as: 'alice' });
      expectError(empty, 400, 'VALIDATION');
      same('empty body', empty);
    },
  },
  {
    name: 'bodies: malformed JSON 400, other media types 415, over 64 KiB 413 (sized or streamed) — one shape everywhere',
    async run({ admin, same }) {
      const json = { 'content-type': 'application/json' };
      const malformed = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', raw: '{"name": "x",', headers: json });
      expectError(malformed, 400, 'MALFORMED_JSON');
      same('malformed', malformed);
      const secretish = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', raw: '{"name": sk_test_leak}', headers: json });
      expect(secretish.text).not.toContain('sk_test_leak'); // parse errors quote the body: never echoed
      const form = await admin({
        method: 'POST',
        path: '/admin/keys',
        as: 'alice',
        raw: 'name=x',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
      same('415', form);
      const big = JSON.stringify({ name: 'x', metadata: { pad: 'a'.repeat(70_000) } });
      const sized = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', raw: big, headers: json });
      expectError(sized, 413, 'PAYLOAD_TOO_LARGE');
      same('413', sized);
      const chunks = [new TextEncoder().encode(big.slice(0, 40_000)), new TextEncoder().encode(big.slice(40_000))];
      const stream = new ReadableStream<Uint8Array>({ pull: (c) => (chunks.length ? c.enqueue(chunks.shift()!) : c.close()) });
      const streamed = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', raw: stream, headers: json });
      expectError(streamed, 413, 'PAYLOAD_TOO_LARGE');
      same('413 streamed', streamed);
      // Just under the limit is fine (the keyring then judges the content).
      const fits = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x'.repeat(60), metadata: { pad: 'a'.repeat(3000) } } });
      expect(fits.status, fits.text).toBe(201);
    },
  },
  {
    name: 'list: own tenant only, redacted, paged, searchable; bad or unknown query params are 400',
    async run({ admin, fx, same }) {
      const a = await admin({ path: '/admin/keys?limit=100', as: 'alice' });
      expect(a.status).toBe(200);
      expect(Object.keys(a.json).sort()).toEqual(['items', 'limit', 'page', 'total']);
      expect(a.json.items.every((k: { tenantId: string; hash?: string }) => k.tenantId === TENANT_A && k.hash === undefined)).toBe(true);
      expect(a.json.items.map((k: { id: string }) => k.id)).not.toContain(fx.ids.tenantB);
      expect(a.json.items.map((k: { id: string }) => k.id)).not.toContain(fx.ids.revoked);
      for (const token of Object.values(fx.t)) expect(a.text).not.toContain(token);
      const withRevoked = await admin({ path: '/admin/keys?limit=100&includeRevoked=true', as: 'alice' });
      expect(withRevoked.json.items.map((k: { id: string }) => k.id)).toContain(fx.ids.revoked);
      const page = await admin({ path: '/admin/keys?page=2&limit=2', as: 'alice' });
      expect([page.json.page, page.json.limit, page.json.items.length, page.json.total]).toEqual([2, 2, 2, a.json.total]);
      const search = await admin({ path: '/admin/keys?search=projectP', as: 'alice' });
      expect(search.json.items.map((k: { name: string }) => k.name)).toEqual(['projectP1']);
      const bad = await admin({ path: '/admin/keys?limit=1000', as: 'alice' });
      expectError(bad, 400, 'VALIDATION');
      expect(bad.json.error.issues[0].path).toEqual(['limit']);
      same('limit 1000', bad);
      const unknown = await admin({ path: '/admin/keys?allTenants=true', as: 'alice' });
      expectError(unknown, 400, 'VALIDATION');
      const twice = await admin({ path: '/admin/keys?page=1&page=2', as: 'alice' });
      expectError(twice, 400, 'VALIDATION');
    },
  },
  {
    name: "get: own key 200 (revoked too, for audit); another tenant's key is 404 exactly like an unknown id",
    async run({ admin, fx, same }) {
      const own = await admin({ path: `/admin/keys/${fx.ids.reader}`, as: 'alice' });
      expect(own.status).toBe(200);
      expect(own.json.id).toBe(fx.ids.reader);
      expect(own.json).not.toHaveProperty('hash');
      expect((await admin({ path: `/admin/keys/${fx.ids.revoked}`, as: 'alice' })).json.revokedAt).toMatch(ISO);
      const foreign = await admin({ path: `/admin/keys/${fx.ids.tenantB}`, as: 'alice' });
      const missing = await admin({ path: '/admin/keys/ZZZZZZZZZZZZZZZZ', as: 'alice' });
      expectError(foreign, 404, 'NOT_FOUND');
      expect(foreign.text).toBe(missing.text);
      expect(foreign.headers.get('content-length')).toBe(missing.headers.get('content-length'));
      same('404', foreign);
      for (const [method, path, body] of [
        ['PATCH', `/admin/keys/${fx.ids.tenantB}`, { name: 'mine now' }],
        ['DELETE', `/admin/keys/${fx.ids.tenantB}`, undefined],
        ['POST', `/admin/keys/${fx.ids.tenantB}/toggle-active`, undefined],
        ['POST', `/admin/keys/${fx.ids.tenantB}/rotate`, undefined],
        ['GET', '/admin/tenants/tenant_b/keys', undefined],
      ] as const) {
        const a = await admin({ method, path, as: 'alice', body });
        expect(a.text, `${method} ${path}`).toBe(missing.text);
        expect(a.status).toBe(404);
      }
      expect((await fx.keyring.get(TENANT_B, fx.ids.tenantB!))?.name).toBe('tenantB');
    },
  },
  {
    name: 'update: 200 with the new version; stale version 409; past dates and unknown fields 400',
    async run({ admin, fx, same }) {
      const { key } = await fx.keyring.create({ tenantId: TENANT_A, name: 'to-edit', scopes: ['docs:read'] });
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
      const a = await admin({
        method: 'PATCH',
        path: `/admin/keys/${key.id}`,
        as: 'alice',
        body: { name: 'edited', scopes: ['docs:read', 'docs:write'], expiresAt, version: 1 },
      });
      expect(a.status, a.text).toBe(200);
      expect(a.json).toMatchObject({ name: 'edited', scopes: ['docs:read', 'docs:write'], expiresAt, version: 2 });
      expect(a.json.updatedAt).toMatch(ISO);
      const stale = await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { name: 'again', version: 1 } });
      expectError(stale, 409, 'VERSION_CONFLICT');
      same('409', stale);
      const past = await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { expiresAt: '2001-01-01T00:00:00.000Z' } });
      expectError(past, 400, 'VALIDATION');
      expect(past.json.error.issues).toEqual([{ path: ['expiresAt'], message: 'Must be in the future' }]);
      expectError(await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { tenantId: TENANT_B } }), 400, 'VALIDATION');
      expectError(await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { hash: 'sha256:00' } }), 400, 'VALIDATION');
    },
  },
  {
    name: 'revoke: 204, then 404; the key stops verifying; the record stays for audit',
    async run({ admin, fx, same }) {
      const { key, token } = await fx.keyring.create({ tenantId: TENANT_A, name: 'to-revoke', scopes: ['docs:read'] });
      const a = await admin({ method: 'DELETE', path: `/admin/keys/${key.id}`, as: 'alice' });
      expect(a.status).toBe(204);
      expect(a.text).toBe('');
      same('204', a);
      expectError(await admin({ method: 'DELETE', path: `/admin/keys/${key.id}`, as: 'alice' }), 404, 'NOT_FOUND');
      const verified = await fx.keyring.verify(token);
      expect(verified.valid || verified.code).toBe('REVOKED');
      expect((await fx.keyring.get(TENANT_A, key.id))?.revokedBy).toBe('alice');
    },
  },
  {
    name: 'toggle-active: flips without a body, sets with { enabled }, refuses anything else',
    async run({ admin, fx, same }) {
      const { key } = await fx.keyring.create({ tenantId: TENANT_A, name: 'to-toggle', scopes: ['docs:read'] });
      const path = `/admin/keys/${key.id}/toggle-active`;
      expect((await admin({ method: 'POST', path, as: 'alice' })).json.enabled).toBe(false);
      expect((await admin({ method: 'POST', path, as: 'alice' })).json.enabled).toBe(true);
      expect((await admin({ method: 'POST', path, as: 'alice', body: { enabled: false } })).json.enabled).toBe(false);
      expect((await admin({ method: 'POST', path, as: 'alice', body: { enabled: false } })).json.enabled).toBe(false);
      const bad = await admin({ method: 'POST', path, as: 'alice', body: { enabled: 'yes' } });
      expectError(bad, 400, 'VALIDATION');
      expect(bad.json.error.issues[0].path).toEqual(['enabled']);
      same('toggle 400', bad);
    },
  },
  {
    name: 'rotate: 201 with a new token; the old one works for its grace period',
    async run({ admin, fx }) {
      const { key, token } = await fx.keyring.create({ tenantId: TENANT_A, name: 'to-rotate', scopes: ['docs:read'] });
      const a = await admin({ method: 'POST', path: `/admin/keys/${key.id}/rotate`, as: 'alice', body: { graceMs: 60_000 } });
      expect(a.status, a.text).toBe(201);
      expect(Object.keys(a.json).sort()).toEqual(['key', 'previous', 'token']);
      expect(a.json.key.id).not.toBe(key.id);
      expect(a.json.key).not.toHaveProperty('hash');
      expect(a.json.previous.expiresAt).toMatch(ISO);
      expect((await fx.keyring.verify(a.json.token)).valid).toBe(true);
      expect((await fx.keyring.verify(token)).valid).toBe(true);
      expectError(await admin({ method: 'POST', path: `/admin/keys/${key.id}/rotate`, as: 'alice', body: { graceMs: -1 } }), 400, 'VALIDATION');
      expectError(await admin({ method: 'POST', path: `/admin/keys/${key.id}/rotate`, as: 'alice', body: { grace: '1h' } }), 400, 'VALIDATION');
    },
  },
  {
    name: 'list filters: status, resource (kind:id), ownerId, includeExpired; every key carries its derived status',
    async run({ admin, fx, same }) {
      const ids = (a: { json: { items: { id: string }[] } }) => a.json.items.map((k) => k.id);
      const all = await admin({ path: '/admin/keys?limit=100', as: 'alice' });
      const byId = new Map(all.json.items.map((k: { id: string; status: string }) => [k.id, k.status]));
      expect(byId.get(fx.ids.reader)).toBe('active');
      expect(byId.get(fx.ids.disabled)).toBe('paused');
      expect(byId.get(fx.ids.expired)).toBe('expired'); // the default list keeps expired keys, marked
      expect(byId.has(fx.ids.revoked)).toBe(false);
      expect(all.json.items.every((k: { status?: string }) => ['active', 'paused', 'expired'].includes(k.status!))).toBe(true);
      // Earlier cases add keys to the shared fixture, so compare with the full list rather than fixed counts.
      const count = (status: string) => all.json.items.filter((k: { status: string }) => k.status === status).length;
      const only = async (query: string, status: string[]) => {
        const a = await admin({ path: `/admin/keys?limit=100&${query}`, as: 'alice' });
        expect(a.status, a.text).toBe(200);
        expect(
          a.json.items.every((k: { status: string }) => status.includes(k.status)),
          query,
        ).toBe(true);
        expect(a.json.total, query).toBe(a.json.items.length);
        return a;
      };
      const active = await only('status=active', ['active']);
      expect(ids(active)).toContain(fx.ids.reader);
      expect(active.json.total).toBe(count('active'));
      expect(ids(await only('status=paused', ['paused']))).toContain(fx.ids.disabled);
      expect((await only('status=paused', ['paused'])).json.total).toBe(count('paused'));
      expect(ids(await only('status=expired', ['expired']))).toContain(fx.ids.expired);
      const revoked = await only('status=revoked', ['revoked']);
      expect(ids(revoked)).toContain(fx.ids.revoked);
      expect(ids(revoked)).not.toContain(fx.ids.reader);
      expect((await only('status=paused,expired', ['paused', 'expired'])).json.total).toBe(count('paused') + count('expired'));
      const noExpired = await only('includeExpired=false', ['active', 'paused']);
      expect(ids(noExpired)).not.toContain(fx.ids.expired);
      expect(noExpired.json.total).toBe(all.json.total - count('expired'));
      const p1 = await only('resource=project:p1', ['active', 'paused', 'expired']);
      expect(ids(p1)).toEqual(expect.arrayContaining([fx.ids.projectP1, fx.ids.managerReadOnly]));
      expect(p1.json.items.every((k: { resources: { project?: string[] } }) => k.resources.project?.includes('p1'))).toBe(true);
      expect(ids(await only('resource=project:nowhere', []))).toEqual([]);
      const owned = await fx.keyring.create({ tenantId: TENANT_A, name: 'owned', ownerId: 'user_9' });
      expect(ids(await admin({ path: '/admin/keys?ownerId=user_9', as: 'alice' }))).toEqual([owned.key.id]);
      expect((await admin({ path: `/admin/keys/${fx.ids.disabled}`, as: 'alice' })).json.status).toBe('paused');
      for (const [query, field] of [
        ['status=gone', 'status'],
        ['status=', 'status'],
        ['resource=p1', 'resource'],
        ['resource=project:', 'resource'],
        ['resource=1x:p1', 'resource'],
        ['includeExpired=maybe', 'includeExpired'],
      ]) {
        const bad = await admin({ path: `/admin/keys?${query}`, as: 'alice' });
        expectError(bad, 400, 'VALIDATION');
        expect(bad.json.error.issues[0].path[0], query).toBe(field);
        same(`bad ${query}`, bad);
      }
    },
  },
  {
    name: 'toggle-active: { target: "mcp" } pauses MCP access only (status stays active, HTTP works); the default pauses the whole key',
    async run({ admin, fx, framework }) {
      const { key, token } = await fx.keyring.create({ tenantId: TENANT_A, name: 'mcp-toggle', scopes: ['docs:read'] });
      const path = `/admin/keys/${key.id}/toggle-active`;
      const off = await admin({ method: 'POST', path, as: 'alice', body: { target: 'mcp' } });
      expect(off.status, off.text).toBe(200);
      expect(off.json).toMatchObject({ enabled: true, status: 'active', mcp: { enabled: false } });
      const verified = await fx.keyring.verify(token);
      expect(verified.valid && verified.permissions.mcp.enabled).toBe(false); // HTTP: valid; MCP adapters refuse it
      expect((await admin({ method: 'POST', path, as: 'alice', body: { target: 'mcp' } })).json.mcp.enabled).toBe(true);
      expect((await admin({ method: 'POST', path, as: 'alice', body: { target: 'mcp', enabled: false } })).json.mcp.enabled).toBe(false);
      const whole = await admin({ method: 'POST', path, as: 'alice', body: { target: 'key', enabled: false } });
      expect(whole.json).toMatchObject({ enabled: false, status: 'paused', mcp: { enabled: false } });
      const refused = await fx.keyring.verify(token);
      expect(refused.valid || refused.code).toBe('DISABLED');
      expect((await admin({ method: 'POST', path, as: 'alice' })).json).toMatchObject({ enabled: true, status: 'active', mcp: { enabled: false } });
      expectError(await admin({ method: 'POST', path, as: 'alice', body: { target: 'http' } }), 400, 'VALIDATION');
      expect(framework).toBeTruthy();
    },
  },
  {
    name: 'update: expiresIn is accepted like create (from now); with expiresAt, or malformed, 400',
    async run({ admin, fx, same }) {
      const { key } = await fx.keyring.create({ tenantId: TENANT_A, name: 'add-expiry', scopes: ['docs:read'] });
      const now = (await fx.keyring.get(TENANT_A, key.id))!.createdAt.getTime();
      const a = await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { expiresIn: '30d' } });
      expect(a.status, a.text).toBe(200);
      expect(new Date(a.json.expiresAt).getTime()).toBe(now + 30 * 86_400_000); // the fixture's clock stands still
      expect(a.json.status).toBe('active');
      const both = await admin({
        method: 'PATCH',
        path: `/admin/keys/${key.id}`,
        as: 'alice',
        body: { expiresIn: '7d', expiresAt: new Date(now + 86_400_000).toISOString() },
      });
      expectError(both, 400, 'VALIDATION');
      expect(both.json.error.issues).toEqual([{ path: ['expiresIn'], message: 'Give expiresAt or expiresIn, not both' }]);
      same('expiresIn and expiresAt', both);
      expectError(await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { expiresIn: 'soon' } }), 400, 'VALIDATION');
      expect((await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'alice', body: { expiresAt: null } })).json.expiresAt).toBeNull();
    },
  },
  {
    name: 'requireMapping per key: an empty resource list then denies that key, other keys stay open',
    async run({ admin, fx }) {
      const closed = await admin({
        method: 'POST',
        path: '/admin/keys',
        as: 'alice',
        body: { name: 'closed', scopes: ['docs:read'], requireMapping: ['project'] },
      });
      expect(closed.status, closed.text).toBe(201);
      expect(closed.json.key.requireMapping).toEqual(['project']);
      const open = await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'open', scopes: ['docs:read'] } });
      expect(open.json.key.requireMapping).toBe(false);
      const check = async (token: string) => {
        const r = await fx.keyring.verify(token, { resource: { kind: 'project', id: 'p1' } });
        return r.valid || r.code;
      };
      expect(await check(closed.json.token)).toBe('FORBIDDEN_RESOURCE');
      expect(await check(open.json.token)).toBe(true);
      const mapped = await admin({ method: 'PATCH', path: `/admin/keys/${closed.json.key.id}`, as: 'alice', body: { resources: { project: ['p1'] } } });
      expect(mapped.status, mapped.text).toBe(200);
      expect(await check(closed.json.token)).toBe(true);
      expectError(await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x', requireMapping: ['1bad'] } }), 400, 'VALIDATION');
    },
  },
  {
    name: "an actor confined to one project (authorize returns resource) sees and makes only that project's keys",
    async run({ admin, fx, same }) {
      const list = await admin({ path: '/admin/keys?limit=100', as: 'dave' });
      expect(list.status, list.text).toBe(200);
      expect(list.json.items.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([fx.ids.projectP1, fx.ids.managerReadOnly]));
      expect(list.json.items.every((k: { resources: { project?: string[] } }) => k.resources.project?.includes('p1'))).toBe(true);
      const other = await admin({ path: '/admin/keys?resource=project:p2', as: 'dave' });
      expectError(other, 403, 'FORBIDDEN');
      same('confined list of another project', other);
      const hidden = await admin({ path: `/admin/keys/${fx.ids.reader}`, as: 'dave' });
      const missing = await admin({ path: '/admin/keys/ZZZZZZZZZZZZZZZZ', as: 'dave' });
      expectError(hidden, 404, 'NOT_FOUND');
      expect(hidden.text).toBe(missing.text);
      for (const [method, suffix] of [
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', '/toggle-active'],
        ['POST', '/rotate'],
      ] as const) {
        const a = await admin({ method, path: `/admin/keys/${fx.ids.reader}${suffix}`, as: 'dave', body: method === 'PATCH' ? { name: 'mine' } : undefined });
        expect(a.status, `${method} ${suffix}`).toBe(404);
      }
      expect((await admin({ path: `/admin/keys/${fx.ids.projectP1}`, as: 'dave' })).json.id).toBe(fx.ids.projectP1);
      const made = await admin({ method: 'POST', path: '/admin/keys', as: 'dave', body: { name: 'p1 token', scopes: ['docs:read'] } });
      expect(made.status, made.text).toBe(201);
      expect(made.json.key.resources).toEqual({ project: ['p1'] });
      const wider = await admin({ method: 'POST', path: '/admin/keys', as: 'dave', body: { name: 'x', resources: { project: ['p1', 'p2'] } } });
      expectError(wider, 403, 'ESCALATION');
      same('confined create wider', wider);
      expectError(
        await admin({ method: 'PATCH', path: `/admin/keys/${made.json.key.id}`, as: 'dave', body: { resources: { project: ['p2'] } } }),
        403,
        'ESCALATION',
      );
      expect((await admin({ method: 'DELETE', path: `/admin/keys/${made.json.key.id}`, as: 'dave' })).status).toBe(204);
      expectError(await admin({ path: '/admin/admin/keys', as: 'dave' }), 403, 'FORBIDDEN');
      expect((await admin({ path: '/admin/tenants/tenant_b/keys', as: 'dave' })).status).toBe(404);
    },
  },
  {
    name: 'super-admin: any tenant by id, every tenant at /admin/keys; others get 403 there and 404 elsewhere',
    async run({ admin, fx, same }) {
      const all = await admin({ path: '/admin/admin/keys?limit=100', as: 'root' });
      expect(all.status, all.text).toBe(200);
      const tenants = new Set(all.json.items.map((k: { tenantId: string }) => k.tenantId));
      expect([...tenants].sort()).toEqual([TENANT_A, TENANT_B]);
      const forbidden = await admin({ path: '/admin/admin/keys', as: 'alice' });
      expectError(forbidden, 403, 'FORBIDDEN');
      same('403 super only', forbidden);
      expect((await admin({ path: `/admin/admin/keys/${fx.ids.tenantB}`, as: 'root' })).json.tenantId).toBe(TENANT_B);
      expectError(await admin({ method: 'DELETE', path: `/admin/admin/keys/${fx.ids.tenantB}`, as: 'alice' }), 403, 'FORBIDDEN');
      const inB = await admin({ method: 'POST', path: '/admin/tenants/tenant_b/keys', as: 'root', body: { name: 'made by root', scopes: ['docs:read'] } });
      expect(inB.status, inB.text).toBe(201);
      expect(inB.json.key).toMatchObject({ tenantId: TENANT_B, createdBy: 'root' });
      expect((await admin({ path: '/admin/tenants/tenant_b/keys?limit=100', as: 'root' })).json.items.map((k: { id: string }) => k.id)).toContain(
        inB.json.key.id,
      );
      expect((await admin({ path: `/admin/tenants/tenant_b/keys/${inB.json.key.id}`, as: 'bob' })).status).toBe(200);
      expect((await admin({ path: '/admin/tenants/tenant_a/keys', as: 'alice' })).status).toBe(200);
      const gone = await admin({ method: 'DELETE', path: `/admin/admin/keys/${inB.json.key.id}`, as: 'root' });
      expect(gone.status).toBe(204);
      expect((await fx.keyring.get(TENANT_B, inB.json.key.id))?.revokedBy).toBe('root');
      expectError(await admin({ method: 'DELETE', path: `/admin/admin/keys/${inB.json.key.id}`, as: 'root' }), 404, 'NOT_FOUND');
    },
  },
  {
    name: 'an actor with limited permissions can never grant or touch more than it holds (403 ESCALATION)',
    async run({ admin, fx, same }) {
      const wider = await admin({ method: 'POST', path: '/admin/keys', as: 'carol', body: { name: 'wider', scopes: ['docs:write'] } });
      expectError(wider, 403, 'ESCALATION');
      expect(wider.json.error.issues).toEqual([{ path: ['scopes'], message: 'You do not hold scope docs:write' }]);
      same('escalation', wider);
      expectError(await admin({ method: 'POST', path: '/admin/keys', as: 'carol', body: { name: 'all', preset: 'full-access' } }), 403, 'ESCALATION');
      expect((await admin({ method: 'POST', path: '/admin/keys', as: 'carol', body: { name: 'narrow', scopes: ['docs:read'] } })).status).toBe(201);
      expectError(
        await admin({ method: 'PATCH', path: `/admin/keys/${fx.ids.reader}`, as: 'carol', body: { scopes: ['docs:read', 'docs:write'] } }),
        403,
        'ESCALATION',
      );
      // Keys that already hold more than carol are out of her reach: no pause, rotate or revoke.
      for (const [method, suffix] of [
        ['POST', '/toggle-active'],
        ['POST', '/rotate'],
        ['DELETE', ''],
      ] as const) {
        expectError(await admin({ method, path: `/admin/keys/${fx.ids.writer}${suffix}`, as: 'carol' }), 403, 'ESCALATION');
      }
      expect(await fx.keyring.get(TENANT_A, fx.ids.writer!)).toMatchObject({ enabled: true, revokedAt: null });
    },
  },
  {
    name: 'authorizeWithKey: a keys:manage key administers its own tenant within its own rights',
    async run({ admin, fx, same }) {
      const created = await admin({ method: 'POST', path: '/key-admin/keys', key: fx.t.manager, body: { name: 'via key', scopes: ['docs:read'] } });
      expect(created.status, created.text).toBe(201);
      expect(created.json.key).toMatchObject({ tenantId: TENANT_A, createdBy: `key:${fx.ids.manager}` });
      expectError(await admin({ method: 'POST', path: '/key-admin/keys', key: fx.t.manager, body: { name: 'x', scopes: ['docs:write'] } }), 403, 'ESCALATION');
      // A manager limited to project p1 may only mint keys limited to p1.
      expectError(
        await admin({ method: 'POST', path: '/key-admin/keys', key: fx.t.managerReadOnly, body: { name: 'x', scopes: ['docs:read'] } }),
        403,
        'ESCALATION',
      );
      expect(
        (
          await admin({
            method: 'POST',
            path: '/key-admin/keys',
            key: fx.t.managerReadOnly,
            body: { name: 'x', scopes: ['docs:read'], resources: { project: ['p1'] } },
          })
        ).status,
      ).toBe(201);
      const list = await admin({ path: '/key-admin/keys?limit=100', key: fx.t.manager });
      expect(list.json.items.every((k: { tenantId: string }) => k.tenantId === TENANT_A)).toBe(true);
      expectError(await admin({ path: `/key-admin/keys/${fx.ids.tenantB}`, key: fx.t.manager }), 404, 'NOT_FOUND');
      expectError(await admin({ path: '/key-admin/admin/keys', key: fx.t.manager }), 403, 'FORBIDDEN');
      const noScope = await admin({ path: '/key-admin/keys', key: fx.t.reader });
      expectError(noScope, 401, 'UNAUTHORIZED');
      same('key without keys:manage', noScope);
      expectError(await admin({ path: '/key-admin/keys', key: fx.t.revoked }), 401, 'UNAUTHORIZED');
      expectError(await admin({ path: '/key-admin/keys' }), 401, 'UNAUTHORIZED');
    },
  },
  {
    name: 'requireMapping: an actor that lists no id of a fail-closed kind can grant none of it (issue 12 item 4)',
    async run({ admin, fx, same }) {
      // erin lists project p1 and, with requireMapping: true, reaches no other kind at all.
      for (const org of [['*'], ['o1']]) {
        const wider = await admin({
          method: 'POST',
          path: '/admin/keys',
          as: 'erin',
          body: { name: 'x', scopes: ['docs:read'], resources: { project: ['p1'], org } },
        });
        expectError(wider, 403, 'ESCALATION');
        expect(wider.json.error.issues).toContainEqual({ path: ['resources', 'org'], message: 'You may only grant org ids you can access yourself' });
        same(`requireMapping escalation ${org}`, wider);
      }
      const { key } = await fx.keyring.create({ tenantId: TENANT_A, name: 'p1 only', scopes: ['docs:read'], resources: { project: ['p1'] } });
      expectError(
        await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'erin', body: { resources: { project: ['p1'], org: ['*'] } } }),
        403,
        'ESCALATION',
      );
      expect((await fx.keyring.get(TENANT_A, key.id))?.resources).toEqual({ project: ['p1'] });
    },
  },
  {
    name: 'strip, then revoke: an actor may not change a key that holds more than it does, in any way (issue 12 item 5)',
    async run({ admin, fx, same }) {
      const { key } = await fx.keyring.create({ tenantId: TENANT_A, name: 'strong', scopes: ['docs:read', 'docs:write'] });
      const strip = await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'carol', body: { scopes: ['docs:read'] } });
      expectError(strip, 403, 'ESCALATION');
      expect(strip.json.error.issues).toEqual([{ path: ['scopes'], message: 'The key holds scope docs:write, which you do not: you may not change it' }]);
      same('strip', strip);
      for (const body of [{ name: 'renamed' }, { enabled: false }, { expiresAt: null }, { metadata: { x: 1 } }]) {
        expectError(await admin({ method: 'PATCH', path: `/admin/keys/${key.id}`, as: 'carol', body }), 403, 'ESCALATION');
      }
      for (const [method, suffix] of [
        ['POST', '/toggle-active'],
        ['POST', '/rotate'],
        ['DELETE', ''],
      ] as const) {
        expectError(await admin({ method, path: `/admin/keys/${key.id}${suffix}`, as: 'carol' }), 403, 'ESCALATION');
      }
      expect(await fx.keyring.get(TENANT_A, key.id)).toMatchObject({
        name: 'strong',
        scopes: ['docs:read', 'docs:write'],
        enabled: true,
        revokedAt: null,
        version: 1,
      });
      // A key within carol's rights she may change and revoke.
      const { key: small } = await fx.keyring.create({ tenantId: TENANT_A, name: 'small', scopes: ['docs:read'] });
      expect((await admin({ method: 'PATCH', path: `/admin/keys/${small.id}`, as: 'carol', body: { name: 'renamed' } })).status).toBe(200);
      expect((await admin({ method: 'DELETE', path: `/admin/keys/${small.id}`, as: 'carol' })).status).toBe(204);
    },
  },
  {
    name: 'limits are permissions too: a key-admin never mints a child that outlives it or escapes its address, credit or rate limits, and never widens itself (issue 12 item 6)',
    async run({ admin, fx, same }) {
      const limits = {
        expiresIn: '30d',
        ipAllowlist: ['127.0.0.1/32', '::1'],
        remaining: 1000,
        rateLimits: [{ name: 'burst', limit: 1000, windowMs: 60_000 }],
      };
      const { key: manager, token } = await fx.keyring.create({ tenantId: TENANT_A, name: 'limited manager', scopes: ['keys:manage', 'docs:read'], ...limits });
      const child = {
        name: 'child',
        scopes: ['docs:read'],
        expiresIn: '1d',
        ipAllowlist: ['127.0.0.1'],
        remaining: 10,
        rateLimits: [{ name: 'burst', limit: 10, windowMs: 60_000 }],
      };
      const refused: [string, Record<string, unknown>, string][] = [
        ['no expiry', { expiresIn: undefined }, 'expiresAt'],
        ['outlives the actor', { expiresIn: '60d' }, 'expiresAt'],
        ['any address', { ipAllowlist: [] }, 'ipAllowlist'],
        ['an address the actor may not use', { ipAllowlist: ['10.0.0.0/8'] }, 'ipAllowlist'],
        ['a wider range', { ipAllowlist: ['127.0.0.0/8'] }, 'ipAllowlist'],
        ['unlimited credits', { remaining: undefined }, 'remaining'],
        ['more credits', { remaining: 5000 }, 'remaining'],
        ['a refill', { refill: { amount: 10, interval: 'day' } }, 'refill'],
        ['no rate limit', { rateLimits: [] }, 'rateLimits'],
        ['a looser rate limit', { rateLimits: [{ name: 'burst', limit: 2000, windowMs: 60_000 }] }, 'rateLimits'],
        ['a shorter window at the same count', { rateLimits: [{ name: 'burst', limit: 1000, windowMs: 1_000 }] }, 'rateLimits'],
      ];
      for (const [label, change, field] of refused) {
        const a = await admin({ method: 'POST', path: '/key-admin/keys', key: token, body: { ...child, ...change } });
        expectError(a, 403, 'ESCALATION');
        expect(
          a.json.error.issues.map((i: { path: unknown[] }) => i.path[0]),
          label,
        ).toEqual([field]);
        same(`child: ${label}`, a);
      }
      const ok = await admin({ method: 'POST', path: '/key-admin/keys', key: token, body: child });
      expect(ok.status, ok.text).toBe(201);
      // The same check holds for the key itself: it can narrow itself, never widen.
      for (const [label, patch] of [
        ['lift its expiry', { expiresAt: null }],
        ['extend its expiry', { expiresAt: new Date(Date.now() + 365 * 86_400_000).toISOString() }],
        ['drop its allowlist', { ipAllowlist: [] }],
        ['widen its allowlist', { ipAllowlist: ['0.0.0.0/0', '::/0'] }],
        ['lift its credits', { remaining: null }],
        ['raise its credits', { remaining: 1_000_000 }],
        ['add a refill', { refill: { amount: 1000, interval: 'day' } }],
        ['drop its rate limits', { rateLimits: [] }],
      ] as const) {
        const a = await admin({ method: 'PATCH', path: `/key-admin/keys/${manager.id}`, key: token, body: patch });
        expectError(a, 403, 'ESCALATION');
        same(`self: ${label}`, a);
      }
      const after = await fx.keyring.get(TENANT_A, manager.id);
      expect(after).toMatchObject({ ipAllowlist: limits.ipAllowlist, rateLimits: limits.rateLimits, refill: null, expiresAt: manager.expiresAt, version: 1 });
      expect(after!.remaining).toBeLessThanOrEqual(1000);
      const narrowed = await admin({
        method: 'PATCH',
        path: `/key-admin/keys/${manager.id}`,
        key: token,
        body: { remaining: 500, rateLimits: [{ name: 'burst', limit: 100, windowMs: 60_000 }] },
      });
      expect(narrowed.status, narrowed.text).toBe(200);
    },
  },
  {
    name: 'routing: unknown route 404, wrong method 405 with Allow',
    async run({ admin, same }) {
      const nowhere = await admin({ path: '/admin/nowhere', as: 'alice' });
      expectError(nowhere, 404, 'NOT_FOUND');
      same('no route', nowhere);
      const put = await admin({ method: 'PUT', path: '/admin/keys', as: 'alice', body: {} });
      expectError(put, 405, 'METHOD_NOT_ALLOWED');
      expect(put.headers.get('allow')).toBe('GET, POST');
      same('405', put);
      expect((await admin({ path: '/admin/keys/', as: 'alice' })).status).toBe(200);
    },
  },
  {
    name: 'an unreachable store is 503 for sessions and for key-authorized admins alike',
    async run({ admin, fx, same }) {
      fx.store.down = true;
      try {
        const a = await admin({ path: '/admin/keys', as: 'alice' });
        expectError(a, 503, 'STORE_UNAVAILABLE');
        expect(a.text).not.toContain('ECONNREFUSED');
        same('503', a);
        expectError(await admin({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x' } }), 503, 'STORE_UNAVAILABLE');
        expectError(await admin({ path: '/key-admin/keys', key: fx.t.manager }), 503, 'STORE_UNAVAILABLE');
      } finally {
        fx.store.down = false;
      }
    },
  },
];
