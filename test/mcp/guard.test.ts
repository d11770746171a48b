import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { isKeysmithError } from 'keysmith';
import { guardMcpServer, toolNotFound } from 'keysmith/mcp';
import { connectClient, startHttpMcp, TENANT, testKeyring, toolNames } from './harness.js';

const ALL = ['deploy', 'list_projects', 'read_note', 'whoami', 'write_note'];

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(guard: Parameters<typeof guardMcpServer>[2] = {}, stateful = true) {
  const t = testKeyring();
  const server = await startHttpMcp({ keyring: t.keyring, events: t.events, guard, stateful });
  cleanup.push(server.close);
  const clientFor = async (create: Omit<Parameters<typeof t.keyring.create>[0], 'tenantId' | 'name'>) => {
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', ...create });
    const client = await connectClient(server.url, token);
    cleanup.push(() => client.close());
    return { client, key, token };
  };
  return { t, server, clientFor };
}

describe('guardMcpServer: tools/list shows only what the key may use', () => {
  it('a default key sees every tool; allow and deny lists narrow it', async () => {
    const { clientFor } = await setup();
    expect(await toolNames((await clientFor({})).client)).toEqual(ALL);
    expect(await toolNames((await clientFor({ mcp: { tools: { mode: 'allow', names: ['read_note', 'deploy'] } } })).client)).toEqual(['deploy', 'read_note']);
    expect(await toolNames((await clientFor({ mcp: { tools: { mode: 'deny', names: ['deploy', 'write_note'] } } })).client)).toEqual([
      'list_projects',
      'read_note',
      'whoami',
    ]);
  });

  it('readOnly shows only tools annotated readOnlyHint: true (the read-only preset sets it)', async () => {
    const { clientFor } = await setup();
    const readOnly = ['list_projects', 'read_note', 'whoami'];
    expect(await toolNames((await clientFor({ mcp: { readOnly: true } })).client)).toEqual(readOnly);
    expect(await toolNames((await clientFor({ preset: 'read-only' })).client)).toEqual(readOnly);
  });

  it('toolScopes hides a tool from keys without its scopes (wildcards count)', async () => {
    const { clientFor } = await setup({ toolScopes: { deploy: ['deploy:write'], write_note: ['notes:write'] } });
    expect(await toolNames((await clientFor({ scopes: ['notes:read'] })).client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await toolNames((await clientFor({ scopes: ['notes:*'] })).client)).toEqual(['list_projects', 'read_note', 'whoami', 'write_note']);
    expect(await toolNames((await clientFor({ scopes: ['*'] })).client)).toEqual(ALL);
  });

  it('works on a stateless server shared by keys, deciding per request', async () => {
    const { clientFor } = await setup({}, false);
    expect(await toolNames((await clientFor({ mcp: { readOnly: true } })).client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await toolNames((await clientFor({})).client)).toEqual(ALL);
  });
});

describe('guardMcpServer: tools/call of a hidden tool', () => {
  it('answers exactly like an unknown tool, so existence is not revealed', async () => {
    const { clientFor } = await setup({ toolScopes: { deploy: ['deploy:write'] } });
    const { client } = await clientFor({ mcp: { readOnly: true } });
    const hidden = await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'x' } });
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {} });
    expect(hidden).toEqual(toolNotFound('write_note'));
    expect(unknown).toEqual(toolNotFound('no_such_tool'));
    expect(JSON.stringify(hidden).replace('write_note', 'X')).toBe(JSON.stringify(unknown).replace('no_such_tool', 'X'));
    // Missing scope: same neutral answer; with the scope the tool runs.
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).toEqual(toolNotFound('deploy'));
    const full = await clientFor({ scopes: ['deploy:write'] });
    expect(await full.client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).toEqual({
      content: [{ type: 'text', text: `deployed p1 as ${full.key.id}` }],
    });
  });

  it('allowed tools run and see the freshly verified AuthInfo', async () => {
    const { clientFor } = await setup();
    const { client, key } = await clientFor({ scopes: ['notes:read'] });
    expect(await client.callTool({ name: 'read_note', arguments: { id: '7' } })).toEqual({ content: [{ type: 'text', text: 'note 7' }] });
    const info = JSON.parse(((await client.callTool({ name: 'whoami', arguments: {} })).content as { text: string }[])[0]!.text);
    expect(info.extra.keyId).toBe(key.id);
  });
});

