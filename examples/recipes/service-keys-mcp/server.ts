// Oneleet (seed 000): service keys `service_<id>_<secret>` with READ_/WRITE_ scopes, full or limited
// access, optional expiry, revoke; the API with Bearer keys; an MCP server over Streamable HTTP that
// checks expiry, revocation and scope on every call.
//
//   Settings → API (tenant admins)   /settings/api/keys…   keysmith's admin API:
//     full access     POST { "name": "…", "preset": "full-access" }
//     limited         POST { "name": "…", "scopes": ["READ_EVIDENCE", …] }
//     expiry          "expiresIn": "7d" | "30d" | "60d" | "90d", "expiresAt": "<ISO date>" (custom), or neither
//     edit            PATCH /settings/api/keys/:id { "scopes": […], "expiresIn": "30d" }      revoke: DELETE → 204
//   Public API        GET /api/v1/public/controls, GET|POST /api/v1/public/evidence  (Authorization: Bearer <service key>)
//   MCP               POST|GET|DELETE /mcp   (Streamable HTTP, Authorization: Bearer <service key>)
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express, { type Request } from 'express';
import { createKeyring, type KeyStore } from 'keysmith';
import { adminRouter, apiKeyAuth } from 'keysmith/express';
import { authorizeByRole } from 'keysmith/http';
import { keysmithAuth, mcpEndpoint, mcpKeyEvents } from 'keysmith/mcp';
import { memoryStore } from 'keysmith/memory';
import { z } from 'zod';
import { type BaseRecipeOptions, listen, type RunningRecipe } from '../shared.js';

export interface RecipeOptions extends BaseRecipeOptions {
  store?: KeyStore;
}

/** The scopes available as of 2026-05-26, and the MCP tools each one opens. */
export const TOOLS_BY_SCOPE = {
  READ_TENANT: ['get_tenant'],
  READ_CONTROLS: ['list_controls'],
  READ_POLICIES: ['list_policies'],
  READ_TENANTCOMPLIANCEFRAMEWORKS: ['list_frameworks'],
  READ_TENANTMEMBERS: ['list_members'],
  READ_INTEGRATIONS: ['list_integrations'],
  READ_EVIDENCE: ['list_evidence'],
  READ_MONITORS: ['list_monitors'],
  WRITE_EVIDENCE: ['upload_evidence'],
  WRITE_INTEGRATIONS: ['configure_integration'],
  WRITE_MONITORS: ['rerun_monitor'],
} as const;
export const SCOPES = Object.keys(TOOLS_BY_SCOPE) as (keyof typeof TOOLS_BY_SCOPE)[];

export async function start({ port = 0, identify, store = memoryStore() }: RecipeOptions): Promise<RunningRecipe> {
  const events = mcpKeyEvents();
  const keyring = createKeyring({ store, prefix: 'service', scopes: SCOPES, onEvent: events.listener });
  const evidence = new Map<string, string[]>(); // per tenant: the tenant always comes from the key
  const evidenceOf = (tenantId: string) => evidence.get(tenantId) ?? evidence.set(tenantId, []).get(tenantId)!;
  const text = (value: unknown) => ({ content: [{ type: 'text' as const, text: JSON.stringify(value) }] });

  const endpoint = mcpEndpoint(keyring, {
    events,
    toolScopes: Object.fromEntries(SCOPES.flatMap((scope) => TOOLS_BY_SCOPE[scope].map((tool) => [tool, [scope]]))),
    createServer: (auth) => {
      const server = new McpServer({ name: 'oneleet', version: '1.0.0' });
      const tenantId = keysmithAuth(auth)!.tenantId;
      for (const scope of SCOPES) {
        for (const tool of TOOLS_BY_SCOPE[scope]) {
          if (tool === 'upload_evidence') continue;
          const reading = scope.startsWith('READ_');
          server.registerTool(tool, { description: `${tool} (${scope})`, annotations: { readOnlyHint: reading } }, () =>
            text(tool === 'list_evidence' ? evidenceOf(tenantId) : { tenantId, tool, items: [] }),
          );
        }
      }
      server.registerTool(
        'upload_evidence',
        { description: 'Create and upload evidence', inputSchema: { control: z.string(), title: z.string() } },
        ({ control, title }) => {
          evidenceOf(tenantId).push(`${control}: ${title}`);
          return text({ uploaded: title, control });
        },
      );
      return server;
    },
  });

  const app = express();
  app.all('/mcp', endpoint.node);
  app.get(
    '/api/v1/public/controls',
    apiKeyAuth(keyring, { scopes: ['READ_CONTROLS'] }),
    (req, res) => void res.json({ tenantId: req.apiKey!.key.tenantId, controls: [] }),
  );
  app.get(
    '/api/v1/public/evidence',
    apiKeyAuth(keyring, { scopes: ['READ_EVIDENCE'] }),
    (req, res) => void res.json({ evidence: evidenceOf(req.apiKey!.key.tenantId) }),
  );
  app.post('/api/v1/public/evidence', apiKeyAuth(keyring, { scopes: ['WRITE_EVIDENCE'] }), express.json(), (req, res) => {
    evidenceOf(req.apiKey!.key.tenantId).push(String(req.body?.title ?? 'untitled'));
    res.status(201).json({ ok: true });
  });
  // Tenant admins manage service keys; anyone else signed in gets 403.
  const authorize = authorizeByRole((req: Request) => identify(req.headers), { admin: ['TenantAdmin'] });
  app.use('/settings/api', adminRouter(keyring, { authorize }));

  return listen(app, port, () => endpoint.close());
}
