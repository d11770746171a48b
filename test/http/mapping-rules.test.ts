import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import {
  adminOpenApi,
  authorizeByRole,
  booleanFor,
  containsItem,
  createAdminHandler,
  itemsExcept,
  itemsWithoutPrefix,
  itemsWithPrefix,
  type AdminActor,
  type AdminMapping,
  type HttpAnswer,
} from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';
import { CHORDIA } from '../../examples/recipes/project-mcp-keys-mongo/server.js';
import { OCORE } from '../../examples/recipes/tenant-keys-mcp/server.js';

const alice: AdminActor = { actorId: 'alice', tenantId: 't1' };
const one = '/orgs/:org/things/:thing';

/** A small mapped API with a tenant parameter, custom names and every kind of field. */
const MAPPING: AdminMapping = {
  params: { tenant: 'org', id: 'thing' },
  routes: {
    create: { method: 'POST', path: '/orgs/:org/things' },
    list: { method: 'GET', path: '/orgs/:org/things' },
    get: { method: 'GET', path: one },
    update: { method: 'PUT', path: one },
    revoke: { method: 'DELETE', path: one, status: 200, body: { ok: true } },
    toggle: { method: 'POST', path: `${one}/mcp-toggle`, target: 'mcp' },
    listAll: { method: 'GET', path: '/all-things' },
  },
  keep: ['id', 'createdAt'],
  case: 'snake',
  fields: {
    label: 'name',
    grants: { from: 'scopes', codec: itemsWithoutPrefix('mcp:') },
    mcp_grants: { from: 'scopes', codec: itemsWithPrefix('mcp:') },
    mcp_on: 'mcp.enabled',
    kit: { from: 'preset', empty: '' },
    projects: { from: 'resources.project', default: [] },
    kind: { from: 'metadata.kind', default: 'plain', writes: 'create' },
    state: 'status',
    enabled: 'enabled',
    tenant: { from: 'tenantId', in: ['listAll'] },
    schema_version: { const: 2 },
  },
  hideRevoked: true,
  query: {
    q: 'search',
    per_page: { to: 'limit', ignore: ['0'], default: '50' },
    show: { to: 'status', values: { live: 'active', all: 'active,paused,expired,revoked' }, default: 'live' },
  },
  list: { items: 'things', total: 'n', page: false, limit: false },
  created: { key: false, token: 'secret' },
};

type Json = Record<string, any>;
type Who = AdminActor | null | false;

function mount(
  mapping: AdminMapping = MAPPING,
  keyring: Keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read', 'docs:write', 'mcp:docs:read'] }),
) {
  const handle = createAdminHandler<Who>(keyring, { authorize: (who) => who, mapping });
  const call = async (method: string, target: string, body?: unknown, who: Who = alice): Promise<HttpAnswer & { json: Json }> => {
    const [path, query] = target.split('?');
    const answer = await handle(who, {
      method,
      path: path!,
      query: query ?? '',
      header: (name) => (name === 'content-type' && body !== undefined ? 'application/json' : undefined),
      body: body === undefined ? { kind: 'none' } : { kind: 'parsed', value: body },
    });
    return { ...answer, json: answer.body ? JSON.parse(answer.body) : undefined };
  };
  return { keyring, call };
}

const issuePaths = (a: { json: Json }) => (a.json.error.issues as { path: unknown[] }[]).map((i) => i.path);

