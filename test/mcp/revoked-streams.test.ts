import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { guardMcpServer, mcpTokenVerifier } from 'keysmith/mcp';
import { afterEach, describe, expect, it } from 'vitest';
import { connectClient, eventually, registerDemoTools, startHttpMcp, TENANT, testKeyring } from './harness.js';

/**
 * A revoked or paused key's standalone event stream (GET on the MCP endpoint) is closed and gets
 * no further notification, whether the server is keysmith's `mcpEndpoint` or a user's own
 * stateful server with `guardMcpServer` (the guard is the shared mechanism). Official SDK client
 * over Streamable HTTP.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

type T = ReturnType<typeof testKeyring>;

/** A stateful server of your own (docs/mcp.md): one guarded McpServer per session, bound to its key. */
async function startGuardedServer(t: T) {
  const app = express();
  app.use(express.json());
  const streams = { open: 0, opened: 0 };
  const sessions = new Map<string, { keyId: string; transport: StreamableHTTPServerTransport }>();
  app.all('/mcp', requireBearerAuth({ verifier: mcpTokenVerifier(t.keyring) }), async (req, res) => {
    if (req.method === 'GET') {
      streams.open++;
      streams.opened++;
      res.on('close', () => void streams.open--);
    }
    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const found = sessions.get(sessionId);
      if (!found || found.keyId !== req.auth?.clientId) return void res.status(404).end();
      return found.transport.handleRequest(req, res, req.body);
    }
    if (!isInitializeRequest(req.body)) return void res.status(400).end();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, { keyId: req.auth!.clientId, transport }),
    });
    transport.onclose = () => void (transport.sessionId && sessions.delete(transport.sessionId));
    const server = new McpServer({ name: 'test', version: '1.0.0' });
    guardMcpServer(server, t.keyring, { boundKey: req.auth, events: t.events });
    registerDemoTools(server);
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanup.push(async () => {
    http.closeAllConnections();
    await new Promise((resolve) => http.close(resolve));
  });
  return { url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`), streams };
}

/** The mcpEndpoint harness, with its open GET streams counted the same way. */
async function startEndpoint(t: T) {
  const server = await startHttpMcp({ keyring: t.keyring, events: t.events });
  cleanup.push(() => server.close());
  return { url: server.url, streams: server.streams };
}

describe.each([
  ['guardMcpServer (a stateful server of your own)', startGuardedServer],
  ['mcpEndpoint', startEndpoint],
] as const)('%s: streams of a revoked or paused key', (_name, start) => {
  async function connected() {
    const t = testKeyring();
    const { url, streams } = await start(t);
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'agent' });
    const client = await connectClient(url, token);
    cleanup.push(() => client.close());
    let notifications = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void notifications++);
    await eventually(() => streams.open === 1); // the client's standalone stream (GET) is open
    await new Promise((r) => setTimeout(r, 50));
    return { t, key, client, streams, notifications: () => notifications };
  }

  it('a live key is still told when its tools change (the control)', async () => {
    const { t, key, notifications } = await connected();
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    await eventually(() => notifications() === 1);
  });

  it('revoked: the stream is closed and no notification is sent, then or later', async () => {
    const { t, key, streams, notifications } = await connected();
    await t.keyring.revoke(TENANT, key.id);
    await eventually(() => streams.open === 0);
    await new Promise((r) => setTimeout(r, 200));
    expect(notifications()).toBe(0);
    expect(streams.open).toBe(0);
  });

  it('paused: the stream is closed, and changes while paused send nothing', async () => {
    const { t, key, streams, notifications } = await connected();
    await t.keyring.setEnabled(TENANT, key.id, false);
    await eventually(() => streams.open === 0);
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    await new Promise((r) => setTimeout(r, 200));
    expect(notifications()).toBe(0);
    expect(streams.open).toBe(0);
  });
});
