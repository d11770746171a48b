import type { AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import express, { type RequestHandler } from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createKeyring, type KeyStore, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { guardMcpServer, mcpEndpoint, mcpKeyEvents, mcpTokenVerifier, type McpEndpoint, type McpEndpointOptions } from 'keysmith/mcp';
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
  server.registerTool('read_note', { description: 'Read a note', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, ({ id }) =>
    text(`note ${id}`),
  );
  server.registerTool('list_projects', { description: 'List projects', annotations: { readOnlyHint: true } }, () => text('p1,p2'));
  server.registerTool('write_note', { description: 'Write a note', inputSchema: { id: z.string(), body: z.string() } }, ({ id }) => text(`wrote ${id}`));
  server.registerTool(
    'deploy',
    { description: 'Deploy a project', inputSchema: { projectId: z.string() }, annotations: { readOnlyHint: false, destructiveHint: true } },
    ({ projectId }, extra) => text(`deployed ${projectId} as ${extra.authInfo?.clientId}`),
  );
  server.registerTool('whoami', { description: 'Echo the AuthInfo', annotations: { readOnlyHint: true } }, (extra) =>
    text(JSON.stringify(extra.authInfo ?? null)),
  );
}

export interface HttpMcpOptions {
  keyring: ReturnType<typeof testKeyring>['keyring'];
  events?: ReturnType<typeof testKeyring>['events'];
  /** Guard options (the endpoint's tool rules and costs); `false`: a stateless server without the guard. */
  guard?: Omit<McpEndpointOptions, 'createServer' | 'events'> | false;
  register?: (server: McpServer) => void;
  /**
   * `false`, or an `auth` middleware: a stateless server per request behind that middleware
   * (default `requireBearerAuth` + `mcpTokenVerifier`), for the verifier's own tests. Otherwise the
   * whole endpoint is keysmith's `mcpEndpoint`.
   */
  stateful?: boolean;
  auth?: RequestHandler;
}

/** A real McpServer behind Streamable HTTP on 127.0.0.1: keysmith's `mcpEndpoint`, served by Express. */
export async function startHttpMcp(options: HttpMcpOptions) {
  const app = express();
  app.use(express.json());
  const stats = { gets: 0 };
  /** Standalone event streams (GET) open now, and opened in all. */
  const streams = { open: 0, opened: 0 };
  app.use('/mcp', (req, res, next) => {
    if (req.method === 'GET') {
      stats.gets++;
      streams.open++;
      streams.opened++;
      res.on('close', () => void streams.open--);
    }
    next();
  });
  const buildServer = () => {
    const server = new McpServer({ name: 'test', version: '1.0.0' });
    (options.register ?? registerDemoTools)(server);
    return server;
  };

  let endpoint: McpEndpoint | null = null;
  if (options.stateful === false || options.auth || options.guard === false) {
    // Stateless: a fresh server per request, no sessions at all (no routing to repeat).
    const guard = options.guard === false ? null : (options.guard ?? {});
    app.all('/mcp', options.auth ?? requireBearerAuth({ verifier: mcpTokenVerifier(options.keyring) }), async (req, res) => {
      const server = new McpServer({ name: 'test', version: '1.0.0' });
      if (guard) guardMcpServer(server, options.keyring, { ...guard, ...(options.events ? { events: options.events } : {}) });
      (options.register ?? registerDemoTools)(server);
      const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void server.close());
      await server.connect(transport);
      await transport.handleRequest(req, res, req.body);
    });
  } else {
    endpoint = mcpEndpoint(options.keyring, { ...options.guard, createServer: buildServer, ...(options.events ? { events: options.events } : {}) });
    app.all('/mcp', endpoint.node);
  }

  const http: HttpServer = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    stats,
    streams,
    /** Open sessions. */
    get sessions() {
      return endpoint?.size ?? 0;
    },
    async close() {
      await endpoint?.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

/** The session id the server gave a connected client. */
export function sessionIdOf(client: Client): string {
  return (client.transport as StreamableHTTPClientTransport).sessionId!;
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
      typeof fn === 'function'
        ? (...args: unknown[]) =>
            state.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : (fn as (...a: unknown[]) => unknown).apply(inner, args)
        : fn,
    ]),
  ) as unknown as KeyStore;
  return { store, state };
}
