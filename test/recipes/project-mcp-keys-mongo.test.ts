import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { start } from '../../examples/recipes/project-mcp-keys-mongo/server.js';
import { connectClient, toolNames } from '../mcp/harness.js';
import { mongoTargets, type MongoSession } from '../support/mongo-wire/targets.js';
import { as, client, headerIdentity } from './identify.js';

const PROJECT = 'proj_acme';
const ADMIN = as('user_ada', PROJECT, ['Admin']);
const ROOT = as('user_root', 'proj_ops', ['SuperAdmin']);
const OTHER_ADMIN = as('user_bob', 'proj_globex', ['Admin']);

// The project's Mongo wire test server always; a real server too when KEYSMITH_MONGO_URL is set.
for (const target of mongoTargets()) {
  describe(`recipe project-mcp-keys-mongo (Chordia, seed 003) on ${target.label}`, () => {
    let session: MongoSession;
    let server: Awaited<ReturnType<typeof start>>;
    let call: ReturnType<typeof client>;
    beforeAll(async () => {
      session = await target.open();
      server = await start({ identify: headerIdentity, db: session.db });
      call = client(server.url);
    }, 60_000);
    afterAll(async () => {
      await server?.close();
      await session?.close();
    });
    const keys = `/projects/${PROJECT}/mcp-keys`;
    const mcp = (token: string) => connectClient(new URL('/mcp', server.url), token);
    const agentCall = async (c: Client, agent: string) => {
      const r = (await c.callTool({ name: 'get_agent_calls', arguments: { agent } })) as { isError?: boolean };
      return r.isError ? 'denied' : 'ok';
    };

    it('POST mints a key: 201, the raw key once, the documented fields and defaults, stored hashed in application_keys', async () => {
      const body = { name: 'Acme — production CRM integration', is_supervisor: true, roles: ['Admin'], allowed_agents: [], require_mapping: false };
      const a = await call('POST', keys, { headers: ADMIN, body });
      expect(a.status, a.text).toBe(201);
      expect(Object.keys(a.json).sort()).toEqual(
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
      expect(a.json).toMatchObject({ ...body, project_id: PROJECT, active: true, created_by: 'user_ada' });
      expect(a.json.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(a.json.key_preview.endsWith('…')).toBe(true);
      expect(a.json.key.startsWith(a.json.key_preview.slice(0, -1))).toBe(true);
      const doc = await session.db.collection('application_keys').findOne({ _id: a.json.id as never });
      expect(doc).toMatchObject({ tenantId: PROJECT, name: body.name, hash: expect.stringMatching(/^sha256:/) });
      expect(JSON.stringify(doc)).not.toContain(a.json.key.slice(-38));
      // Defaults: is_supervisor true, roles ["Admin"], allowed_agents [], require_mapping false.
      const minimal = await call('POST', keys, { headers: ADMIN, body: { name: 'defaults' } });
      expect(minimal.json).toMatchObject({ is_supervisor: true, roles: ['Admin'], allowed_agents: [], require_mapping: false, active: true });
      expect((await call('POST', keys, { headers: ADMIN, body: {} })).status).toBe(400);
      expect((await call('POST', keys, { headers: ADMIN, body: { name: 'x', roles: ['Wizard'] } })).status).toBe(400);
    });

    it('the curl example: a Supervisor key narrowed to Alpha and Beta, fail-closed; the MCP server enforces it', async () => {
      const a = await call('POST', keys, {
        headers: ADMIN,
        body: {
          name: 'Acme — Alpha+Beta supervisor',
          is_supervisor: false,
          roles: ['Supervisor'],
          allowed_agents: ['Alpha Agent', 'Beta Agent'],
          require_mapping: true,
        },
      });
      expect(a.status, a.text).toBe(201);
      expect(a.json).toMatchObject({ is_supervisor: false, roles: ['Supervisor'], allowed_agents: ['Alpha Agent', 'Beta Agent'], require_mapping: true });
      const c = await mcp(a.json.key);
      expect(await toolNames(c)).toEqual(['get_agent_calls', 'query_user_activity']);
      expect([await agentCall(c, 'Alpha Agent'), await agentCall(c, 'Beta Agent'), await agentCall(c, 'Gamma Agent')]).toEqual(['ok', 'ok', 'denied']);
      // PATCH: narrow an existing key to only Alpha Agent (omitted fields are left alone).
      const narrowed = await call('PATCH', `${keys}/${a.json.id}`, { headers: ADMIN, body: { allowed_agents: ['Alpha Agent'] } });
      expect(narrowed.status, narrowed.text).toBe(200);
      expect(narrowed.json).toMatchObject({
        allowed_agents: ['Alpha Agent'],
        roles: ['Supervisor'],
        is_supervisor: false,
        require_mapping: true,
        updated_at: expect.any(String),
      });
      expect([await agentCall(c, 'Alpha Agent'), await agentCall(c, 'Beta Agent')]).toEqual(['ok', 'denied']);
      await c.close();
    });

    it('require_mapping per key: with no allowed agents, true denies every agent while false leaves the key open', async () => {
      const closed = await call('POST', keys, {
        headers: ADMIN,
        body: { name: 'closed', is_supervisor: false, roles: ['Agent'], allowed_agents: [], require_mapping: true },
      });
      const open = await call('POST', keys, {
        headers: ADMIN,
        body: { name: 'open', is_supervisor: false, roles: ['Agent'], allowed_agents: [], require_mapping: false },
      });
      const [c1, c2] = [await mcp(closed.json.key), await mcp(open.json.key)];
      expect(await agentCall(c1, 'Alpha Agent')).toBe('denied');
      expect(await agentCall(c2, 'Alpha Agent')).toBe('ok');
      // Role-gated: an Agent key does not see query_user_activity.
      expect(await toolNames(c2)).toEqual(['get_agent_calls']);
      await Promise.all([c1.close(), c2.close()]);
    });

    it('GET lists active keys { items, count } redacted; DELETE soft-revokes (204, then 404); PATCH active=true re-enables', async () => {
      const { json: made } = await call('POST', keys, { headers: ADMIN, body: { name: 'to deactivate' } });
      const c = await mcp(made.key);
      expect(await toolNames(c)).toHaveLength(2);
      const list = await call('GET', keys, { headers: ADMIN });
      expect(list.status).toBe(200);
      expect(list.json.count).toBe(list.json.items.length);
      expect(list.json.items.map((k: { id: string }) => k.id)).toContain(made.id);
      expect(list.text).not.toContain(made.key);
      expect(list.json.items[0]).toHaveProperty('last_used_at');
      expect(list.json.items.every((k: { active: boolean; key?: string }) => k.active && k.key === undefined)).toBe(true);

      const gone = await call('DELETE', `${keys}/${made.id}`, { headers: ADMIN });
      expect(gone.status).toBe(204);
      expect(gone.text).toBe('');
      await expect(c.callTool({ name: 'query_user_activity', arguments: {} })).rejects.toThrow();
      await expect(mcp(made.key)).rejects.toMatchObject({ code: 401 });
      expect((await call('DELETE', `${keys}/${made.id}`, { headers: ADMIN })).status).toBe(404);
      expect((await call('DELETE', `${keys}/unknownkeyid00000`, { headers: ADMIN })).status).toBe(404);
      expect((await call('GET', keys, { headers: ADMIN })).json.items.map((k: { id: string }) => k.id)).not.toContain(made.id);
      const audit = await call('GET', `${keys}?include_revoked=true`, { headers: ADMIN });
      expect(audit.json.items.find((k: { id: string }) => k.id === made.id)).toMatchObject({ active: false, created_by: 'user_ada', name: 'to deactivate' });
      expect((await call('GET', `${keys}/${made.id}`, { headers: ADMIN })).json.active).toBe(false);
      // The document survives for the audit trail.
      expect(await session.db.collection('application_keys').countDocuments({ _id: made.id })).toBe(1);

      const back = await call('PATCH', `${keys}/${made.id}`, { headers: ADMIN, body: { active: true } });
      expect(back.json.active).toBe(true);
      const again = await mcp(made.key);
      expect(await toolNames(again)).toHaveLength(2);
      await again.close();
      await c.close().catch(() => {});
    });

    it('Admin or SuperAdmin only; an Admin reaches only its current project, a SuperAdmin any', async () => {
      expect((await call('GET', keys)).status).toBe(401);
      expect((await call('GET', keys, { headers: as('user_c', PROJECT, ['Supervisor']) })).status).toBe(403);
      expect((await call('GET', keys, { headers: OTHER_ADMIN })).status).toBe(404);
      expect((await call('POST', keys, { headers: OTHER_ADMIN, body: { name: 'x' } })).status).toBe(404);
      const root = await call('GET', keys, { headers: ROOT });
      expect(root.status).toBe(200);
      expect(root.json.count).toBeGreaterThan(0);
      const made = await call('POST', keys, { headers: ROOT, body: { name: 'by root' } });
      expect(made.json).toMatchObject({ project_id: PROJECT, created_by: 'user_root' });
      const own = (await call('GET', `${keys}/${made.json.id}`, { headers: ADMIN })).json.id;
      expect(own).toBe(made.json.id);
      // Keys of another project are not reachable through this project's path.
      const other = await call('POST', '/projects/proj_globex/mcp-keys', { headers: OTHER_ADMIN, body: { name: 'globex' } });
      expect((await call('GET', `${keys}/${other.json.id}`, { headers: ADMIN })).status).toBe(404);
    });
  });
}
