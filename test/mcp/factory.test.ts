import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createGuardedServerFactory, mcpServerFactory, keysmithAuth, mcpTokenVerifier } from 'keysmith/mcp';
import { registerDemoTools, TENANT, testKeyring, toolNames } from './harness.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function reconnect(server: McpServer, auth: AuthInfo): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = clientSide.send.bind(clientSide);
  clientSide.send = (message, opts) => send(message, { ...opts, authInfo: auth });
  const client = new Client({ name: 'c', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  cleanup.push(() => client.close());
  return client;
}

describe('mcpServerFactory', () => {
  it('keeps its earlier, documented name as a deprecated alias', () => {
    expect(createGuardedServerFactory).toBe(mcpServerFactory);
  });

  it('builds a server per key holding only the tools that key may use, still guarded mid-session', async () => {
    const t = testKeyring();
    const built: string[] = [];
    const serverFor = mcpServerFactory(
      t.keyring,
      (server, key) => {
        built.push(key.keyId);
        registerDemoTools(server);
      },
      { serverInfo: { name: 'factory', version: '1.0.0' }, toolScopes: { deploy: ['deploy:write'] } },
    );
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k', scopes: ['notes:read'] });
    const auth = await mcpTokenVerifier(t.keyring).verifyAccessToken(token);
    const server = await serverFor(auth);
    expect(built).toEqual([key.id]);

    const client = await reconnect(server, auth);

    // deploy was never kept: the key lacks deploy:write.
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami', 'write_note']);
    const unknown = await client.callTool({ name: 'deploy', arguments: { projectId: 'p' } });
    expect(unknown.isError).toBe(true);

    // Widening mid-session does not bring it back (it is not registered at all): a new session would.
    await t.keyring.update(TENANT, key.id, { scopes: ['notes:read', 'deploy:write'] });
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami', 'write_note']);
    expect(await toolNames(await reconnect(await serverFor(await mcpTokenVerifier(t.keyring).verifyAccessToken(token)), auth))).toContain('deploy');

    await t.keyring.update(TENANT, key.id, { mcp: { readOnly: true } });
    expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
    await t.keyring.revoke(TENANT, key.id);
    await expect(client.listTools()).rejects.toThrow('revoked');
  });

  it('refuses an AuthInfo that keysmith did not make', async () => {
    const t = testKeyring();
    const serverFor = mcpServerFactory(t.keyring, registerDemoTools, { serverInfo: { name: 'f', version: '1' } });
    const foreign: AuthInfo = { token: 'x', clientId: 'c', scopes: [], expiresAt: 1 };
    expect(keysmithAuth(foreign)).toBeNull();
    await expect(serverFor(foreign)).rejects.toThrow(/needs the AuthInfo of a keysmith verifier/);
  });
});
