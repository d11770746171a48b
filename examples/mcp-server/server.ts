// An MCP server over Streamable HTTP, protected by keysmith keys, with keysmith's admin API next to it.
//
//   npx tsx examples/mcp-server/server.ts        # http://127.0.0.1:3333/mcp  (PORT=… HOST=… to change)
//
// It mints three demo keys at start and prints them (a demo only: a real server never prints keys).
// The read-only key sees list_notes and read_note; the full key also write_note and delete_note;
// the admin key manages keys through /admin (pause, resume, narrow, revoke).
// Pause or revoke an MCP key while a client is connected and watch the session react: a
// notifications/tools/list_changed, then its streams close and its next request gets 401.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { createKeyring, type KeyStore } from 'keysmith';
import { adminRouter, authorizeWithKey } from 'keysmith/express';
import { keysmithAuth, mcpEndpoint, mcpKeyEvents } from 'keysmith/mcp';
import { z } from 'zod';
import { defaultStore } from '../default-store.js';

/** Starts the demo; `store` defaults to the embedded database (examples/default-store.ts). */
export async function start(options: { port?: number; host?: string; store?: KeyStore } = {}) {
  const host = options.host ?? '127.0.0.1';
  // Key changes reach open sessions (tools/list_changed; streams of paused or revoked keys close).
  // A fleet passes its invalidation channel to mcpEndpoint instead: see docs/mcp-endpoint.md.
  const keyEvents = mcpKeyEvents();
  const keyring = createKeyring({ store: options.store ?? (await defaultStore()), prefix: 'mcp', onEvent: keyEvents.listener });
  const readOnly = await keyring.create({ tenantId: 'demo', name: 'read-only agent', preset: 'read-only' });
  const full = await keyring.create({ tenantId: 'demo', name: 'full agent', preset: 'full-access' });
  // The admin holds every right (an admin can only manage keys within its own rights).
  const admin = await keyring.create({ tenantId: 'demo', name: 'demo admin', preset: 'full-access' });

  const notes = new Map<string, string>([['demo/welcome', 'Hello from keysmith']]);
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  /** Notes live per tenant: the tenant comes from the verified key, never from the arguments. */
  const tenantOf = (extra: { authInfo?: AuthInfo }) => keysmithAuth(extra)!.tenantId;

  const endpoint = mcpEndpoint(keyring, {
    events: keyEvents,
    toolScopes: { list_notes: ['notes:read'], read_note: ['notes:read'], write_note: ['notes:write'], delete_note: ['notes:delete'] },
    // One session, one server: tools the key may not use are hidden from tools/list and refused.
    createServer: () => {
      const server = new McpServer({ name: 'keysmith-demo', version: '1.0.0' });
      server.registerTool('list_notes', { description: 'List note ids', annotations: { readOnlyHint: true } }, (extra) => {
        const prefix = `${tenantOf(extra)}/`;
        return text(
          [...notes.keys()]
            .filter((k) => k.startsWith(prefix))
            .map((k) => k.slice(prefix.length))
            .join('\n'),
        );
      });
      server.registerTool('read_note', { description: 'Read a note', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, ({ id }, extra) =>
        text(notes.get(`${tenantOf(extra)}/${id}`) ?? '(no such note)'),
      );
      server.registerTool(
        'write_note',
        { description: 'Create or replace a note', inputSchema: { id: z.string(), body: z.string().max(10_000) } },
        ({ id, body }, extra) => {
          notes.set(`${tenantOf(extra)}/${id}`, body);
          return text(`saved ${id}`);
        },
      );
      server.registerTool(
        'delete_note',
        { description: 'Delete a note', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } },
        ({ id }, extra) => text(notes.delete(`${tenantOf(extra)}/${id}`) ? `deleted ${id}` : '(no such note)'),
      );
      return server;
    },
  });

  // createMcpExpressApp parses JSON and, on 127.0.0.1, checks the Host header (DNS rebinding).
  const app = createMcpExpressApp({ host });
  app.all('/mcp', endpoint.node);
  // The admin API for keys holding keys:manage (here the admin key); swap authorize for your own login.
  // CONSOLE: once keysmith's admin console ships (issue 15), pass `console: true` here and open /admin/console.
  app.use('/admin', adminRouter(keyring, { authorize: authorizeWithKey(keyring) }));

  const port = options.port ?? 3333;
  const http: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${(http.address() as AddressInfo).port}`;
  return {
    url: new URL(`${base}/mcp`),
    adminUrl: new URL(`${base}/admin`),
    keyring,
    tokens: { readOnly: readOnly.token, full: full.token, admin: admin.token },
    ids: { readOnly: readOnly.key.id, full: full.key.id },
    async close() {
      await endpoint.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start({ port: Number(process.env.PORT ?? 3333), ...(process.env.HOST ? { host: process.env.HOST } : {}) });
  const { tokens, ids, url, adminUrl } = server;
  console.log(`MCP server on ${url.href}, admin API on ${adminUrl.href}

read-only key (list_notes, read_note), id ${ids.readOnly}:
  ${tokens.readOnly}
full key (all four tools), id ${ids.full}:
  ${tokens.full}
admin key (for the admin API):
  ${tokens.admin}

.mcp.json (Claude Code; the key comes from the environment):
  {"mcpServers":{"keysmith-demo":{"type":"http","url":"${url.href}","headers":{"Authorization":"Bearer \${KEYSMITH_DEMO_KEY}"}}}}

Try it:
  export KEYSMITH_DEMO_KEY=${tokens.full}
  npx @modelcontextprotocol/inspector@0.17.5 --cli ${url.href} --transport http --method tools/list --header "Authorization: Bearer $KEYSMITH_DEMO_KEY"
Then, while a client is connected, pause, narrow or revoke its key:
  curl -X POST -H "Authorization: Bearer ${tokens.admin}" ${adminUrl.href}/keys/${ids.full}/toggle-active
  curl -X PATCH -H "Authorization: Bearer ${tokens.admin}" -H "content-type: application/json" -d '{"mcp":{"readOnly":true}}' ${adminUrl.href}/keys/${ids.full}
  curl -X DELETE -H "Authorization: Bearer ${tokens.admin}" ${adminUrl.href}/keys/${ids.full}`);
  process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
}
