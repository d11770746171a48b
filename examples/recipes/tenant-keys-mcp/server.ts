// oCore (seeds 001, 004): organization API keys with flat `mcp*` fields, and a super-admin list.
//
//   GET|POST /api/api-keys, GET|PUT|DELETE /api/api-keys/:id, PATCH /api/api-keys/:id/toggle-active
//   GET /api/admin/api-keys?page&limit&search → { apiKeys, total }, DELETE /api/admin/api-keys/:id
//   The keys themselves: GET /api/v1/projects (header x-api-key) and the MCP server at /mcp (Bearer).
//
// Mapping: permissions → scopes; mcpPermissions → scopes "mcp:<permission>" (what MCP tools need);
// mcpActive → mcp.enabled (toggle-active pauses MCP only: the HTTP API keeps working);
// mcpAllowlistMode/mcpToolAllowlist → mcp.tools ('all' | 'allow' | 'deny'); mcpReadOnly → mcp.readOnly;
// mcpProjectIds/mcpInstanceIds → resources.project/instance; mcpPreset → preset; scope → metadata.scope;
// prefix → preview. MCP sessions follow key changes live, so mcpReconnectRequired is always false.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express, { type Request, type Response } from 'express';
import { createKeyring, KeysmithError, toFieldIssues, type ApiKeyView, type KeyStore } from 'keysmith';
import { errorToAnswer } from 'keysmith/http';
import { apiKeyAuth } from 'keysmith/express';
import { mcpEndpoint, mcpKeyEvents } from 'keysmith/mcp';
import { memoryStore } from 'keysmith/memory';
import { z } from 'zod';
import { type BaseRecipeOptions, type Caller, listen, type RunningRecipe } from '../shared.js';

export interface RecipeOptions extends BaseRecipeOptions {
  store?: KeyStore;
}

const ids = z.array(z.string().min(1)).max(1000);
// Unknown fields are dropped, so a client may PUT back an object it read.
const body = z
  .object({
    name: z.string(),
    permissions: z.array(z.string()),
    scope: z.string(),
    expiresAt: z.string(),
    mcpActive: z.boolean(),
    mcpAllowlistMode: z.enum(['all', 'allow', 'deny']),
    mcpToolAllowlist: z.array(z.string()),
    mcpInstanceIds: ids,
    mcpProjectIds: ids,
    mcpPermissions: z.array(z.string()),
    mcpPreset: z.string(),
    mcpReadOnly: z.boolean(),
  })
  .partial();
type Body = z.infer<typeof body>;

const MCP = 'mcp:';
function toKeysmith(b: Body, current?: ApiKeyView) {
  const scopes = current?.scopes ?? [];
  const tools = current?.mcp.tools ?? { mode: 'all' as const, names: [] };
  const perms = b.permissions !== undefined || b.mcpPermissions !== undefined;
  const res = b.mcpProjectIds !== undefined || b.mcpInstanceIds !== undefined;
  return {
    ...(b.name !== undefined && { name: b.name }),
    ...(perms && {
      scopes: [
        ...(b.permissions ?? scopes.filter((s) => !s.startsWith(MCP))),
        ...(b.mcpPermissions?.map((p) => MCP + p) ?? scopes.filter((s) => s.startsWith(MCP))),
      ],
    }),
    ...(res && {
      resources: {
        ...current?.resources,
        project: b.mcpProjectIds ?? current?.resources.project ?? [],
        instance: b.mcpInstanceIds ?? current?.resources.instance ?? [],
      },
    }),
    ...(b.mcpPreset !== undefined && { preset: b.mcpPreset }),
    mcp: {
      ...(b.mcpActive !== undefined && { enabled: b.mcpActive }),
      ...(b.mcpReadOnly !== undefined && { readOnly: b.mcpReadOnly }),
      ...((b.mcpAllowlistMode ?? b.mcpToolAllowlist) !== undefined && {
        tools: { mode: b.mcpAllowlistMode ?? (b.mcpToolAllowlist?.length ? 'allow' : tools.mode), names: b.mcpToolAllowlist ?? tools.names },
      }),
    },
  };
}

