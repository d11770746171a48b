import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import express, { type RequestHandler } from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createKeyring, type KeyStore, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { guardMcpServer, mcpKeyEvents, mcpSessions, mcpTokenVerifier, SESSION_OF_ANOTHER_KEY, type GuardMcpServerOptions } from 'keysmith/mcp';
import { z } from 'zod';

export const TENANT = 'acme';

/** A keyring on a memory store with a clock the test moves, wired to an MCP event hub. */
export function testKeyring(options: { store?: KeyStore; cache?: false } = {}) {
  const clock = { now: Date.now() };
  const events = mcpKeyEvents();
  const seen: KeysmithEvent[] = [];
  const keyring = createKeyring({
    store: options.store ?? memoryStore(),
    prefix: 'sk',
    clock: () => clock.now,
    ...(options.cache === false ? { cache: false as const } : {}),
    onEvent: (event) => {
      seen.push(event);
      events.listener(event);
    },
  });
  return { keyring, clock, events, seen, advance: (ms: number) => void (clock.now += ms) };
}

/** The demo tools every suite uses: two read-only, two writing (one with a project argument). */
export function registerDemoTools(server: McpServer): void {
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('read_note', { description: 'Read a note', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, ({ id }) => text(`note ${id}`));
  server.registerTool('list_projects', { description: 'List projects', annotations: { readOnlyHint: true } }, () => text('p1,p2'));
  server.registerTool('write_note', { description: 'Write a note', inputSchema: { id: z.string(), body: z.string() } }, ({ id }) => text(`wrote ${id}`));
  server.registerTool(
    'deploy',
    { description: 'Deploy a project', inputSchema: { projectId: z.string() }, annotations: { readOnlyHint: false, destructiveHint: true } },
    ({ projectId }, extra) => text(`deployed ${projectId} as ${extra.authInfo?.clientId}`),
  );
  server.registerTool('whoami', { description: 'Echo the AuthInfo', annotations: { readOnlyHint: true } }, (extra) => text(JSON.stringify(extra.authInfo ?? null)));
}

export interface HttpMcpOptions {
  keyring: ReturnType<typeof testKeyring>['keyring'];
  events?: ReturnType<typeof testKeyring>['events'];
  /** The auth middleware. @default requireBearerAuth({ verifier: mcpTokenVerifier(keyring) }) */
  auth?: RequestHandler;
  guard?: Omit<GuardMcpServerOptions, 'events' | 'boundKey'> | false;
  register?: (server: McpServer) => void;
  stateful?: boolean;
}

/** A real McpServer behind Streamable HTTP on 127.0.0.1, one guarded server per session. */
export async function startHttpMcp(options: HttpMcpOptions) {
  const app = express();
  app.use(express.json());
  const auth = options.auth ?? requireBearerAuth({ verifier: mcpTokenVerifier(options.keyring) });
  const sessions = mcpSessions<StreamableHTTPServerTransport>();
  const stats = { gets: 0 };

  const buildServer = (authInfo: AuthInfo, bound: boolean) => {
    const server = new McpServer({ name: 'test', version: '1.0.0' });
    if (options.guard !== false) {
      guardMcpServer(server, options.keyring, { ...options.guard, ...(options.events ? { events: options.events } : {}), ...(bound ? { boundKey: authInfo } : {}) });
    }
    (options.register ?? registerDemoTools)(server);
    return server;
  };

  app.all('/mcp', auth, async (req, res) => {
    if (req.method === 'GET') stats.gets++;
    if (options.stateful === false) {
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      const server = buildServer(req.auth!, false);
      res.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const found = sessions.lookup(sessionId, req.auth);
      if (found.status === 'other-key') return void res.status(SESSION_OF_ANOTHER_KEY.status).json(SESSION_OF_ANOTHER_KEY.body);
      if (found.status === 'unknown') return void res.status(404).json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null });
      await found.value.handleRequest(req, res, req.body);
      return;
    }
    if (req.method !== 'POST' || !isInitializeRequest(req.body)) {
      return void res.status(400).json({ jsonrpc: '2.0', error: { code: -32000, message: 'No session' }, id: null });
    }
    const authInfo = req.auth!;
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.add(id, authInfo, transport),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
    };
    await buildServer(authInfo, true).connect(transport);
    await transport.handleRequest(req, res, req.body);
  });

  const http: HttpServer = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    sessions,
    stats,
    async close() {
      for (const transport of sessions.values()) await transport.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** A real SDK client sending the key as a static bearer header. */
export async function connectClient(url: URL, token: string): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
  await client.connect(transport);
  return client;
}

export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

/** Polls until `check` holds (for asynchronous effects such as notifications), failing after `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A store whose every method rejects while `down` is set: an unreachable database. */
export function flakyStore(inner: KeyStore = memoryStore()) {
  const state = { down: false };
  const store = Object.fromEntries(
    Object.entries(inner).map(([name, fn]) => [
      name,
      typeof fn === 'function' ? (...args: unknown[]) => (state.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : (fn as (...a: unknown[]) => unknown).apply(inner, args)) : fn,
    ]),
  ) as unknown as KeyStore;
  return { store, state };
}