describe('admin mapping: the rules', () => {
  it('refuses a bad mapping when the mount is built, naming the problem', () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const bad = (mapping: unknown, message: RegExp) =>
      expect(() => createAdminHandler(keyring, { authorize: () => null, mapping: mapping as AdminMapping }), message.source).toThrow(message);
    const base = { routes: { list: { method: 'GET', path: '/k' } }, fields: { n: 'name' } };
    bad({ ...base, routes: {} }, /map at least one action/);
    bad({ ...base, fields: { n: 'nmae' } }, /unknown key field "nmae"/);
    bad({ ...base, fields: { n: 'mcp.tools.nope' } }, /unknown key field/);
    bad({ ...base, fields: { n: 'metadata.__proto__' } }, /unknown key field/);
    bad({ ...base, routes: { get: { method: 'GET', path: '/k' } } }, /needs ":id"/);
    bad({ ...base, routes: { list: { method: 'GET', path: '/k/:id' } } }, /takes no ":id"/);
    bad({ ...base, routes: { listAll: { method: 'GET', path: '/t/:tenantId/k' } } }, /across tenants/);
    bad({ ...base, routes: { list: { method: 'GET', path: '/k/:who' } } }, /unknown parameter ":who"/);
    bad({ ...base, routes: { list: { method: 'GET', path: '/k' }, create: { method: 'GET', path: '/k' } } }, /two routes answer GET k/);
    bad({ ...base, routes: { list: { method: 'GET', path: '/k', target: 'mcp' } } }, /target is for toggle only/);
    bad({ ...base, routes: { get: { method: 'GET', path: '/k/:id', soft: true } } }, /soft is for revoke only/);
    bad({ ...base, routes: { list: { method: 'GET', path: '/k', status: 302 } } }, /2xx/);
    bad({ ...base, routes: { list: { method: 'TRACE', path: '/k' } } }, /method must be one of/);
    bad({ ...base, keep: ['name'], fields: { name: 'preview' } }, /two fields are named "name"/);
    bad({ ...base, case: 'kebab' }, /case must be/);
    bad({ ...base, created: { key: false, token: 'n' } }, /created.token "n" is also a field name/);
    bad({ ...base, query: { q: { to: 'nope' } } }, /"to" must be one of/);
    bad({ ...base, fields: { n: { from: 'name', codec: { read: () => 1 } } } }, /codec needs schema, read and write/);
    bad({ ...base, params: { id: 'x', tenant: 'x' } }, /must differ/);
    bad({ ...base, routes: { create: { method: 'POST', path: '/k' } }, fields: { n: 'preview' } }, /needs a field for "name"/);
  });

  it('authorize: null is 401, false 403, and authorizeByRole maps roles', async () => {
    const { call } = mount();
    expect((await call('GET', '/orgs/t1/things', undefined, null)).status).toBe(401);
    const refused = await call('GET', '/orgs/t1/things', undefined, false);
    expect([refused.status, refused.json.error.code]).toEqual([403, 'FORBIDDEN']);
    const byRole = authorizeByRole((roles: string[] | null) => roles && { userId: 'u', tenantId: 't', roles }, { admin: ['Admin'], superAdmin: ['Root'] });
    expect(await byRole(null)).toBeNull();
    expect(await byRole(['Member'])).toBe(false);
    expect(await byRole(['Admin'])).toEqual({ actorId: 'u', tenantId: 't', superAdmin: false });
    expect(await byRole(['Root'])).toEqual({ actorId: 'u', tenantId: 't', superAdmin: true });
    expect(() => authorizeByRole(() => null, { admin: [] })).toThrow(/authorizeByRole/);
  });

  it('answers in the mapped shape: flat token, kept snake_case names, constants, defaults, empty values, `in`', async () => {
    const { call } = mount();
    const created = await call('POST', '/orgs/t1/things', { label: 'a', grants: ['docs:read'], mcp_grants: ['docs:read'], kit: '', projects: ['p1'] });
    expect(created.status, created.body ?? '').toBe(201);
    const { secret, ...key } = created.json;
    expect(secret).toMatch(/^sk_/);
    expect(Object.keys(key).sort()).toEqual(
      ['created_at', 'enabled', 'grants', 'id', 'kind', 'kit', 'label', 'mcp_grants', 'mcp_on', 'projects', 'schema_version', 'state'].sort(),
    );
    expect(key).toMatchObject({
      label: 'a',
      grants: ['docs:read'],
      mcp_grants: ['docs:read'],
      kit: '',
      projects: ['p1'],
      kind: 'plain',
      state: 'active',
      schema_version: 2,
    });
    const got = await call('GET', `/orgs/t1/things/${key.id}`);
    expect(got.json).toEqual(key);
    // Only listAll answers carry `tenant`.
    const all = await call('GET', '/all-things', undefined, { ...alice, superAdmin: true });
    expect(all.json.things[0]).toMatchObject({ id: key.id, tenant: 't1' });
    expect(all.body).not.toContain(secret);
  });

  it('updates merge into the key: nested fields, one half of a split list, empty as null', async () => {
    const { call, keyring } = mount();
    const { json: made } = await call('POST', '/orgs/t1/things', { label: 'a', grants: ['docs:read'], mcp_grants: ['docs:read'], kit: 'read-only' });
    const id = made.id as string;
    const put = await call('PUT', `/orgs/t1/things/${id}`, { mcp_grants: [], mcp_on: false, kit: '' });
    expect(put.status, put.body ?? '').toBe(200);
    expect(put.json).toMatchObject({ grants: ['docs:read'], mcp_grants: [], mcp_on: false, kit: '', label: 'a' });
    expect((await keyring.get('t1', id))!.preset).toBeNull();
    // kind is create-only: in an update it is refused as read-only (unknownFields: 'reject').
    const kind = await call('PUT', `/orgs/t1/things/${id}`, { kind: 'x', nope: 1 });
    expect([kind.status, issuePaths(kind)]).toEqual([400, [['kind'], ['nope']]]);
    expect(kind.json.error.issues[0].message).toMatch(/Read-only/);
  });

  it('an update merged from a key that changed in between is a 409, never an overwrite', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    let sneak = false;
    // The key changes right after the mapped update has read it.
    const racing = new Proxy(keyring, {
      get(target, property) {
        if (property === 'get')
          return async (tenantId: string, id: string) => {
            const key = await target.get(tenantId, id);
            if (sneak) {
              sneak = false;
              await target.update(tenantId, id, { name: 'theirs' });
            }
            return key;
          };
        const value = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const { call } = mount(MAPPING, racing);
    const { json: made } = await call('POST', '/orgs/t1/things', { label: 'a' });
    sneak = true;
    const lost = await call('PUT', `/orgs/t1/things/${made.id}`, { projects: ['p9'] });
    expect([lost.status, lost.json.error.code]).toEqual([409, 'VERSION_CONFLICT']);
    expect(await keyring.get('t1', made.id)).toMatchObject({ name: 'theirs', resources: {} });
  });

  it('routes: another tenant is 404 like an unknown key, a super-admin reaches it; wrong method 405 with Allow; unknown path 404', async () => {
    const { call } = mount();
    const { json: made } = await call('POST', '/orgs/t1/things', { label: 'a' });
    const other: AdminActor = { actorId: 'bob', tenantId: 't2' };
    const foreign = await call('GET', `/orgs/t1/things/${made.id}`, undefined, other);
    const unknown = await call('GET', '/orgs/t2/things/nosuchkey0000000', undefined, other);
    expect(foreign.status).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect((await call('POST', '/orgs/t1/things', { label: 'x' }, other)).status).toBe(404);
    expect((await call('GET', `/orgs/t1/things/${made.id}`, undefined, { ...other, superAdmin: true })).status).toBe(200);
    const wrong = await call('PATCH', `/orgs/t1/things/${made.id}`, {});
    expect([wrong.status, wrong.headers.allow]).toEqual([405, 'GET, PUT, DELETE']);
    expect((await call('GET', '/keys')).status).toBe(404);
    expect((await call('GET', '/all-things')).status).toBe(403);
  });

  it('toggle with target mcp pauses MCP only; revoke answers its fixed body; hideRevoked makes a revoked key 404', async () => {
    const { call } = mount();
    const { json: made } = await call('POST', '/orgs/t1/things', { label: 'a' });
    const key = `/orgs/t1/things/${made.id}`;
    const off = await call('POST', `${key}/mcp-toggle`);
    expect(off.json).toMatchObject({ mcp_on: false, state: 'active', enabled: true });
    expect((await call('POST', `${key}/mcp-toggle`, { enabled: false })).json.mcp_on).toBe(false);
    const gone = await call('DELETE', key);
    expect([gone.status, gone.json]).toEqual([200, { ok: true }]);
    for (const [method, path] of [
      ['GET', key],
      ['PUT', key],
      ['POST', `${key}/mcp-toggle`],
      ['DELETE', key],
    ] as const)
      expect((await call(method, path, method === 'PUT' ? { label: 'b' } : undefined)).status, `${method} ${path}`).toBe(404);
  });

  it('soft revoke pauses (204), then 404; enabled: true resumes', async () => {
    const { call } = mount({
      routes: {
        create: { method: 'POST', path: '/k' },
        get: { method: 'GET', path: '/k/:id' },
        update: { method: 'PATCH', path: '/k/:id' },
        revoke: { method: 'DELETE', path: '/k/:id', soft: true },
      },
      keep: ['id', 'name', 'enabled', 'status'],
    });
    const { json } = await call('POST', '/k', { name: 'a' });
    expect(Object.keys(json).sort()).toEqual(['key', 'token']);
    const id = json.key.id as string;
    const gone = await call('DELETE', `/k/${id}`);
    expect([gone.status, gone.body]).toEqual([204, null]);
    expect((await call('GET', `/k/${id}`)).json).toEqual({ id, name: 'a', enabled: false, status: 'paused' });
    expect((await call('DELETE', `/k/${id}`)).status).toBe(404);
    expect((await call('DELETE', '/k/nosuchkey0000000')).status).toBe(404);
    expect((await call('PATCH', `/k/${id}`, { enabled: true })).json).toEqual({ id, name: 'a', enabled: true, status: 'active' });
  });

  it('rotate and the across-tenant routes, mapped', async () => {
    const { call } = mount({
      routes: {
        create: { method: 'POST', path: '/k' },
        rotate: { method: 'POST', path: '/k/:id/roll' },
        getAny: { method: 'GET', path: '/any/:id' },
        revokeAny: { method: 'DELETE', path: '/any/:id' },
      },
      keep: ['id', 'name', 'status'],
      created: { key: false, token: 'secret' },
    });
    const made = await call('POST', '/k', { name: 'a' });
    const rolled = await call('POST', `/k/${made.json.id}/roll`, { graceMs: 0 });
    expect(rolled.status, rolled.body ?? '').toBe(201);
    expect(rolled.json).toMatchObject({ name: 'a', secret: expect.stringMatching(/^sk_/), previous: { id: made.json.id, name: 'a' } });
    expect(rolled.json.secret).not.toBe(made.json.secret);
    expect((await call('GET', `/any/${rolled.json.id}`)).status).toBe(403);
    const root: AdminActor = { actorId: 'root', tenantId: 'ops', superAdmin: true };
    expect((await call('GET', `/any/${rolled.json.id}`, undefined, root)).json).toEqual({ id: rolled.json.id, name: 'a', status: 'active' });
    expect((await call('DELETE', `/any/${rolled.json.id}`, undefined, root)).status).toBe(204);
    expect((await call('GET', `/any/${rolled.json.id}`, undefined, root)).json.status).toBe('revoked');
  });

  it('list queries: renamed, translated, ignored values, defaults; bad ones are 400 under the wire name', async () => {
    const { call } = mount();
    for (const label of ['alpha', 'beta', 'gamma']) await call('POST', '/orgs/t1/things', { label });
    const { json: beta } = await call('GET', '/orgs/t1/things?q=bet');
    expect(beta.things.map((k: Json) => k.label)).toEqual(['beta']);
    expect(beta.n).toBe(1);
    const first = (await call('GET', '/orgs/t1/things?q=alpha')).json.things[0];
    await call('POST', `/orgs/t1/things/${first.id}/mcp-toggle`);
    await call('DELETE', `/orgs/t1/things/${first.id}`);
    expect((await call('GET', '/orgs/t1/things')).json.n).toBe(2);
    expect((await call('GET', '/orgs/t1/things?show=all&per_page=0')).json.n).toBe(3);
    expect((await call('GET', '/orgs/t1/things?show=all&per_page=1')).json.things).toHaveLength(1);
    const bad = async (query: string, path: unknown[]) => {
      const a = await call('GET', `/orgs/t1/things?${query}`);
      expect([a.status, a.json.error.code], query).toEqual([400, 'VALIDATION']);
      expect(issuePaths(a), query).toContainEqual(path);
    };
    await bad('show=dead', ['show']);
    await bad('limit=5', ['limit']);
    await bad('q=a&q=b', ['q']);
    await bad('per_page=1000', ['per_page']);
  });

  it('unknownFields: ignore drops what the mapping does not accept', async () => {
    const { call } = mount({ ...MAPPING, unknownFields: 'ignore' });
    const created = await call('POST', '/orgs/t1/things', { label: 'a', id: 'mine', state: 'paused', whatever: 1 });
    expect(created.status, created.body ?? '').toBe(201);
    expect(created.json.id).not.toBe('mine');
    const { secret: _, ...read } = created.json;
    expect((await call('PUT', `/orgs/t1/things/${read.id}`, { ...read, label: 'b' })).json.label).toBe('b');
  });

  it('escalation issues are named by the wire fields too', async () => {
    const { call } = mount();
    const limited: AdminActor = { ...alice, scopes: ['docs:read'] };
    const wider = await call('POST', '/orgs/t1/things', { label: 'x', grants: ['docs:write'] }, limited);
    expect([wider.status, wider.json.error.code]).toEqual([403, 'ESCALATION']);
    expect(issuePaths(wider)[0]![0]).toBe('grants');
  });

  it('the OpenAPI document follows the mapping and passes an OpenAPI 3.1 validator (the recipes included)', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    for (const mapping of [MAPPING, OCORE, CHORDIA]) {
      const doc = adminOpenApi(keyring, { basePath: '/api', mapping });
      const result = await new Validator().validate(doc as never);
      expect(result.errors ?? []).toEqual([]);
    }
    const doc = adminOpenApi(keyring, { basePath: '/projects', mapping: CHORDIA });
    expect(Object.keys(doc.paths).sort()).toEqual(['/openapi.json', '/{project_id}/mcp-keys', '/{project_id}/mcp-keys/{key_id}']);
    const post = doc.paths['/{project_id}/mcp-keys']!.post as Json;
    expect(Object.keys(post.responses)).toContain('201');
    const created = doc.components.schemas[post.responses['201'].content['application/json'].schema.$ref.split('/').pop()] as Json;
    expect(Object.keys(created.properties).sort()).toEqual(
      [
        'active',
        'allowed_agents',
        'created_at',
        'created_by',
        'id',
        'is_supervisor',
        'key',
        'key_preview',
        'name',
        'project_id',
        'require_mapping',
        'roles',
      ].sort(),
    );
    expect(created.properties.is_supervisor).toEqual({ type: 'boolean' });
    const request = doc.components.schemas[post.requestBody.content['application/json'].schema.$ref.split('/').pop()] as Json;
    expect(request.required).toEqual(['name']);
    expect(request.additionalProperties).toBe(false);
    expect(Object.keys(request.properties)).not.toContain('active');
    const del = doc.paths['/{project_id}/mcp-keys/{key_id}']!.delete as Json;
    expect(del.parameters.map((p: Json) => p.name)).toEqual(['project_id', 'key_id']);
    expect(del.responses['204'].content).toBeUndefined();
    const list = doc.paths['/{project_id}/mcp-keys']!.get as Json;
    expect(list.parameters.find((p: Json) => p.name === 'include_revoked').schema).toEqual({ type: 'string', enum: ['true', 'false'], default: 'false' });
    // No schema of the canonical shape is left behind.
    expect(Object.keys(doc.components.schemas)).not.toContain('ApiKey');
  });
});