describe('guardMcpServer: resource limits on tool arguments', () => {
  it('toolResources: an argument must be allowed by canAccess(key, kind, value)', async () => {
    const { clientFor } = await setup({ toolResources: { projectId: 'project' } });
    const { client } = await clientFor({ resources: { project: ['p1'] } });
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).toMatchObject({
      content: [{ text: expect.stringMatching(/^deployed p1/) }],
    });
    const refused = await client.callTool({ name: 'deploy', arguments: { projectId: 'p2' } });
    expect(refused).toEqual({ content: [{ type: 'text', text: 'The API key may not access this project (argument "projectId")' }], isError: true });
    // A key without a project list may reach every project (no requireMapping).
    const open = await clientFor({});
    expect((await open.client.callTool({ name: 'deploy', arguments: { projectId: 'p2' } })).isError).toBeFalsy();
  });

  it('per-tool mappings and non-id values fail closed', async () => {
    const { clientFor } = await setup({ toolResources: { read_note: { id: 'note' } } });
    const { client } = await clientFor({ resources: { note: ['n1'] } });
    expect((await client.callTool({ name: 'read_note', arguments: { id: 'n1' } })).isError).toBeFalsy();
    expect((await client.callTool({ name: 'read_note', arguments: { id: 'n2' } })).isError).toBe(true);
    // The mapping is for read_note only: write_note's `id` is not a note id here.
    expect((await client.callTool({ name: 'write_note', arguments: { id: 'n2', body: 'b' } })).isError).toBeFalsy();
  });
});

describe('guardMcpServer: installation', () => {
  it('throws a clear CONFIG error when tools are already registered', () => {
    const t = testKeyring();
    const server = new McpServer({ name: 's', version: '1' });
    server.registerTool('a', { description: 'a' }, () => ({ content: [] }));
    let error: unknown;
    try {
      guardMcpServer(server, t.keyring);
    } catch (e) {
      error = e;
    }
    expect(isKeysmithError(error) && error.code).toBe('CONFIG');
    expect(String((error as Error).message)).toMatch(/before the first registerTool/);
  });

  it('throws for capabilities.tools in the constructor, and for a second guard', () => {
    const t = testKeyring();
    expect(() => guardMcpServer(new McpServer({ name: 's', version: '1' }, { capabilities: { tools: {} } }), t.keyring)).toThrow(/capabilities\.tools/);
    const server = new McpServer({ name: 's', version: '1' });
    guardMcpServer(server, t.keyring);
    expect(() => guardMcpServer(server, t.keyring)).toThrow(/already guarded/);
  });

  it('rejects malformed rules at once', () => {
    const t = testKeyring();
    expect(() => guardMcpServer(new McpServer({ name: 's', version: '1' }), t.keyring, { toolScopes: { deploy: 'deploy:write' as never } })).toThrow();
  });

  it('guards other handlers too: resources need a usable key with MCP enabled', async () => {
    const t = testKeyring();
    const server = await startHttpMcp({
      keyring: t.keyring,
      register: (s) => {
        s.registerTool('ping_tool', { description: 'p' }, () => ({ content: [] }));
        s.registerResource('readme', 'memo://readme', { mimeType: 'text/plain' }, async (uri) => ({ contents: [{ uri: uri.href, text: 'hello' }] }));
      },
    });
    cleanup.push(server.close);
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const client = await connectClient(server.url, token);
    cleanup.push(() => client.close());
    expect((await client.readResource({ uri: 'memo://readme' })).contents[0]).toMatchObject({ text: 'hello' });
    await t.keyring.update(TENANT, key.id, { mcp: { enabled: false } });
    // The HTTP verifier already refuses (403); the guard would too on any other transport.
    await expect(client.readResource({ uri: 'memo://readme' })).rejects.toMatchObject({ code: 403 });
  });
});
