import { KeysmithError } from 'keysmith';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type ServerNotification, type ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/*
 * The two SDK behaviours the guard stands on, kept in one place (test/mcp/sdk-contract.test.ts pins them):
 * 1. McpServer installs its tools/list and tools/call handlers lazily, on the first registerTool,
 *    through the public `server.server.setRequestHandler`;
 * 2. `server.server.assertCanSetRequestHandler(method)` throws once a handler for it exists;
 * 3. (only for servers built before they are guarded, as `mcpEndpoint`'s `createServer` returns them)
 *    the low-level server keeps its handlers in a `Map` from method to `(request, extra)` in its
 *    `_requestHandlers` field, and calls whatever that map holds when a request arrives.
 */

export type RequestExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;
export type RawHandler = (request: unknown, extra: RequestExtra) => unknown;

/** The low-level server seen without its generic signatures, to wrap handlers of any method. */
export interface HandlerHost {
  setRequestHandler(schema: unknown, handler: RawHandler): void;
  assertCanSetRequestHandler(method: string): void;
  sendToolListChanged(): Promise<void>;
  readonly transport: unknown;
  onclose?: (() => void) | undefined;
}

export function handlerHost(server: McpServer): HandlerHost {
  return server.server as unknown as HandlerHost;
}

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined);

/** The method a request schema is for (zod 3 or 4), as the SDK itself reads it. */
export function methodOf(schema: unknown): string | undefined {
  if (schema === ListToolsRequestSchema) return 'tools/list';
  if (schema === CallToolRequestSchema) return 'tools/call';
  const literal = field(field(field(field(schema, '_zod'), 'def'), 'shape'), 'method') ?? field(field(schema, 'shape'), 'method');
  const def = field(field(literal, '_zod'), 'def') ?? field(literal, '_def');
  const values = field(def, 'values');
  const value = field(def, 'value') ?? (Array.isArray(values) ? values[0] : undefined) ?? field(literal, 'value');
  return typeof value === 'string' ? value : undefined;
}

/** Protocol methods the guard leaves alone: they carry no data and must work before anything else. */
export const UNGUARDED_METHODS: ReadonlySet<string> = new Set(['initialize', 'ping']);

/** The handlers already installed, as the SDK keeps them (behaviour 3 above). */
export function installedHandlers(host: HandlerHost): Map<string, RawHandler> {
  const handlers = (host as unknown as { _requestHandlers?: unknown })._requestHandlers;
  if (!(handlers instanceof Map))
    throw new KeysmithError(
      'CONFIG',
      'This version of @modelcontextprotocol/sdk keeps its request handlers elsewhere: guard the server with guardMcpServer before registering tools',
    );
  return handlers as Map<string, RawHandler>;
}