const toOCore = (k: ApiKeyView) => ({
  id: k.id,
  name: k.name,
  prefix: k.preview,
  scope: String(k.metadata.scope ?? 'organization'),
  createdAt: k.createdAt,
  expiresAt: k.expiresAt,
  lastUsedAt: k.lastUsedAt,
  permissions: k.scopes.filter((s) => !s.startsWith(MCP)),
  mcpPermissions: k.scopes.filter((s) => s.startsWith(MCP)).map((s) => s.slice(MCP.length)),
  mcpActive: k.mcp.enabled,
  mcpAllowlistMode: k.mcp.tools.mode,
  mcpToolAllowlist: k.mcp.tools.names,
  mcpReadOnly: k.mcp.readOnly,
  mcpPreset: k.preset ?? '',
  mcpProjectIds: k.resources.project ?? [],
  mcpInstanceIds: k.resources.instance ?? [],
  mcpReconnectRequired: false,
  mcpReconnectRequiredMessage: '',
});

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

  /** Runs a route for a signed-in admin (`superadmin` for /admin routes); keysmith errors become their answers. */
  const route = (role: string, run: (caller: Caller, b: Body, req: Request) => Promise<[number, unknown]>) => async (req: Request, res: Response) => {
    const caller = identify(req.headers);
    if (!caller) return void res.status(401).json({ message: 'Unauthorized' });
    if (!caller.roles.includes(role)) return void res.status(403).json({ message: 'Forbidden' });
    try {
      const parsed = body.safeParse(req.body ?? {});
      if (!parsed.success) throw new KeysmithError('VALIDATION', 'Invalid input', { issues: toFieldIssues(parsed.error) });
      const [status, value] = await run(caller, parsed.data, req);
      res.status(status).json(value);
    } catch (error) {
      const answer = errorToAnswer(error);
      res.status(answer.status).set(answer.headers).send(answer.body);
    }
  };
  const live = async (tenantId: string, id: string) => {
    const key = await keyring.get(tenantId, id);
    if (!key || key.status === 'revoked') throw new KeysmithError('NOT_FOUND', 'No such key');
    return key;
  };
  const id = (req: Request) => String(req.params.id);
  const by = (c: Caller) => ({ actorId: c.userId });

  app.use('/api', express.json());
  app.get(
    '/api/api-keys',
    route('admin', async (c) => {
      const page = await keyring.list(c.tenantId, { limit: 100 });
      return [200, { apiKeys: page.items.map(toOCore), total: page.total }];
    }),
  );
  app.post(
    '/api/api-keys',
    route('admin', async (c, b) => {
      const { key, token } = await keyring.create({
        tenantId: c.tenantId,
        name: b.name ?? '',
        ...toKeysmith(b),
        ...(b.expiresAt && { expiresAt: b.expiresAt }),
        metadata: { scope: b.scope ?? 'organization' },
        ...by(c),
      });
      return [201, { ...toOCore(key), plaintextKey: token }];
    }),
  );
  app.get(
    '/api/api-keys/:id',
    route('admin', async (c, _b, req) => [200, toOCore(await live(c.tenantId, id(req)))]),
  );
  app.put(
    '/api/api-keys/:id',
    route('admin', async (c, b, req) => [
      200,
      toOCore(await keyring.update(c.tenantId, id(req), { ...toKeysmith(b, await live(c.tenantId, id(req))), ...by(c) })),
    ]),
  );
  app.delete(
    '/api/api-keys/:id',
    route('admin', async (c, _b, req) => {
      await keyring.revoke(c.tenantId, id(req), { by: c.userId });
      return [200, { message: 'API key revoked' }];
    }),
  );
  app.patch(
    '/api/api-keys/:id/toggle-active',
    route('admin', async (c, _b, req) => {
      const key = await live(c.tenantId, id(req));
      return [200, toOCore(await keyring.setMcpEnabled(c.tenantId, key.id, !key.mcp.enabled, by(c)))];
    }),
  );
  app.get(
    '/api/admin/api-keys',
    route('superadmin', async (_c, _b, req) => {
      const n = (v: unknown, d: number) => (Number(v) >= 1 ? Math.floor(Number(v)) : d); // page=0&limit=0 (the docs' example) mean the defaults
      const page = await keyring.listAcrossTenants({
        page: n(req.query.page, 1),
        limit: Math.min(n(req.query.limit, 20), 100),
        ...(typeof req.query.search === 'string' && { search: req.query.search }),
      });
      return [200, { apiKeys: page.items.map((k) => ({ ...toOCore(k), tenantId: k.tenantId })), total: page.total }];
    }),
  );
  app.delete(
    '/api/admin/api-keys/:id',
    route('superadmin', async (c, _b, req) => {
      const key = await keyring.getAcrossTenants(id(req));
      await keyring.revoke(key?.tenantId ?? '', id(req), { by: c.userId });
      return [200, { message: 'API key revoked' }];
    }),
  );

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
