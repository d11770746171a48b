// mcpEndpoint on both runtimes: its answers are those of keysmith's HTTP adapters, sessions are bound
// to their key, and the streams of a paused or revoked key close.
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import express from 'express';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { apiKeyAuth } from 'keysmith/express';
import { mcpEndpoint, type McpEndpointOptions } from 'keysmith/mcp';
import { connectClient, eventually, flakyStore, registerDemoTools, sessionIdOf, TENANT, testKeyring } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

type Runtime = 'node' | 'fetch';
type Options = Omit<McpEndpointOptions, 'createServer'>;

/** The endpoint behind Express (`endpoint.node`) or Hono (`endpoint.fetch`), on 127.0.0.1. */
async function start(runtime: Runtime, t: ReturnType<typeof testKeyring>, options: Options = {}, createDelayMs = 0) {
  const endpoint = mcpEndpoint(t.keyring, {
    events: t.events,
    ...options,
    createServer: async () => {
      if (createDelayMs > 0) await new Promise((r) => setTimeout(r, createDelayMs));
      const server = new McpServer({ name: 'endpoint', version: '1.0.0' });
      registerDemoTools(server);
      return server;
    },
  });
  let http: ServerType;
  if (runtime === 'node') {
    const app = express();
    app.all('/mcp', endpoint.node);
    http = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
  } else {
    const app = new Hono();
    app.all('/mcp', (c) => endpoint.fetch(c.req.raw));
    http = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
  }
  const url = new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`);
  const close = async () => {
    await endpoint.close();
    if ('closeAllConnections' in http) http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  };
  cleanup.push(close);
  return { url, endpoint };
}

/** Express with keysmith's own apiKeyAuth, to compare answers with. */
async function startApi(t: ReturnType<typeof testKeyring>) {
  const app = express();
  app.all('/api', apiKeyAuth(t.keyring, { realm: 'mcp' }), (_req, res) => void res.json({ ok: true }));
  const http = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  cleanup.push(() => new Promise<void>((resolve) => http.close(() => resolve())));
  return new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/api`);
}

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};
const MCP_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': '2025-06-18' };

function post(url: URL, headers: Record<string, string>, body: unknown = INIT) {
  return fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, ...headers }, body: JSON.stringify(body) });
}

/** A session opened by raw requests, and its standalone event stream (GET). */
async function rawSession(url: URL, token: string) {
  const auth = { authorization: `Bearer ${token}` };
  const init = await post(url, auth);
  expect(init.status).toBe(200);
  const sessionId = init.headers.get('mcp-session-id')!;
  await init.body?.cancel();
  const headers = { ...auth, 'mcp-session-id': sessionId };
  expect((await post(url, headers, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
  const stream = await fetch(url, { headers: { ...headers, accept: 'text/event-stream', 'mcp-protocol-version': '2025-06-18' } });
  expect(stream.status).toBe(200);
  const reader = stream.body!.getReader();
  const state = { ended: false, text: '' };
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      state.text += new TextDecoder().decode(value);
    }
    state.ended = true;
  })();
  cleanup.push(async () => void (await reader.cancel().catch(() => {})));
  return { sessionId, headers, state };
}

