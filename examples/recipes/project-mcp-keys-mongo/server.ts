// Chordia (seed 003): the admin API for MCP keys at /projects/{project_id}/mcp-keys, snake_case
// bodies, stored in the Mongo `application_keys` collection that the MCP server (/mcp) reads.
//
//   POST   /projects/{project_id}/mcp-keys            mint → 201 with `key` (the raw token) once
//   GET    /projects/{project_id}/mcp-keys            active keys → { items, count } (?include_revoked=true adds inactive ones)
//   GET    /projects/{project_id}/mcp-keys/{key_id}   one key (inactive ones too)
//   PATCH  /projects/{project_id}/mcp-keys/{key_id}   any subset of name, is_supervisor, roles, allowed_agents, require_mapping, active
//   DELETE /projects/{project_id}/mcp-keys/{key_id}   soft revoke (active=false) → 204; 404 if unknown or already inactive
//
// The mapping: project_id = tenantId; active = not paused (DELETE pauses, active=true resumes: the
// soft revoke); is_supervisor = "*" in resources.agent; allowed_agents = the other agent ids;
// require_mapping = requireMapping ["agent"] (fail closed on an empty list).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express, { type Request, type Response } from 'express';
import { createKeyring, KeysmithError, toFieldIssues, type ApiKeyView } from 'keysmith';
import { errorToAnswer } from 'keysmith/http';
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
const agents = z.array(z.string().min(1).max(256)).max(1000);
const body = z
  .strictObject({
    name: z.string().trim().min(1).max(120),
    is_supervisor: z.boolean(),
    roles: z.array(z.string()).max(50),
    allowed_agents: agents,
    require_mapping: z.boolean(),
    active: z.boolean(),
  })
  .partial();

/** Snake-case fields → keysmith fields; `current` is the key being patched (for the supervisor flag and agents). */
function toKeysmith(b: z.infer<typeof body>, current?: ApiKeyView) {
  const had = current?.resources.agent ?? ['*'];
  const supervisor = b.is_supervisor ?? had.includes('*');
  const allowed = b.allowed_agents ?? had.filter((a) => a !== '*');
  const touched = b.is_supervisor !== undefined || b.allowed_agents !== undefined;
  return {
    ...(b.name !== undefined && { name: b.name }),
    ...(b.roles !== undefined && { roles: b.roles }),
    ...(touched && { resources: { agent: [...(supervisor ? ['*'] : []), ...allowed] } }),
    ...(b.require_mapping !== undefined && { requireMapping: b.require_mapping ? ['agent'] : false }),
  };
}

const toChordia = (k: ApiKeyView) => ({
  id: k.id,
  project_id: k.tenantId,
  name: k.name,
  key_preview: k.preview,
  active: k.status === 'active',
  is_supervisor: (k.resources.agent ?? []).includes('*'),
  roles: k.roles,
  allowed_agents: (k.resources.agent ?? []).filter((a) => a !== '*'),
  require_mapping: k.requireMapping !== false,
  created_at: k.createdAt,
  created_by: k.createdBy,
  updated_at: k.updatedAt,
  last_used_at: k.lastUsedAt,
});

export async function start({ port = 0, identify, db }: RecipeOptions): Promise<RunningRecipe> {
  const own = db ? null : await new MongoClient(process.env.KEYSMITH_MONGO_URL ?? 'mongodb://127.0.0.1:27017').connect();
  const store = mongoStore({ collection: (db ?? own!.db('chordia')).collection('application_keys') });
  await store.ensureIndexes();
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
  app.use('/projects/:project_id/mcp-keys', express.json(), async (req: Request, res: Response) => {
    const caller = identify(req.headers);
    const project = String(req.params.project_id);
    const fail = (status: number, detail: string) => void res.status(status).json({ detail });
    if (!caller) return fail(401, 'Not authenticated');
    if (!caller.roles.includes('Admin') && !caller.roles.includes('SuperAdmin')) return fail(403, 'Admin or SuperAdmin role required');
    // An Admin reaches only its current project; another project looks like a missing key.
    if (!caller.roles.includes('SuperAdmin') && caller.tenantId !== project) return fail(404, 'Not found');
    const [id, extra] = req.path.split('/').filter(Boolean);
    try {
      const parsed = body.safeParse(req.body ?? {});
      if (!parsed.success) throw new KeysmithError('VALIDATION', 'Invalid input', { issues: toFieldIssues(parsed.error) });
      const input = parsed.data;
      const current = id ? await keyring.get(project, id) : null;
      if (extra !== undefined || (id && (!current || current.status === 'revoked'))) return fail(404, 'Not found');
      if (!id && req.method === 'POST') {
        const { key, token } = await keyring.create({ tenantId: project, ...toKeysmith(input), name: input.name ?? '', actorId: caller.userId });
        const { updated_at: _u, last_used_at: _l, ...created } = toChordia(key);
        return void res.status(201).json({ ...created, key: token });
      }
      if (!id && req.method === 'GET') {
        const all = req.query.include_revoked === 'true';
        const page = await keyring.list(project, all ? { includeRevoked: true, limit: 100 } : { status: 'active', limit: 100 });
        return void res.json({ items: page.items.map(toChordia), count: page.total });
      }
      if (id && req.method === 'GET') return void res.json(toChordia(current!));
      if (id && req.method === 'PATCH') {
        let key = await keyring.update(project, id, { ...toKeysmith(input, current!), actorId: caller.userId });
        if (input.active !== undefined && input.active !== (key.status === 'active'))
          key = await keyring.setEnabled(project, id, input.active, { actorId: caller.userId });
        return void res.json(toChordia(key));
      }
      if (id && req.method === 'DELETE') {
        if (current!.status !== 'active') return fail(404, 'Not found');
        await keyring.setEnabled(project, id, false, { actorId: caller.userId });
        return void res.status(204).end();
      }
      return fail(405, 'Method not allowed');
    } catch (error) {
      const answer = errorToAnswer(error); // keysmith's 400 with field issues, 409, 503; anything else a bare 500
      res.status(answer.status).set(answer.headers).send(answer.body);
    }
  });

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
