import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { InvalidationChannel, Keyring } from 'keysmith';
import type { AuthenticateOptions, KeyVerifier } from './authenticate.js';
import type { McpKeyEvents } from './events.js';
import type { GuardMcpServerOptions } from './guard.js';

/** The keyring as the endpoint uses it: `verify`, and `invalidate` when changes arrive from other instances. */
export type EndpointKeyring = KeyVerifier & Partial<Pick<Keyring, 'invalidate'>>;

export interface McpEndpointOptions
  extends Omit<GuardMcpServerOptions, 'boundKey' | 'credentials' | 'events' | 'cost'>,
    Pick<AuthenticateOptions, 'expiryHorizonSeconds' | 'now'> {
  /**
   * Builds the `McpServer` of a new session, with its tools registered. Called once per session,
   * at its `initialize`, with the opening request's `AuthInfo` (`keysmithAuth(auth)` gives the key
   * id, tenant and permissions). Do not guard it yourself: the endpoint does.
   */
  createServer: (auth: AuthInfo) => McpServer | Promise<McpServer>;
  /**
   * Credits spent and rate-limit units counted per HTTP request (initialize, each message, the
   * event stream), as in keysmith's other HTTP adapters. A `tools/call` of a tool named in
   * `toolCosts` spends that much more.
   * @default 1
   */
  cost?: number;
  /** Also accept the key in this header (e.g. `x-api-key`), besides `Authorization: Bearer`. */
  header?: string;
  /** The `realm` of `WWW-Authenticate` challenges. @default "mcp" */
  realm?: string;
  /**
   * The caller's address for the key's `ipAllowlist`, on `endpoint.node`: `req.ip` (Express, with
   * its `trust proxy`) or else the socket's address by default, a function, or `false` for none
   * (then allowlisted keys fail closed). On `endpoint.fetch`, pass `{ ip }` with each request.
   */
  ip?: false | ((req: IncomingMessage) => string | undefined);
  /**
   * Same-process key changes (pass the keyring's `onEvent` to `events.listener`). Their sessions get
   * `notifications/tools/list_changed`, and streams of a revoked or paused key are closed.
   */
  events?: McpKeyEvents;
  /**
   * The fleet's invalidation channel (`redisInvalidation`, `postgresInvalidation`): key changes
   * made on any instance reach this instance's sessions of that key. It carries this instance's own
   * changes too, so with a channel `events` is not needed.
   */
  invalidation?: InvalidationChannel;
  /**
   * Every open session's key is verified again this often, so a revoked or paused key loses its
   * streams even when no change event arrives (a missed message, a key that expired). 0 turns it off.
   * @default 30_000
   */
  recheckIntervalMs?: number;
  /** Open sessions one key may hold; one more answers 429. @default 32 */
  maxSessionsPerKey?: number;
  /**
   * A session with no request for this long, and no stream open, is closed (a client that went
   * away without `DELETE`). Its next request gets 404, after which MCP clients initialize again.
   * 0 keeps sessions until they are deleted.
   * @default 1_800_000 (30 minutes)
   */
  idleTimeoutMs?: number;
}

/** A whole Streamable HTTP MCP endpoint guarded by keys. */
export interface McpEndpoint {
  /** Node.js / Express handler: `app.all('/mcp', endpoint.node)`. Reads `req.body` when a JSON parser ran. */
  node(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /**
   * Web-standard handler (Hono, Workers, Deno, Bun): `app.all('/mcp', (c) => endpoint.fetch(c.req.raw))`.
   * `ip` is checked against the key's `ipAllowlist`; pass `parsedBody` when your framework already read the body.
   */
  fetch(request: Request, context?: { ip?: string; parsedBody?: unknown }): Promise<Response>;
  /** Open sessions. */
  readonly size: number;
  /** Resolves once the invalidation channel (if any) is listening. */
  ready(): Promise<void>;
  /** Closes every session and stops listening for key changes. */
  close(): Promise<void>;
}