describe.each<Runtime>(['node', 'fetch'])('mcpEndpoint.%s', (runtime) => {
  it('answers every refused key exactly like keysmith/express (status, WWW-Authenticate, body)', async () => {
    const flaky = flakyStore();
    const t = testKeyring({ store: flaky.store, cache: false });
    const { url } = await start(runtime, t);
    const api = await startApi(t);
    const revoked = await t.keyring.create({ tenantId: TENANT, name: 'revoked' });
    await t.keyring.revoke(TENANT, revoked.key.id);
    const paused = await t.keyring.create({ tenantId: TENANT, name: 'paused' });
    await t.keyring.setEnabled(TENANT, paused.key.id, false);
    const limited = await t.keyring.create({ tenantId: TENANT, name: 'limited', rateLimits: [{ name: 'burst', limit: 1, windowMs: 60_000 }] });
    const remote = await t.keyring.create({ tenantId: TENANT, name: 'remote', ipAllowlist: ['10.0.0.0/8'] });
    const cases: [string, Record<string, string>, number][] = [
      ['no key', {}, 401],
      ['Basic credentials', { authorization: 'Basic dXNlcjpwYXNz' }, 401],
      ['a bare Bearer', { authorization: 'Bearer' }, 400],
      ['two words', { authorization: 'Bearer two words' }, 400],
      ['two bearer keys in one line', { authorization: `Bearer ${paused.token}, Bearer ${revoked.token}` }, 400],
      ['garbage', { authorization: 'Bearer sk_garbage' }, 401],
      ['unknown', { authorization: 'Bearer sk_AAAAAAAAAAAAAAAA_not-a-real-key' }, 401],
      ['revoked', { authorization: `Bearer ${revoked.token}` }, 401],
      ['paused', { authorization: `Bearer ${paused.token}` }, 401],
      ['address', { authorization: `Bearer ${remote.token}` }, 403],
    ];
    for (const [what, headers, status] of cases) {
      const [mcp, plain] = await Promise.all([post(url, headers), fetch(api, { method: 'POST', headers })]);
      expect(mcp.status, what).toBe(status);
      expect(mcp.headers.get('www-authenticate'), what).toBe(plain.headers.get('www-authenticate'));
      expect(await mcp.json(), what).toEqual(await plain.json());
    }
    // Two Authorization lines (Node keeps only the first in req.headers): refused, not the first used.
    const twice = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.setHeader('authorization', [`Bearer ${limited.token}`, `Bearer ${revoked.token}`]);
      req.on('error', reject);
      req.end(JSON.stringify(INIT));
    });
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.body).error.code).toBe('INVALID_REQUEST');
    expect((await post(url, { authorization: `Bearer ${limited.token}` })).status).toBe(200);
    const [limitedMcp, limitedApi] = await Promise.all([
      post(url, { authorization: `Bearer ${limited.token}` }),
      fetch(api, { headers: { authorization: `Bearer ${limited.token}` } }),
    ]);
    expect(limitedMcp.status).toBe(429);
    expect(limitedApi.status).toBe(429);
    expect(limitedMcp.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limitedMcp.json()).error.code).toBe('RATE_LIMITED');
    flaky.state.down = true;
    const down = await post(url, { authorization: `Bearer ${paused.token}` });
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ error: { code: 'STORE_UNAVAILABLE', message: 'The key store is unavailable' } });
  });

  it('binds a session to its key (403 for another key, 404 for an unknown id, 400 without initialize)', async () => {
    const t = testKeyring();
    const { url } = await start(runtime, t);
    const a = await t.keyring.create({ tenantId: TENANT, name: 'a' });
    const b = await t.keyring.create({ tenantId: TENANT, name: 'b' });
    const client = await connectClient(url, a.token);
    cleanup.push(() => client.close());
    const list = { jsonrpc: '2.0', id: 2, method: 'tools/list', params: {} };
    const stolen = await post(url, { authorization: `Bearer ${b.token}`, 'mcp-session-id': sessionIdOf(client) }, list);
    expect(stolen.status).toBe(403);
    expect(stolen.headers.get('www-authenticate')).toBeNull();
    expect(await stolen.json()).toEqual({ error: { code: 'SESSION_KEY_MISMATCH', message: 'This session was opened by another API key' } });
    const unknown = await post(url, { authorization: `Bearer ${a.token}`, 'mcp-session-id': 'no-such-session' }, list);
    expect(unknown.status).toBe(404);
    const noSession = await post(url, { authorization: `Bearer ${a.token}` }, list);
    expect(noSession.status).toBe(400);
    expect((await noSession.json()).error.code).toBe(-32000);
    const notJson = await fetch(url, { method: 'POST', headers: { ...MCP_HEADERS, authorization: `Bearer ${a.token}` }, body: '{"jsonrpc":' });
    expect(notJson.status).toBe(400);
    expect((await notJson.json()).error.code).toBe(-32700);
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
  });

  it('closes the event stream of a paused key and keeps its session; ends the session of a revoked key', async () => {
    const t = testKeyring();
    const { url, endpoint } = await start(runtime, t);
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const session = await rawSession(url, token);
    await new Promise((r) => setTimeout(r, 50));
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    await eventually(() => session.state.text.includes('notifications/tools/list_changed'));
    expect(session.state.ended).toBe(false);
    await t.keyring.setEnabled(TENANT, key.id, false);
    await eventually(() => session.state.ended);
    expect(session.state.text.match(/list_changed/g)).toHaveLength(1); // a paused key hears nothing more
    expect(endpoint.size).toBe(1);
    expect((await post(url, session.headers, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status).toBe(401);
    await t.keyring.setEnabled(TENANT, key.id, true);
    expect((await post(url, session.headers, { jsonrpc: '2.0', id: 4, method: 'tools/list' })).status).toBe(200);

    const again = await fetch(url, { headers: { ...session.headers, accept: 'text/event-stream', 'mcp-protocol-version': '2025-06-18' } });
    expect(again.status).toBe(200);
    const reader = again.body!.getReader();
    const second = { ended: false };
    void (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done) {
        // drain until the server closes the stream
      }
      second.ended = true;
    })();
    await t.keyring.revoke(TENANT, key.id);
    await eventually(() => second.ended && endpoint.size === 0);
  });

  it('re-checks open sessions on its own when no change event arrives (an expiry)', async () => {
    const t = testKeyring();
    const { endpoint, url } = await start(runtime, t, { recheckIntervalMs: 50 });
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'short', expiresIn: '1h' });
    const session = await rawSession(url, token);
    t.advance(2 * 3_600_000);
    await eventually(() => session.state.ended && endpoint.size === 0);
  });

  it('closes a session left idle with nothing open, and keeps one whose event stream is open', async () => {
    const t = testKeyring();
    const { url, endpoint } = await start(runtime, t, { idleTimeoutMs: 1_000 });
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const listening = await rawSession(url, token);
    const init = await post(url, { authorization: `Bearer ${token}` });
    const idleHeaders = { authorization: `Bearer ${token}`, 'mcp-session-id': init.headers.get('mcp-session-id')! };
    await init.body?.cancel();
    expect((await post(url, idleHeaders, { jsonrpc: '2.0', method: 'notifications/initialized' })).status).toBe(202);
    expect(endpoint.size).toBe(2);
    await eventually(() => endpoint.size === 1, 5_000);
    expect((await post(url, idleHeaders, { jsonrpc: '2.0', id: 2, method: 'tools/list' })).status).toBe(404);
    expect(listening.state.ended).toBe(false);
    expect((await post(url, listening.headers, { jsonrpc: '2.0', id: 3, method: 'tools/list' })).status).toBe(200);
  });

  it('caps sessions per key and charges per-tool costs', async () => {
    const t = testKeyring();
    const { url } = await start(runtime, t, { maxSessionsPerKey: 1, cost: 0, toolCosts: { write_note: 3 } }, 100);
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', remaining: 5 });
    const client = await connectClient(url, token);
    cleanup.push(() => client.close());
    const second = await post(url, { authorization: `Bearer ${token}` });
    expect(second.status).toBe(429);
    const other = await t.keyring.create({ tenantId: TENANT, name: 'racer' });
    const raced = await Promise.all([1, 2, 3].map(() => post(url, { authorization: `Bearer ${other.token}` })));
    expect(raced.map((r) => r.status).sort()).toEqual([200, 429, 429]); // concurrent initializes respect the cap too
    await Promise.all(raced.map((r) => r.body?.cancel()));
    expect((await second.json()).error.code).toBe('TOO_MANY_SESSIONS');
    expect((await client.callTool({ name: 'read_note', arguments: { id: '1' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'b' } })).isError).toBeFalsy();
    expect((await t.keyring.get(TENANT, key.id))!.remaining).toBe(2);
    await expect(client.callTool({ name: 'write_note', arguments: { id: '1', body: 'b' } })).rejects.toThrow(/USAGE_EXCEEDED|usage/i);
  });
});

