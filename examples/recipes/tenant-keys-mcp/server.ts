// oCore (seeds 001, 004): organization API keys with flat `mcp*` fields, and a super-admin list.
//
//   GET|POST /api/api-keys, GET|PUT|DELETE /api/api-keys/:id, PATCH /api/api-keys/:id/toggle-active
//   GET /api/admin/api-keys?page&limit&search → { apiKeys, total }, DELETE /api/admin/api-keys/:id
//   The keys themselves: GET /api/v1/projects (header x-api-key) and the MCP server at /mcp (Bearer).
//
// The management routes are keysmith's admin API in oCore's shape (`OCORE`, an `AdminMapping`):
// permissions → scopes; mcpPermissions → scopes "mcp:<permission>" (what MCP tools need);
// mcpActive → mcp.enabled (toggle-active pauses MCP only: the HTTP API keeps working);
// mcpAllowlistMode/mcpToolAllowlist → mcp.tools; mcpReadOnly → mcp.readOnly; mcpProjectIds/mcpInstanceIds →
// resources.project/instance; mcpPreset → preset; scope → metadata.scope; prefix → preview;
// plaintextKey → the token. MCP sessions follow key changes live, so mcpReconnectRequired is always false.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { createKeyring, type KeyStore } from 'keysmith';
import { type AdminMapping, adminRouter, apiKeyAuth } from 'keysmith/express';
import { authorizeByRole, itemsWithoutPrefix, itemsWithPrefix } from 'keysmith/http';
import { mcpEndpoint, mcpKeyEvents } from 'keysmith/mcp';
import { memoryStore } from 'keysmith/memory';
import { z } from 'zod';
import { type BaseRecipeOptions, listen, type RunningRecipe } from '../shared.js';

export interface RecipeOptions extends BaseRecipeOptions {
  store?: KeyStore;
}

const one = '/api-keys/:id';
const revoked = { status: 200, body: { message: 'API key revoked' } };
/** oCore's API reference (seed 004) laid over keysmith's admin API. */
export const OCORE: AdminMapping = {
  routes: {
    list: { method: 'GET', path: '/api-keys' },
    create: { method: 'POST', path: '/api-keys' },
    get: { method: 'GET', path: one },
    update: { method: 'PUT', path: one },
    revoke: { method: 'DELETE', path: one, ...revoked },
    toggle: { method: 'PATCH', path: `${one}/toggle-active`, target: 'mcp' },
    listAll: { method: 'GET', path: '/admin/api-keys' },
    revokeAny: { method: 'DELETE', path: '/admin/api-keys/:id', ...revoked },
  },
  keep: ['id', 'name', 'createdAt', 'lastUsedAt'],
  fields: {
    expiresAt: { from: 'expiresAt', writes: 'create' },
    mcpActive: 'mcp.enabled',
    mcpAllowlistMode: 'mcp.tools.mode',
    mcpInstanceIds: { from: 'resources.instance', default: [] },
    mcpPermissions: { from: 'scopes', codec: itemsWithPrefix('mcp:') },
    mcpPreset: { from: 'preset', empty: '' },
    mcpProjectIds: { from: 'resources.project', default: [] },
    mcpReadOnly: 'mcp.readOnly',
    mcpReconnectRequired: { const: false },
    mcpReconnectRequiredMessage: { const: '' },
    mcpToolAllowlist: 'mcp.tools.names',
    permissions: { from: 'scopes', codec: itemsWithoutPrefix('mcp:') },
    prefix: 'preview',
    scope: { from: 'metadata.scope', default: 'organization', writes: 'create' },
    tenantId: { from: 'tenantId', in: ['listAll'] },
  },
  // PUT takes back an object read from GET; `page=0&limit=0` (the reference's example) mean the defaults.
  unknownFields: 'ignore',
  hideRevoked: true,
  query: { page: { to: 'page', ignore: ['0'] }, limit: { to: 'limit', ignore: ['0'], default: '100' }, search: 'search' },
  list: { items: 'apiKeys', page: false, limit: false },
  created: { key: false, token: 'plaintextKey' },
};

export async function start({ port = 0, identify, store = memoryStore() }: RecipeOptions): Promise<RunningRecipe> {
  const events = mcpKeyEvents();
  // MCP presets touch only MCP settings (they replace keysmith's built-ins of the same name).
  const presets = { 'read-only': { mcp: { readOnly: true } }, 'full-access': { mcp: { readOnly: false, tools: { mode: 'all' as const, names: [] } } } };
  const keyring = createKeyring({ store, prefix: 'ock', presets, onEvent: events.listener });
  const app = express();
  app.get(
    '/api/v1/projects',
    apiKeyAuth(keyring, { header: 'x-api-key', scopes: ['projects:read'] }),
    (req, res) => void res.json({ projects: req.apiKey!.key.resources.project ?? [] }),
  );
  // Organization admins manage their organization's keys; `superadmin` also the /admin routes; anyone else signed in: 403.
  const authorize = authorizeByRole((req: express.Request) => identify(req.headers), { admin: ['admin'], superAdmin: ['superadmin'] });
  app.use('/api', adminRouter(keyring, { authorize, mapping: OCORE }));

  const endpoint = mcpEndpoint(keyring, {
    events,
    toolScopes: { list_projects: ['mcp:projects:read'], get_instance: ['mcp:instances:read'], restart_instance: ['mcp:instances:write'] },
    toolResources: { projectId: 'project', instanceId: 'instance' },
    createServer: () => {
      const server = new McpServer({ name: 'ocore', version: '1.0.0' });
      const text = (t: string) => ({ content: [{ type: 'text' as const, text: t }] });
      server.registerTool('list_projects', { description: 'List projects', annotations: { readOnlyHint: true } }, () => text('p1,p2'));
      server.registerTool(
        'get_instance',
        { description: 'One instance', inputSchema: { instanceId: z.string() }, annotations: { readOnlyHint: true } },
        ({ instanceId }) => text(`instance ${instanceId}`),
      );
      server.registerTool('restart_instance', { description: 'Restart an instance', inputSchema: { instanceId: z.string() } }, ({ instanceId }) =>
        text(`restarted ${instanceId}`),
      );
      return server;
    },
  });
  app.all('/mcp', endpoint.node);

  return listen(app, port, () => endpoint.close());
}
