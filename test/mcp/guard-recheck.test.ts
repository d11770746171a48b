// The guard's own re-verification, with no HTTP layer re-checking in front of it: an in-memory
// transport delivers every request with the AuthInfo the key had when the session opened.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { guardMcpServer, mcpTokenVerifier, toolNotFound, type GuardMcpServerOptions } from 'keysmith/mcp';
import { flakyStore, registerDemoTools, TENANT, testKeyring, toolNames } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function session(t: ReturnType<typeof testKeyring>, auth: { current: AuthInfo | undefined }, options: GuardMcpServerOptions = {}) {
  const server = new McpServer({ name: 'mem', version: '1.0.0' });
  const guard = guardMcpServer(server, t.keyring, { events: t.events, ...options });
  registerDemoTools(server);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = clientSide.send.bind(clientSide);
  clientSide.send = (message, opts) => send(message, { ...opts, ...(auth.current ? { authInfo: auth.current } : {}) });
  const client = new Client({ name: 'c', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanup.push(() => client.close());
  return { client, guard };
}

const call = (client: Client) => client.callTool({ name: 'read_note', arguments: { id: '1' } });

describe('guardMcpServer re-verifies the key itself on every request', () => {
  it('revocation, pause and expiry are JSON-RPC errors at the next request', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', expiresIn: '1h' });
    const auth = { current: await mcpTokenVerifier(t.keyring).verifyAccessToken(token) };
    const { client } = await session(t, auth);
    expect((await call(client)).isError).toBeFalsy();
    await t.keyring.setEnabled(TENANT, key.id, false);
    await expect(call(client)).rejects.toMatchObject({ code: -32600, message: expect.stringContaining('Unauthorized: The API key is disabled') });
    await expect(client.listTools()).rejects.toMatchObject({ code: -32600 });
    await t.keyring.setEnabled(TENANT, key.id, true);
    expect((await call(client)).isError).toBeFalsy();
    t.advance(2 * 3600_000);
    await expect(call(client)).rejects.toMatchObject({ message: expect.stringContaining('The API key has expired') });
    t.advance(-2 * 3600_000);
    await t.keyring.revoke(TENANT, key.id);
    await expect(call(client)).rejects.toMatchObject({ message: expect.stringContaining('The API key has been revoked') });
  });

  it('uses the current permissions, not those in the AuthInfo of the session start', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const auth = { current: await mcpTokenVerifier(t.keyring).verifyAccessToken(token) };
    const { client } = await session(t, auth);
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'b' } })).toEqual(toolNotFound('write_note'));
    const info = JSON.parse(((await client.callTool({ name: 'whoami', arguments: {} })).content as { text: string }[])[0]!.text);
    expect(info.extra.permissions.mcp.readOnly).toBe(true);
  });

  it('refuses a request without a key, and another key on a bound server', async () => {
    const t = testKeyring();
    const a = await t.keyring.create({ tenantId: TENANT, name: 'a' });
    const b = await t.keyring.create({ tenantId: TENANT, name: 'b' });
    const verifier = mcpTokenVerifier(t.keyring);
    const auth: { current: AuthInfo | undefined } = { current: await verifier.verifyAccessToken(a.token) };
    const { client, guard } = await session(t, auth, { boundKey: a.key.id });
    expect(guard.boundKeyId).toBe(a.key.id);
    expect((await call(client)).isError).toBeFalsy();
    auth.current = await verifier.verifyAccessToken(b.token);
    await expect(call(client)).rejects.toMatchObject({ code: -32600, message: expect.stringContaining('this session was opened by another API key') });
    auth.current = undefined;
    await expect(call(client)).rejects.toMatchObject({ code: -32600, message: expect.stringContaining('no API key on this request') });
  });

  it('fails closed when the store is unreachable', async () => {
    const flaky = flakyStore();
    const t = testKeyring({ store: flaky.store, cache: false });
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const auth = { current: await mcpTokenVerifier(t.keyring).verifyAccessToken(token) };
    const { client } = await session(t, auth);
    flaky.state.down = true;
    await expect(call(client)).rejects.toMatchObject({ code: -32603, message: expect.stringContaining('The key store is unavailable') });
  });

  it('spends no credits by default (the HTTP layer charged the request); with cost it spends per tools/call', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', remaining: 10 });
    const auth = { current: await mcpTokenVerifier(t.keyring, { cost: 0 }).verifyAccessToken(token) };
    const free = await session(t, auth);
    await call(free.client);
    await free.client.listTools();
    expect((await t.keyring.get(TENANT, key.id))!.remaining).toBe(10);
    const paid = await session(t, auth, { cost: 2 });
    await call(paid.client);
    await paid.client.listTools();
    expect((await t.keyring.get(TENANT, key.id))!.remaining).toBe(8);
  });

  it('does not refuse the request that just filled a rate-limit window at the HTTP layer', async () => {
    const t = testKeyring();
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k', rateLimits: [{ name: 'burst', limit: 3, windowMs: 60_000 }] });
    const verifier = mcpTokenVerifier(t.keyring);
    const auth: { current: AuthInfo | undefined } = { current: undefined };
    const { client } = await session(t, auth);
    for (let i = 0; i < 3; i++) {
      auth.current = await verifier.verifyAccessToken(token); // the HTTP layer, once per request
      expect((await call(client)).isError).toBeFalsy();
    }
    await expect(verifier.verifyAccessToken(token)).rejects.toThrow('Rate limit exceeded');
  });

  it('charges per-tool costs against credits and rate limits, only for calls it allows', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({
      tenantId: TENANT,
      name: 'k',
      remaining: 10,
      rateLimits: [{ name: 'tool-units', limit: 8, windowMs: 60_000 }],
      mcp: { tools: { mode: 'deny', names: ['deploy'] } },
    });
    const auth = { current: await mcpTokenVerifier(t.keyring, {}).verifyAccessToken(token) };
    const { client } = await session(t, auth, { toolCosts: { write_note: 3, deploy: 5 } });
    const remaining = async () => (await t.keyring.get(TENANT, key.id))!.remaining;
    const before = await remaining();
    await client.listTools();
    expect((await call(client)).isError).toBeFalsy(); // read_note: no cost
    expect(await remaining()).toBe(before);
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).toEqual(toolNotFound('deploy')); // denied: free
    expect(await remaining()).toBe(before);
    expect((await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'x' } })).isError).toBeFalsy();
    expect(await remaining()).toBe(before! - 3);
    expect((await client.callTool({ name: 'write_note', arguments: { id: '2', body: 'x' } })).isError).toBeFalsy();
    // 6 units used of the 8-unit window: a third write (3 units) is refused by the rate limit
    await expect(client.callTool({ name: 'write_note', arguments: { id: '3', body: 'x' } })).rejects.toMatchObject({
      message: expect.stringContaining('Rate limit exceeded'),
    });
    expect(await remaining()).toBe(before! - 6);
    expect(() => guardMcpServer(new McpServer({ name: 'x', version: '1' }), t.keyring, { toolCosts: { a: -1 } })).toThrow(/toolCosts/);
  });
});
