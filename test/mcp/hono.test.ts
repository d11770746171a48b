// The same protection on a Web-standard runtime: Hono served by @hono/node-server, the SDK's
// WebStandardStreamableHTTPServerTransport, and verifyMcpRequest handing it the AuthInfo.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import { isInitializeRequest, ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { guardMcpServer, mcpSessions, SESSION_OF_ANOTHER_KEY, toolNotFound, verifyMcpRequest } from 'keysmith/mcp';
import { connectClient, eventually, flakyStore, registerDemoTools, TENANT, testKeyring, toolNames } from './harness.js';

async function startHono(t: ReturnType<typeof testKeyring>) {
  const sessions = mcpSessions<WebStandardStreamableHTTPServerTransport>();
  const stats = { gets: 0 };
  const app = new Hono();
  app.all('/mcp', async (c) => {
    const auth = await verifyMcpRequest(t.keyring, c.req.raw, { ip: getConnInfo(c).remote.address });
    if (!auth.ok) return auth.response;
    if (c.req.method === 'GET') stats.gets++;
    const sessionId = c.req.header('mcp-session-id');
    if (sessionId) {
      const found = sessions.lookup(sessionId, auth.authInfo);
      if (found.status === 'other-key') return c.json(SESSION_OF_ANOTHER_KEY.body, SESSION_OF_ANOTHER_KEY.status);
      if (found.status === 'unknown') return c.json({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }, 404);
      return found.value.handleRequest(c.req.raw, { authInfo: auth.authInfo });
    }
    const body: unknown = await c.req.json().catch(() => null);
    if (!isInitializeRequest(body)) return c.json({ jsonrpc: '2.0', error: { code: -32000, message: 'No session' }, id: null }, 400);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => sessions.add(id, auth.authInfo, transport),
    });
    transport.onclose = () => transport.sessionId && sessions.remove(transport.sessionId);
    const server = new McpServer({ name: 'hono', version: '1.0.0' });
    guardMcpServer(server, t.keyring, { events: t.events, boundKey: auth.authInfo, toolResources: { projectId: 'project' } });
    registerDemoTools(server);
    await server.connect(transport);
    return transport.handleRequest(c.req.raw, { authInfo: auth.authInfo, parsedBody: body });
  });
  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    sessions,
    stats,
    close: async () => {
      for (const transport of sessions.values()) await transport.close().catch(() => {});
      if ('closeAllConnections' in http) http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

describe('Hono + WebStandardStreamableHTTPServerTransport', () => {
  it('filters tools, refuses hidden ones neutrally, limits resources, and sees changes mid-session', async () => {
    const t = testKeyring();
    const server = await startHono(t);
    cleanup.push(server.close);
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', resources: { project: ['p1'] }, ipAllowlist: ['127.0.0.0/8', '::ffff:127.0.0.1/128'] });
    const client = await connectClient(server.url, token);
    cleanup.push(() => client.close());
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    expect(await toolNames(client)).toEqual(['deploy', 'list_projects', 'read_note', 'whoami', 'write_note']);
    expect((await client.callTool({ name: 'deploy', arguments: { projectId: 'p2' } })).isError).toBe(true);
    expect((await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).isError).toBeFalsy();

    await eventually(() => server.stats.gets > 0);
    await new Promise((r) => setTimeout(r, 100));
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    await eventually(() => changes === 1);
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).toEqual(toolNotFound('deploy'));

    await t.keyring.revoke(TENANT, key.id);
    await expect(client.listTools()).rejects.toMatchObject({ code: 401 });
  });

  it('answers RFC 6750: 401 invalid_token, bare 401 without a key, 400 for a malformed header, 403 for another key’s session, 503 when the store is down', async () => {
    const flaky = flakyStore();
    const t = testKeyring({ store: flaky.store, cache: false });
    const server = await startHono(t);
    cleanup.push(server.close);
    const a = await t.keyring.create({ tenantId: TENANT, name: 'a' });
    const b = await t.keyring.create({ tenantId: TENANT, name: 'b' });
    const client = await connectClient(server.url, a.token);
    cleanup.push(() => client.close());
    const sessionId = [...server.sessions.values()][0]!.sessionId!;
    const list = (authorization?: string, session?: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(authorization ? { authorization } : {}), ...(session ? { 'mcp-session-id': session } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });

    const none = await list();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
    const malformed = await list('Bearer two words');
    expect(malformed.status).toBe(400);
    expect(malformed.headers.get('www-authenticate')).toMatch(/error="invalid_request"/);
    const bogus = await list('Bearer sk_AAAAAAAAAAAAAAAA_not-a-real-key');
    expect(bogus.status).toBe(401);
    expect(bogus.headers.get('www-authenticate')).toMatch(/^Bearer realm="mcp", error="invalid_token"/);
    const stolen = await list(`Bearer ${b.token}`, sessionId);
    expect(stolen.status).toBe(403);
    flaky.state.down = true;
    const down = await list(`Bearer ${a.token}`, sessionId);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'STORE_UNAVAILABLE', message: 'The key store is unavailable' } });
  });
});
