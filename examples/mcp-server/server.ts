// An MCP server over Streamable HTTP, protected by keysmith keys.
//
//   npx tsx examples/mcp-server/server.ts        # listens on http://127.0.0.1:3333/mcp
//
// It mints two demo keys at start and prints them (a demo only: a real server never prints keys).
// The read-only key sees list_notes and read_note; the full key also write_note and delete_note.
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createKeyring } from 'keysmith';
import { guardMcpServer, keysmithAuth, mcpKeyEvents, mcpSessions, mcpTokenVerifier, SESSION_OF_ANOTHER_KEY } from 'keysmith/mcp';
import { z } from 'zod';
import { defaultStore } from '../default-store.js';

export async function start(options: { port?: number; host?: string } = {}) {
  const host = options.host ?? '127.0.0.1';
  // Key changes reach open sessions as notifications/tools/list_changed.
  const keyEvents = mcpKeyEvents();
  const keyring = createKeyring({ store: await defaultStore(), prefix: 'mcp', onEvent: keyEvents.listener });
  const readOnly = await keyring.create({ tenantId: 'demo', name: 'read-only agent', preset: 'read-only' });
  const full = await keyring.create({ tenantId: 'demo', name: 'full agent', preset: 'full-access' });

  const notes = new Map<string, string>([['demo/welcome', 'Hello from keysmith']]);
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  /** Notes live per tenant: the tenant comes from the verified key, never from the arguments. */
  const tenantOf = (extra: { authInfo?: AuthInfo }) => keysmithAuth(extra)!.tenantId;

  function buildServer(authInfo: AuthInfo): McpServer {
    const server = new McpServer({ name: 'keysmith-demo', version: '1.0.0' });
    // Before the first registerTool. Bound to the key that opened the session.
    guardMcpServer(server, keyring, {
      boundKey: authInfo,
      events: keyEvents,
      toolScopes: { list_notes: ['notes:read'], read_note: ['notes:read'], write_note: ['notes:write'], delete_note: ['notes:delete'] },
    });
    server.registerTool('list_notes', { description: 'List note ids', annotations: { readOnlyHint: true } }, (extra) => {
      const prefix = `${tenantOf(extra)}/`;
      return text([...notes.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)).join('\n'));
    });
    server.registerTool('read_note', { description: 'Read a note', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, ({ id }, extra) =>
      text(notes.get(`${tenantOf(extra)}/${id}`) ?? '(no such note)'),
    );
    server.registerTool('write_note', { description: 'Create or replace a note', inputSchema: { id: z.string(), body: z.string().max(10_000) } }, ({ id, body }, extra) => {
      notes.set(`${tenantOf(extra)}/${id}`, body);
      return text(`saved ${id}`);
    });
    server.registerTool('delete_note', { description: 'Delete a note', inputSchema: { id: z.string() }, annotations: { destructiveHint: true } }, ({ id }, extra) =>
      text(notes.delete(`${tenantOf(extra)}/${id}`) ? `deleted ${id}` : '(no such note)'),
    );
    return server;
  }

  // createMcpExpressApp parses JSON and, on 127.0.0.1, checks the Host header (DNS rebinding).
  const app = createMcpExpressApp({ host });
  const sessions = mcpSessions<StreamableHTTPServerTransport>();
  app.all('/mcp', requireBearerAuth({ verifier: mcpTokenVerifier(keyring) }), async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const found = sessions.lookup(sessionId, req.auth);
      if (found.status === 'other-key') return void res.status(SESSION_OF_ANOTHER_KEY.status).json(SESSION_OF_ANOTHER_KEY.body);
      if (found.status === 'unknown') return void res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      return void (await found.value.handleRequest(req, res, req.body));
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return void res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'Send initialize first' }, id: null });
    }
    const authInfo = req.auth!;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.add(id, authInfo, transport),
    });
    transport.onclose = () => void (transport.sessionId && sessions.remove(transport.sessionId));
    await buildServer(authInfo).connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const http: Server = await new Promise((resolve) => {
    const s = app.listen(options.port ?? 3333, host, () => resolve(s));
  });
  const url = new URL(`http://${host}:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    keyring,
    tokens: { readOnly: readOnly.token, full: full.token },
    async close() {
      for (const transport of sessions.values()) await transport.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await start();
  const entry = (token: string) => JSON.stringify({ mcpServers: { 'keysmith-demo': { type: 'http', url: server.url.href, headers: { Authorization: `Bearer ${token}` } } } });
  console.log(`MCP server on ${server.url.href}\n`);
  console.log(`read-only key (list_notes, read_note):\n  ${server.tokens.readOnly}\n`);
  console.log(`full key (all four tools):\n  ${server.tokens.full}\n`);
  console.log(`.mcp.json for the read-only key:\n  ${entry(server.tokens.readOnly)}`);
  process.on('SIGINT', () => void server.close().then(() => process.exit(0)));
}
