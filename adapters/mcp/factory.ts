import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer, type RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServerOptions } from '@modelcontextprotocol/sdk/server/index.js';
import type { Implementation } from '@modelcontextprotocol/sdk/types.js';
import { KeysmithError } from 'keysmith';
import { keysmithAuth, type KeysmithAuthExtra } from './auth-info.js';
import type { KeyVerifier } from './authenticate.js';
import { guardMcpServer, type GuardMcpServerOptions } from './guard.js';
import { mayUseTool } from './policy.js';

export interface GuardedServerFactoryOptions extends Omit<GuardMcpServerOptions, 'boundKey'> {
  serverInfo: Implementation;
  serverOptions?: ServerOptions;
}

/**
 * Builds one `McpServer` per session, holding only the tools the session's key may use: tools the
 * key may not use are never there at all. The server is also guarded and bound to the key, so
 * narrowing, pausing or revoking the key still takes effect mid-session; widening it shows new
 * tools only in a new session.
 *
 * @example
 * const serverFor = mcpServerFactory(keyring, (server) => {
 *   server.registerTool('read_report', { annotations: { readOnlyHint: true } }, readReport);
 * }, { serverInfo: { name: 'demo', version: '1.0.0' } });
 * const server = await serverFor(req.auth!);   // at the session's initialize request
 */
export function mcpServerFactory(
  keyring: KeyVerifier,
  build: (server: McpServer, key: KeysmithAuthExtra) => void | Promise<void>,
  options: GuardedServerFactoryOptions,
): (auth: AuthInfo) => Promise<McpServer> {
  const { serverInfo, serverOptions, ...guardOptions } = options;
  return async (auth) => {
    const key = keysmithAuth(auth);
    if (!key) throw new KeysmithError('CONFIG', 'mcpServerFactory needs the AuthInfo of a keysmith verifier (mcpTokenVerifier, mcpAuth or verifyMcpRequest)');
    const server = new McpServer(serverInfo, serverOptions);
    guardMcpServer(server, keyring, { ...guardOptions, boundKey: auth });

    const registered: [string, RegisteredTool][] = [];
    const registerTool = server.registerTool.bind(server);
    server.registerTool = ((name: string, ...rest: unknown[]) => {
      const tool = (registerTool as (...args: unknown[]) => RegisteredTool)(name, ...rest);
      registered.push([name, tool]);
      return tool;
    }) as typeof server.registerTool;
    await build(server, key);
    server.registerTool = registerTool;

    for (const [name, tool] of registered) {
      if (!mayUseTool(key.permissions, { name, annotations: tool.annotations }, guardOptions)) tool.remove();
    }
    return server;
  };
}

/**
 * @deprecated Use `mcpServerFactory`: keysmith/mcp names what it builds from a keyring `mcp<Thing>`.
 * @alias
 */
export const createGuardedServerFactory = mcpServerFactory;
