import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { toolNotFound } from 'keysmith/mcp';
import { connectClient, eventually, sessionIdOf, startHttpMcp, TENANT, testKeyring, toolNames } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function openSession(create: { scopes?: string[]; expiresIn?: string } = {}, guard = {}) {
  const t = testKeyring();
  const server = await startHttpMcp({ keyring: t.keyring, events: t.events, guard });
  cleanup.push(server.close);
  const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'agent', ...create });
  const client = await connectClient(server.url, token);
  cleanup.push(() => client.close());
  expect(await toolNames(client)).toContain('write_note');
  return { t, server, key, token, client };
}

const read = (client: Client) => client.callTool({ name: 'read_note', arguments: { id: '1' } });

describe('changes to a key take effect on the next request of an open session', () => {
  it('revoke', async () => {
    const { t, key, client } = await openSession();
    expect((await read(client)).isError).toBeFalsy();
    await t.keyring.revoke(TENANT, key.id);
    await expect(read(client)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('The API key has been revoked') });
  });

  it('pause, and resume', async () => {
    const { t, key, client } = await openSession();
    await t.keyring.setEnabled(TENANT, key.id, false);
    await expect(read(client)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('The API key is disabled') });
    await t.keyring.setEnabled(TENANT, key.id, true);
    expect((await read(client)).isError).toBeFalsy();
  });

  it('expiry, on the keyring clock', async () => {
    const { t, client } = await openSession({ expiresIn: '1h' });
    t.advance(59 * 60_000);
    expect((await read(client)).isError).toBeFalsy();
    t.advance(2 * 60_000);
    await expect(read(client)).rejects.toMatchObject({ code: 401, message: expect.stringContaining('The API key has expired') });
  });

  it('pausing MCP access only', async () => {
    const { t, key, token, client } = await openSession();
    await t.keyring.update(TENANT, key.id, { mcp: { enabled: false } });
    await expect(read(client)).rejects.toMatchObject({ code: 403 });
    expect((await t.keyring.verify(token)).valid).toBe(true);
  });

  it('narrowing the tool list or the scopes', async () => {
    const { t, key, client } = await openSession({ scopes: ['notes:write', 'deploy:write'] }, { toolScopes: { deploy: ['deploy:write'] } });
    expect(await toolNames(client)).toEqual(['deploy', 'list_projects', 'read_note', 'whoami', 'write_note']);
    await t.keyring.update(TENANT, key.id, { mcp: { tools: { mode: 'deny', names: ['write_note'] } } });
    expect(await toolNames(client)).toEqual(['deploy', 'list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'b' } })).toEqual(toolNotFound('write_note'));
    await t.keyring.update(TENANT, key.id, { scopes: ['notes:write'] });
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p' } })).toEqual(toolNotFound('deploy'));
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true, tools: { mode: 'all', names: [] } } });
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
  });
});

describe('a stateful session belongs to the key that opened it', () => {
  it('another valid key naming the session gets 403; the owner carries on', async () => {
    const { t, server, client } = await openSession();
    const other = await t.keyring.create({ tenantId: TENANT, name: 'other' });
    const sessionId = sessionIdOf(client);
    const res = await fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        authorization: `Bearer ${other.token}`,
        'mcp-session-id': sessionId,
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list', params: {} }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(await res.json()).toEqual({ error: { code: 'SESSION_KEY_MISMATCH', message: 'This session was opened by another API key' } });
    expect((await read(client)).isError).toBeFalsy();
  });
});

describe('notifications/tools/list_changed', () => {
  async function withListener(create = {}) {
    const session = await openSession(create);
    let changes = 0;
    session.client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    // The client opens its standalone SSE stream (GET) after initialization; wait until it is there.
    await eventually(() => session.server.stats.gets > 0);
    await new Promise((r) => setTimeout(r, 100));
    return { ...session, changes: () => changes };
  }

  it('is sent to the open session when its key is updated, and only for its own key', async () => {
    const { t, key, client, changes } = await withListener();
    const other = await t.keyring.create({ tenantId: TENANT, name: 'other' });
    await t.keyring.update(TENANT, other.key.id, { mcp: { readOnly: true } });
    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    await eventually(() => changes() === 1);
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    await new Promise((r) => setTimeout(r, 50));
    expect(changes()).toBe(1);
  });

  it('is not sent when the key is paused: its event stream is closed instead (test/mcp/revoked-streams.test.ts)', async () => {
    const { t, key, changes, server } = await withListener();
    await t.keyring.setEnabled(TENANT, key.id, false);
    await eventually(() => server.streams.open === 0);
    await new Promise((r) => setTimeout(r, 100));
    expect(changes()).toBe(0);
  });

  it('the session is gone once the client terminates it', async () => {
    const { server, client } = await withListener();
    expect(server.sessions).toBe(1);
    await (client.transport as StreamableHTTPClientTransport).terminateSession();
    await eventually(() => server.sessions === 0);
  });
});
