import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolNotFound } from 'keysmith/mcp';
import type { PGlite } from '@electric-sql/pglite';
import { defaultStore } from '../../examples/default-store.js';
import { start } from '../../examples/mcp-server/server.js';
import { START_TIMEOUT } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';
import { connectClient, eventually, toolNames } from './harness.js';

describe('examples/mcp-server', () => {
  let server: Awaited<ReturnType<typeof start>>;
  let db: PGlite;
  // The example's default store on a PGlite started from the test template (support/pglite.ts).
  beforeAll(async () => {
    db = await freshPGlite();
    server = await start({ port: 0, store: await defaultStore(db) });
  }, START_TIMEOUT);
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  const admin = (method: string, path: string, body?: unknown) =>
    fetch(new URL(`${server.adminUrl.pathname}${path}`, server.adminUrl), {
      method,
      headers: { authorization: `Bearer ${server.tokens.admin}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  it('the read-only key sees and calls only the reading tools', async () => {
    const client = await connectClient(server.url, server.tokens.readOnly);
    expect(await toolNames(client)).toEqual(['list_notes', 'read_note']);
    expect(await client.callTool({ name: 'read_note', arguments: { id: 'welcome' } })).toEqual({ content: [{ type: 'text', text: 'Hello from keysmith' }] });
    expect(await client.callTool({ name: 'write_note', arguments: { id: 'x', body: 'y' } })).toEqual(toolNotFound('write_note'));
    await client.close();
  });

  it('the full key sees every tool and can write', async () => {
    const client = await connectClient(server.url, server.tokens.full);
    expect(await toolNames(client)).toEqual(['delete_note', 'list_notes', 'read_note', 'write_note']);
    await client.callTool({ name: 'write_note', arguments: { id: 'todo', body: 'ship it' } });
    expect(await client.callTool({ name: 'list_notes', arguments: {} })).toEqual({ content: [{ type: 'text', text: 'welcome\ntodo' }] });
    await client.close();
  });

  it('refuses a missing or unknown key with 401', async () => {
    await expect(connectClient(server.url, 'mcp_nope')).rejects.toMatchObject({ code: 401 });
  });

  it('the admin API next to /mcp pauses, narrows and resumes a key while its session is open', async () => {
    const client = await connectClient(server.url, server.tokens.full);
    let changes = 0;
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
    expect(await toolNames(client)).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 150)); // the client's event stream (GET) opens after initialize

    expect((await admin('PATCH', `/keys/${server.ids.full}`, { mcp: { readOnly: true } })).status).toBe(200);
    await eventually(() => changes >= 1);
    expect(await toolNames(client)).toEqual(['list_notes', 'read_note']);

    expect((await admin('POST', `/keys/${server.ids.full}/toggle-active`)).status).toBe(200);
    await expect(client.listTools()).rejects.toMatchObject({ code: 401, message: expect.stringContaining('The API key is disabled') });
    expect((await admin('POST', `/keys/${server.ids.full}/toggle-active`)).status).toBe(200);
    expect(await toolNames(client)).toEqual(['list_notes', 'read_note']); // the same session carries on
    expect((await admin('PATCH', `/keys/${server.ids.full}`, { mcp: { readOnly: false } })).status).toBe(200);
    await client.close();
  });
});
