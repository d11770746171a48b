import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_MCP, type Permissions } from 'keysmith';
import { deniedArgument } from '../../adapters/mcp/policy.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { connectClient, startHttpMcp, TENANT, testKeyring } from './harness.js';

/** A resource argument that names no resource (`projectId: []`) never reaches the tool. */
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => undefined);
});

describe('resource arguments that name no resource', () => {
  it('an empty array is refused before the tool runs, for a limited key and an unlimited one (SDK client, Streamable HTTP)', async () => {
    const t = testKeyring();
    const calls: unknown[] = [];
    const register = (server: McpServer) => {
      server.registerTool(
        'deploy',
        { description: 'Deploy projects', inputSchema: { projectId: z.union([z.string(), z.array(z.string())]) } },
        ({ projectId }) => {
          calls.push(projectId);
          return { content: [{ type: 'text', text: `deployed ${JSON.stringify(projectId)}` }] };
        },
      );
    };
    const server = await startHttpMcp({ keyring: t.keyring, guard: { toolResources: { projectId: 'project' } }, register });
    cleanup.push(() => server.close());
    const limited = await t.keyring.create({ tenantId: TENANT, name: 'p1 only', resources: { project: ['p1'] } });
    const unlimited = await t.keyring.create({ tenantId: TENANT, name: 'all projects' });
    for (const { token } of [limited, unlimited]) {
      const client = await connectClient(server.url, token);
      cleanup.push(() => client.close());
      const refused = await client.callTool({ name: 'deploy', arguments: { projectId: [] } });
      expect(refused.isError).toBe(true);
      expect((refused.content as { text: string }[])[0]!.text).toBe('The API key may not access this project (argument "projectId")');
      expect((await client.callTool({ name: 'deploy', arguments: { projectId: ['p1'] } })).isError).toBeFalsy();
    }
    expect(calls).toEqual([['p1'], ['p1']]); // the empty array reached the tool neither time
  });

  it('property: an array argument is allowed only when it is non-empty and every id in it is allowed', () => {
    const perms = (resources: Record<string, string[]>): Permissions => ({ scopes: [], roles: [], resources, requireMapping: false, mcp: DEFAULT_MCP });
    const id = fc.constantFrom('p1', 'p2', 'p3', '');
    fc.assert(
      fc.property(fc.option(fc.uniqueArray(id, { maxLength: 3 }), { nil: undefined }), fc.array(id, { maxLength: 4 }), (allowed, value) => {
        const permissions = perms(allowed === undefined ? {} : { project: allowed });
        const everyAllowed = value.every((v) => allowed === undefined || allowed.length === 0 || allowed.includes(v));
        const denied = deniedArgument(permissions, 'deploy', { projectId: value }, { projectId: 'project' });
        expect(denied === null).toBe(value.length > 0 && everyAllowed);
      }),
    );
  });
});