describe('mcpEndpoint.fetch behind a framework that read the body already', () => {
  it('takes the parsed body, and answers 400 (not 500) when the body is gone and none was given', async () => {
    const t = testKeyring();
    const endpoint = mcpEndpoint(t.keyring, {
      createServer: () => {
        const server = new McpServer({ name: 'read-first', version: '1.0.0' });
        registerDemoTools(server);
        return server;
      },
    });
    const app = new Hono();
    app.all('/mcp', async (c) => endpoint.fetch(c.req.raw, c.req.method === 'POST' ? { parsedBody: await c.req.json() } : {}));
    app.post('/lost', async (c) => {
      await c.req.raw.text();
      return endpoint.fetch(c.req.raw);
    });
    const http: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
    });
    cleanup.push(async () => {
      await endpoint.close();
      if ('closeAllConnections' in http) http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });
    const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const client = await connectClient(new URL(`${base}/mcp`), token);
    cleanup.push(() => client.close());
    expect((await client.listTools()).tools.length).toBe(5);
    const lost = await post(new URL(`${base}/lost`), { authorization: `Bearer ${token}` });
    expect(lost.status).toBe(400);
    expect((await lost.json()).error.code).toBe(-32700);
  });
});

describe('mcpEndpoint options', () => {
  it('refuses bad options at construction', () => {
    const t = testKeyring();
    const createServer = () => new McpServer({ name: 'x', version: '1' });
    expect(() => mcpEndpoint(t.keyring, {} as McpEndpointOptions)).toThrow(/createServer/);
    expect(() => mcpEndpoint(t.keyring, { createServer, realm: 'a"b' })).toThrow(/realm/);
    expect(() => mcpEndpoint(t.keyring, { createServer, maxSessionsPerKey: 0 })).toThrow(/maxSessionsPerKey/);
    expect(() => mcpEndpoint(t.keyring, { createServer, cost: -1 })).toThrow(/cost/);
    expect(() => mcpEndpoint(t.keyring, { createServer, header: 'authorization' })).toThrow(/Authorization/);
  });
});
