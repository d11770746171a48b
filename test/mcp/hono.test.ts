// The same protection on a Web-standard runtime: Hono served by @hono/node-server, and keysmith's
// mcpEndpoint through endpoint.fetch (the SDK's WebStandardStreamableHTTPServerTransport inside).
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpEndpoint, toolNotFound } from 'keysmith/mcp';
import { connectClient, eventually, flakyStore, registerDemoTools, sessionIdOf, TENANT, testKeyring, toolNames } from './harness.js';

async function startHono(t: ReturnType<typeof testKeyring>) {
  const stats = { gets: 0 };
  const endpoint = mcpEndpoint(t.keyring, {
    events: t.events,
    toolResources: { projectId: 'project' },
    createServer: () => {
      const server = new McpServer({ name: 'hono', version: '1.0.0' });
      registerDemoTools(server);
      return server;
    },
  });
  const app = new Hono();
  app.all('/mcp', (c) => {
    if (c.req.method === 'GET') stats.gets++;
    return endpoint.fetch(c.req.raw, { ip: getConnInfo(c).remote.address });
  });
  const http: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  return {
    url,
    stats,
    close: async () => {
      await endpoint.close();
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
    const { key, token } = await t.keyring.create({
      tenantId: TENANT,
      name: 'k',
      resources: { project: ['p1'] },
      ipAllowlist: ['127.0.0.0/8', '::ffff:127.0.0.1/128'],
    });
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
    const sessionId = sessionIdOf(client);
    const list = (authorization?: string, session?: string) =>
      fetch(server.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...(authorization ? { authorization } : {}),
          ...(session ? { 'mcp-session-id': session } : {}),
        },
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
