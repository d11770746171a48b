// Pins the SDK behaviour keysmith/mcp relies on. If an SDK upgrade breaks one of these, the guard
// may silently stop guarding: fix adapters/mcp/sdk-handlers.ts and guard.ts before upgrading.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { handlerHost, installedHandlers, methodOf } from '../../adapters/mcp/sdk-handlers.js';
import { toolNotFound } from 'keysmith/mcp';

describe('MCP SDK behaviour keysmith/mcp depends on', () => {
  it('McpServer installs tools/list and tools/call through server.server.setRequestHandler on the first registerTool, not before', () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' });
    const installed: string[] = [];
    const original = server.server.setRequestHandler.bind(server.server);
    server.server.setRequestHandler = ((schema: unknown, handler: never) => {
      installed.push(methodOf(schema) ?? '?');
      return (original as (s: unknown, h: never) => void)(schema, handler);
    }) as typeof server.server.setRequestHandler;
    expect(installed).toEqual([]);
    server.registerTool('a', { description: 'a' }, () => ({ content: [] }));
    expect(installed).toEqual(['tools/list', 'tools/call']);
    server.registerTool('b', { description: 'b' }, () => ({ content: [] }));
    expect(installed).toEqual(['tools/list', 'tools/call']);
  });

  it('the low-level server keeps its handlers in the Map `_requestHandlers` and calls what it holds (mcpEndpoint guards built servers there)', async () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' });
    server.registerTool('a', { description: 'a' }, () => ({ content: [] }));
    const handlers = installedHandlers(handlerHost(server));
    expect(handlers).toBeInstanceOf(Map);
    expect([...handlers.keys()]).toEqual(expect.arrayContaining(['initialize', 'ping', 'tools/list', 'tools/call']));
    const original = handlers.get('tools/list')!;
    handlers.set('tools/list', async (request, extra) => ({ ...((await original(request, extra)) as object), tools: [] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    const client = new Client({ name: 'pin', version: '1.0.0' });
    await client.connect(clientSide);
    expect((await client.listTools()).tools).toEqual([]);
    await client.close();
  });

  it('assertCanSetRequestHandler passes before the first registerTool and throws after it', () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' });
    expect(() => server.server.assertCanSetRequestHandler('tools/list')).not.toThrow();
    expect(() => server.server.assertCanSetRequestHandler('tools/call')).not.toThrow();
    server.registerTool('a', { description: 'a' }, () => ({ content: [] }));
    expect(() => server.server.assertCanSetRequestHandler('tools/list')).toThrow(/already exists/);
    expect(() => server.server.assertCanSetRequestHandler('tools/call')).toThrow(/already exists/);
  });

  it('capabilities.tools in the constructor installs the handlers at once', () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' }, { capabilities: { tools: {} } });
    expect(() => server.server.assertCanSetRequestHandler('tools/list')).toThrow();
  });

  it('the method of a request schema can be read (zod 4 schemas of this SDK)', () => {
    expect(methodOf(ListToolsRequestSchema)).toBe('tools/list');
    expect(methodOf(CallToolRequestSchema)).toBe('tools/call');
    expect(methodOf(ListResourcesRequestSchema)).toBe('resources/list');
    expect(methodOf({})).toBeUndefined();
  });

  it('McpServer routes every tool change through its own sendToolListChanged (the guard drops its tool cache there)', () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' });
    let calls = 0;
    const original = server.sendToolListChanged.bind(server);
    server.sendToolListChanged = () => {
      calls++;
      original();
    };
    const tool = server.registerTool('a', { description: 'a' }, () => ({ content: [] }));
    tool.update({ annotations: { readOnlyHint: true } });
    tool.disable();
    tool.remove();
    expect(calls).toBe(4);
  });

  it('an unknown tool is answered with an isError result, which toolNotFound reproduces exactly', async () => {
    const server = new McpServer({ name: 'pin', version: '1.0.0' });
    server.registerTool('a', { description: 'a', inputSchema: { x: z.string() } }, () => ({ content: [] }));
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name: 'c', version: '1.0.0' });
    await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
    const answer = await client.callTool({ name: 'nope', arguments: {} });
    expect(answer).toEqual(toolNotFound('nope'));
    await client.close();
  });

  it('requireBearerAuth refuses an AuthInfo without a numeric expiresAt (so keysmith always sets one)', async () => {
    const middleware = requireBearerAuth({ verifier: { verifyAccessToken: async (token) => ({ token, clientId: 'c', scopes: [] }) } });
    const answer = { status: 0, headers: {} as Record<string, string> };
    const res = {
      set: (name: string, value: string) => {
        answer.headers[name] = value;
        return res;
      },
      status: (code: number) => {
        answer.status = code;
        return res;
      },
      json: () => res,
    };
    let passed = false;
    await middleware({ headers: { authorization: 'Bearer abc' } } as never, res as never, () => {
      passed = true;
    });
    expect(passed).toBe(false);
    expect(answer.status).toBe(401);
    expect(answer.headers['WWW-Authenticate']).toContain('Token has no expiration time');
  });
});