describe('codecs', () => {
  it('split, filter and flag lists, both ways', () => {
    const mcp = itemsWithPrefix('mcp:');
    const plain = itemsWithoutPrefix('mcp:');
    const scopes = ['a', 'mcp:b', 'c'];
    expect([mcp.read(scopes), plain.read(scopes), mcp.read(undefined)]).toEqual([['b'], ['a', 'c'], []]);
    expect(mcp.write(['x'], scopes)).toEqual(['a', 'c', 'mcp:x']);
    expect(plain.write(['y'], scopes)).toEqual(['y', 'mcp:b']);
    const agents = ['*', 'A'];
    expect([itemsExcept('*').read(agents), containsItem('*').read(agents), containsItem('*').read(undefined)]).toEqual([['A'], true, false]);
    expect(itemsExcept('*').write(['B'], agents)).toEqual(['*', 'B']);
    expect([containsItem('*').write(false, agents), containsItem('*').write(true, ['A'])]).toEqual([['A'], ['*', 'A']]);
    const flag = booleanFor<string[] | boolean, string[] | boolean>(['agent'], false);
    expect([flag.read(false), flag.read(['agent']), flag.read(true), flag.write(true, undefined), flag.write(false, undefined)]).toEqual([
      false,
      true,
      true,
      ['agent'],
      false,
    ]);
  });
});
