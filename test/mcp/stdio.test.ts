import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { memoryStore } from 'keysmith/memory';
import { guardStdioServer, toolNotFound, verifyKeyFromEnv } from 'keysmith/mcp';
import { registerDemoTools, TENANT, testKeyring, toolNames } from './harness.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/stdio-server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function inProcess(t: ReturnType<typeof testKeyring>, environment: Record<string, string | undefined>) {
  const exits: number[] = [];
  const errors: string[] = [];
  const server = new McpServer({ name: 'stdio', version: '1.0.0' });
  const ready = guardStdioServer(server, t.keyring, {
    environment,
    exit: (code) => void exits.push(code),
    stderr: (text) => void errors.push(text),
    events: t.events,
  });
  registerDemoTools(server); // right after the call, before awaiting it: the guard is already in place
  const guard = await ready;
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const client = new Client({ name: 'c', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanup.push(() => client.close());
  return { client, exits, errors, guard };
}

describe('guardStdioServer (in process)', () => {
  it('verifies the key from the environment at start and re-checks it on every request', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'cli', preset: 'read-only', remaining: 5 });
    const { client, exits, errors, guard } = await inProcess(t, { KEYSMITH_API_KEY: token });
    expect(exits).toEqual([]);
    expect(errors).toEqual([]);
    expect(guard.boundKeyId).toBe(key.id);
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'write_note', arguments: { id: '1', body: 'b' } })).toEqual(toolNotFound('write_note'));
    const info = JSON.parse(((await client.callTool({ name: 'whoami', arguments: {} })).content as { text: string }[])[0]!.text);
    expect(info).toMatchObject({ clientId: key.id, extra: { keyId: key.id, tenantId: TENANT } });
    expect(info.token).toBe(token); // the handler sees the AuthInfo; it is never printed anywhere
    // No HTTP layer charges here: every allowed tools/call spends one credit; listing and the
    // refused write_note spend none.
    expect((await t.keyring.get(TENANT, key.id))!.remaining).toBe(4);
    await t.keyring.revoke(TENANT, key.id);
    await expect(client.callTool({ name: 'read_note', arguments: { id: '1' } })).rejects.toThrow('The API key has been revoked');
  });

  it.each([
    ['missing', undefined, 'keysmith: KEYSMITH_API_KEY is not set: start the server with an API key in KEYSMITH_API_KEY\n'],
    ['garbage', 'hello', 'keysmith: the API key in KEYSMITH_API_KEY was refused: The API key is malformed\n'],
    ['revoked', 'REVOKED', 'keysmith: the API key in KEYSMITH_API_KEY was refused: The API key has been revoked\n'],
    ['mcp-off', 'MCP_OFF', 'keysmith: the API key in KEYSMITH_API_KEY was refused: MCP access is disabled for this API key\n'],
  ])('exits with 1 and one stderr line for a %s key, and refuses every request if exit returns', async (_kind, value, message) => {
    const t = testKeyring();
    let env = value;
    if (value === 'REVOKED') {
      const created = await t.keyring.create({ tenantId: TENANT, name: 'r' });
      await t.keyring.revoke(TENANT, created.key.id);
      env = created.token;
    }
    if (value === 'MCP_OFF') env = (await t.keyring.create({ tenantId: TENANT, name: 'm', mcp: { enabled: false } })).token;
    const { client, exits, errors } = await inProcess(t, { KEYSMITH_API_KEY: env });
    expect(exits).toEqual([1]);
    expect(errors).toEqual([message]);
    if (env) expect(errors.join('')).not.toContain(env);
    await expect(client.listTools()).rejects.toThrow(/no API key/);
  });

  it('verifyKeyFromEnv reads another variable', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'x' });
    const result = await verifyKeyFromEnv(t.keyring, { env: 'MY_KEY', environment: { MY_KEY: ` ${token}\n` } });
    expect(result.ok && result.authInfo.clientId).toBe(key.id);
  });
});

describe('guardStdioServer in a real child process over stdio', () => {
  async function fixtureEnv(create: Parameters<ReturnType<typeof testKeyring>['keyring']['create']>[0]) {
    const store = memoryStore();
    const t = testKeyring({ store });
    const { key, token } = await t.keyring.create(create);
    return { token, env: { ...getDefaultEnvironment(), KEYSMITH_FIXTURE_RECORD: JSON.stringify(await store.findById(key.id)) } };
  }

  it('serves the tools a read-only key may use', async () => {
    const { token, env } = await fixtureEnv({ tenantId: TENANT, name: 'child', preset: 'read-only' });
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', FIXTURE],
      cwd: ROOT,
      env: { ...env, KEYSMITH_API_KEY: token },
      stderr: 'pipe',
    });
    const client = new Client({ name: 'c', version: '1.0.0' });
    await client.connect(transport);
    cleanup.push(() => client.close());
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    expect(await client.callTool({ name: 'read_note', arguments: { id: '3' } })).toEqual({ content: [{ type: 'text', text: 'note 3' }] });
    expect(await client.callTool({ name: 'deploy', arguments: { projectId: 'p' } })).toEqual(toolNotFound('deploy'));
  }, 30_000);

  it('exits with 1 and a clear stderr line when the key is bad', async () => {
    const { env } = await fixtureEnv({ tenantId: TENANT, name: 'child' });
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
      cwd: ROOT,
      env: { ...env, KEYSMITH_API_KEY: 'sk_AAAAAAAAAAAAAAAA_wrong' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('keysmith: the API key in KEYSMITH_API_KEY was refused: The API key is malformed');
    expect(stdout).toBe('');
  }, 30_000);
});
