import { expect } from 'vitest';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { parseToken, type Keyring } from 'keysmith';
import { formatToken } from '../../src/token/token.js';
import { z } from 'zod';
import { connectClient, startHttpMcp } from '../mcp/harness.js';
import type { Recorder } from '../support/recorder.js';

/** Tools for the leak run. Deliberately no tool that echoes AuthInfo (it holds the token). */
function registerTools(server: McpServer): void {
  const text = (value: string) => ({ content: [{ type: 'text' as const, text: value }] });
  server.registerTool('read_note', { description: 'Read a note', inputSchema: { id: z.string() }, annotations: { readOnlyHint: true } }, ({ id }) =>
    text(`note ${id}`),
  );
  server.registerTool('deploy', { description: 'Deploy', inputSchema: { projectId: z.string() }, annotations: { destructiveHint: true } }, ({ projectId }) =>
    text(`deployed ${projectId}`),
  );
}

/**
 * The MCP HTTP server (requireBearerAuth + mcpTokenVerifier, guardMcpServer per session) and the
 * real SDK client: a working session, a refused tool, refused keys, and a key revoked mid-session.
 * Returns the tokens it used (none may appear in any recording: MCP never mints).
 */
export async function runMcpScenario(keyring: Keyring, tenantId: string, ctl: { advance(ms: number): void }, rec: Recorder): Promise<string[]> {
  const server = await startHttpMcp({ keyring, guard: { toolScopes: { deploy: ['deploy:write'] } }, register: registerTools });
  const tokens: string[] = [];
  const mint = async (name: string, input: Record<string, unknown>) => {
    const { token, key } = await keyring.create({ tenantId, name, ...input });
    tokens.push(token);
    return { token, id: key.id };
  };
  /** Expects the SDK call to fail, and records what it threw. */
  const refused = async (what: string, run: () => Promise<unknown>) => {
    const error = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, what).toBeInstanceOf(Error);
    rec.error(error, `mcp client: ${what}`);
  };
  try {
    const agent = await mint('agent', { scopes: ['docs:read'] });
    const deployer = await mint('deployer', { scopes: ['deploy:write'] });
    const expiring = await mint('expiring', { expiresIn: '1m' });
    const revoked = await mint('revoked', {});
    await keyring.revoke(tenantId, revoked.id);

    const client = await connectClient(server.url, agent.token);
    expect((await client.listTools()).tools.map((t) => t.name)).toEqual(['read_note']);
    expect((await client.callTool({ name: 'read_note', arguments: { id: 'n1' } })).isError).toBeFalsy();
    const denied = await client.callTool({ name: 'deploy', arguments: { projectId: 'p1' } });
    expect(denied.isError).toBe(true);
    rec.error(denied, 'mcp tool refusal');

    const deploying = await connectClient(server.url, deployer.token);
    expect((await deploying.callTool({ name: 'deploy', arguments: { projectId: 'p1' } })).isError).toBeFalsy();
    await deploying.close();

    const parts = parseToken(agent.token)!;
    const unknown = formatToken({ prefix: parts.prefix, id: 'ZZZZZZZZZZZZZZZZ', secret: parts.secret });
    const wrong = formatToken({ prefix: parts.prefix, id: parts.id, secret: parseToken(deployer.token)!.secret });
    tokens.push(unknown, wrong);
    await refused('unknown key', () => connectClient(server.url, unknown));
    await refused('wrong secret', () => connectClient(server.url, wrong));
    await refused('revoked key', () => connectClient(server.url, revoked.token));
    ctl.advance(2 * 60_000);
    await refused('expired key', () => connectClient(server.url, expiring.token));

    // Revoked mid-session: the open session's next call is refused.
    await keyring.revoke(tenantId, agent.id);
    await refused('call after revoke', () => client.callTool({ name: 'read_note', arguments: { id: 'n2' } }));
    await client.close().catch((e: unknown) => rec.error(e, 'mcp client close'));
  } finally {
    await server.close();
  }
  return tokens;
}
