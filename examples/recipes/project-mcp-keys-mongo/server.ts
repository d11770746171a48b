// Chordia (seed 003): the admin API for MCP keys at /projects/{project_id}/mcp-keys, snake_case
// bodies, stored in the Mongo `application_keys` collection that the MCP server (/mcp) reads.
//
//   POST   /projects/{project_id}/mcp-keys            mint → 201 with `key` (the raw token) once
//   GET    /projects/{project_id}/mcp-keys            active keys → { items, count } (?include_revoked=true adds inactive ones)
//   GET    /projects/{project_id}/mcp-keys/{key_id}   one key (inactive ones too)
//   PATCH  /projects/{project_id}/mcp-keys/{key_id}   any subset of name, is_supervisor, roles, allowed_agents, require_mapping, active
//   DELETE /projects/{project_id}/mcp-keys/{key_id}   soft revoke (active=false) → 204; 404 if unknown or already inactive
//
// keysmith's admin API in Chordia's shape (`CHORDIA`, an `AdminMapping`): project_id = the tenant;
// active = not paused (DELETE pauses, active=true resumes: the soft revoke); is_supervisor = "*" in
// resources.agent; allowed_agents = the other agent ids; require_mapping = requireMapping ["agent"].
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { createKeyring } from 'keysmith';
import { type AdminMapping, adminRouter } from 'keysmith/express';
import { authorizeByRole, booleanFor, containsItem, itemsExcept } from 'keysmith/http';
import { mcpEndpoint, mcpKeyEvents } from 'keysmith/mcp';
import { mongoStore } from 'keysmith/mongo';
import { MongoClient, type Db } from 'mongodb';
import { z } from 'zod';
import { type BaseRecipeOptions, listen, type RunningRecipe } from '../shared.js';

export interface RecipeOptions extends BaseRecipeOptions {
  /** The database holding `application_keys`. @default a client on KEYSMITH_MONGO_URL (or localhost), database "chordia" */
  db?: Db;
}

const ROLES = { Admin: ['*'], Supervisor: ['activity:read', 'calls:read'], Agent: ['calls:read'] };
const one = '/:project_id/mcp-keys/:key_id';
/** Chordia's "Admin API — MCP Keys" (seed 003) laid over keysmith's admin API. */
export const CHORDIA: AdminMapping = {
  params: { tenant: 'project_id', id: 'key_id' },
  routes: {
    create: { method: 'POST', path: '/:project_id/mcp-keys' },
    list: { method: 'GET', path: '/:project_id/mcp-keys' },
    get: { method: 'GET', path: one },
    update: { method: 'PATCH', path: one },
    revoke: { method: 'DELETE', path: one, soft: true },
  },
  keep: ['id', 'name', 'roles', 'createdAt', 'createdBy'],
  case: 'snake',
  fields: {
    project_id: 'tenantId',
    key_preview: 'preview',
    active: 'enabled',
    is_supervisor: { from: 'resources.agent', codec: containsItem('*') },
    allowed_agents: { from: 'resources.agent', codec: itemsExcept('*') },
    require_mapping: { from: 'requireMapping', codec: booleanFor(['agent'], false) },
    updated_at: { from: 'updatedAt', in: ['list', 'get', 'update'] },
    last_used_at: { from: 'lastUsedAt', in: ['list', 'get', 'update'] },
  },
  query: {
    include_revoked: { to: 'status', values: { true: 'active,paused,expired,revoked', false: 'active' }, default: 'false' },
    limit: { to: 'limit', default: '100' },
  },
  list: { total: 'count', page: false, limit: false },
  created: { key: false, token: 'key' },
};

export async function start({ port = 0, identify, db }: RecipeOptions): Promise<RunningRecipe> {
  const own = db ? null : await new MongoClient(process.env.KEYSMITH_MONGO_URL ?? 'mongodb://127.0.0.1:27017').connect();
  const store = mongoStore({ collection: (db ?? own!.db('chordia')).collection('application_keys') });
  await store.setup();
  const events = mcpKeyEvents();
  // Service-account defaults: every new key is a supervisor (all agents) with role Admin.
  const keyring = createKeyring({
    store,
    prefix: 'chordia',
    roles: ROLES,
    createDefaults: { roles: ['Admin'], resources: { agent: ['*'] } },
    onEvent: events.listener,
  });

  const app = express();
  // Admin or SuperAdmin only; an Admin reaches its own project (another one answers 404), a SuperAdmin any.
  const authorize = authorizeByRole((req: express.Request) => identify(req.headers), { admin: ['Admin'], superAdmin: ['SuperAdmin'] });
  app.use('/projects', adminRouter(keyring, { authorize, mapping: CHORDIA }));

  // The MCP server authenticates every request against application_keys (paused = "inactive").
  const endpoint = mcpEndpoint(keyring, {
    events,
    toolScopes: { query_user_activity: ['activity:read'], get_agent_calls: ['calls:read'] },
    toolResources: { get_agent_calls: { agent: 'agent' } },
    createServer: () => {
      const server = new McpServer({ name: 'compass', version: '1.0.0' });
      const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });
      server.registerTool('query_user_activity', { description: 'User activity (role-gated)', annotations: { readOnlyHint: true } }, () => text('[]'));
      server.registerTool(
        'get_agent_calls',
        { description: "One agent's calls", inputSchema: { agent: z.string() }, annotations: { readOnlyHint: true } },
        ({ agent }) => text(`calls of ${agent}`),
      );
      return server;
    },
  });
  app.all('/mcp', endpoint.node);

  return listen(app, port, async () => {
    await endpoint.close();
    await own?.close();
  });
}
