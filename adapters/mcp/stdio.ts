import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { authenticate, type AuthFailure, type KeyVerifier } from './authenticate.js';
import { guardMcpServer, type GuardMcpServerOptions, type McpGuard } from './guard.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';

export interface KeyFromEnvOptions {
  /** Name of the environment variable holding the key. @default 'KEYSMITH_API_KEY' */
  env?: string;
  /** The environment to read. @default process.env */
  environment?: Record<string, string | undefined>;
}

export type KeyFromEnv = { ok: true; token: string; authInfo: AuthInfo } | { ok: false; message: string; failure?: AuthFailure };

/** Reads and verifies the key in an environment variable. The message never contains the key. */
export async function verifyKeyFromEnv(keyring: KeyVerifier, options: KeyFromEnvOptions = {}): Promise<KeyFromEnv> {
  const name = options.env ?? 'KEYSMITH_API_KEY';
  const token = (options.environment ?? process.env)[name]?.trim();
  if (!token) return { ok: false, message: `${name} is not set: start the server with an API key in ${name}` };
  const outcome = await authenticate(keyring, token, { cost: 0 });
  if (!outcome.ok) return { ok: false, message: `the API key in ${name} was refused: ${outcome.failure.message}`, failure: outcome.failure };
  return { ok: true, token, authInfo: outcome.authInfo };
}

export interface GuardStdioServerOptions extends KeyFromEnvOptions, Omit<GuardMcpServerOptions, 'credentials' | 'boundKey'> {
  /** Called with 1 when the key is missing or refused. @default process.exit */
  exit?: (code: number) => void;
  /** Where the refusal is written (stdout carries the protocol). @default process.stderr */
  stderr?: (text: string) => void;
}

/**
 * Protects a stdio MCP server with the key in an environment variable: the guard is installed at
 * once (so call it before the first `registerTool`), the key is verified at start — a missing or
 * refused key prints one line on stderr and exits with 1 — and verified again on every request.
 *
 * @example
 * const server = new McpServer({ name: 'tools', version: '1.0.0' });
 * const ready = guardStdioServer(server, keyring, { toolScopes: { deploy: ['deploy:write'] } });
 * server.registerTool(…);
 * await ready;
 * await server.connect(new StdioServerTransport());
 * A store outage at start counts as a refused key (exit 1): the server never runs unchecked.
 */
export async function guardStdioServer(server: McpServer, keyring: KeyVerifier, options: GuardStdioServerOptions = {}): Promise<McpGuard> {
  const name = options.env ?? 'KEYSMITH_API_KEY';
  const environment = options.environment ?? process.env;
  // Installed before the first await, so tools registered right after this call are guarded.
  let token: string | undefined;
  // No HTTP layer charges requests here: each tools/call spends a credit and counts for rate limits.
  const guard = guardMcpServer(server, keyring, { cost: 1, ...options, credentials: () => (token === undefined ? undefined : { token }) });
  const checked = await verifyKeyFromEnv(keyring, { env: name, environment });
  if (!checked.ok) {
    (options.stderr ?? ((text) => process.stderr.write(text)))(`keysmith: ${checked.message}\n`);
    (options.exit ?? ((code) => process.exit(code)))(1);
    return guard; // only reached when `exit` returns (tests): every request is then refused
  }
  token = checked.token;
  guard.bind(checked.authInfo.clientId);
  return guard;
}
