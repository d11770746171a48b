import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import {
  assertRealm,
  extractCredentials,
  invalidRequestAnswer,
  KeysmithError,
  missingCredentialsAnswer,
  nodeHeaderReader,
  normalizeHeaderName,
  type HeaderReader,
  type HttpAnswer,
  type InvalidationChannel,
  type Keyring,
} from 'keysmith';
import { keysmithAuth } from './auth-info.js';
import { authenticate, checkAuthenticateOptions, type AuthenticateOptions, type KeyVerifier } from './authenticate.js';
import { beginRequest, closeIdle, closeStreams, endpointSessions, finishRequest, noteRequests, untilSent, type EndpointSession, type SessionTransport } from './endpoint-sessions.js';
import { fetchBody, nodeBody, NO_SESSION, sendAnswer, SESSION_KEY_MISMATCH, toResponse, TOO_MANY_SESSIONS, UNKNOWN_SESSION, type ParsedBody } from './endpoint-http.js';
import type { McpKeyEvents } from './events.js';
import { guardBuiltServer, type GuardMcpServerOptions } from './guard.js';
import { mcpFailureAnswer } from './http-answer.js';

/** The keyring as the endpoint uses it: `verify`, and `invalidate` when changes arrive from other instances. */
export type EndpointKeyring = KeyVerifier & Partial<Pick<Keyring, 'invalidate'>>;

export interface McpEndpointOptions extends Omit<GuardMcpServerOptions, 'boundKey' | 'credentials' | 'events' | 'cost'>, Pick<AuthenticateOptions, 'expiryHorizonSeconds' | 'now'> {
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
  /** Web-standard handler (Hono, Workers, Deno, Bun): `app.all('/mcp', (c) => endpoint.fetch(c.req.raw))`. */
  fetch(request: Request, context?: { ip?: string }): Promise<Response>;
  /** Open sessions. */
  readonly size: number;
  /** Resolves once the invalidation channel (if any) is listening. */
  ready(): Promise<void>;
  /** Closes every session and stops listening for key changes. */
  close(): Promise<void>;
}

/** Verify codes after which a key can never be used again: its sessions end. Others (paused, …) only lose their streams. */
const FINAL = new Set(['REVOKED', 'EXPIRED', 'NOT_FOUND', 'INVALID', 'MALFORMED']);

/**
 * Serves a whole MCP endpoint over Streamable HTTP, guarded by keysmith keys: every request is
 * verified (401/400/403/429/503 answered as keysmith's HTTP adapters do), each session is bound to
 * the key that opened it (another key gets 403), `createServer` builds a guarded server per
 * session (tools the key may not use are hidden and refused, per-tool costs charged), and changes
 * to a key reach its open sessions: `notifications/tools/list_changed`, and the streams of a
 * revoked or paused key are closed.
 *
 * @example
 * const endpoint = mcpEndpoint(keyring, {
 *   createServer: () => {
 *     const server = new McpServer({ name: 'notes', version: '1.0.0' });
 *     server.registerTool('read_note', { annotations: { readOnlyHint: true } }, readNote);
 *     return server;
 *   },
 *   toolScopes: { read_note: ['notes:read'] },
 * });
 * app.all('/mcp', endpoint.node);                      // Express / node:http
 * app.all('/mcp', (c) => endpoint.fetch(c.req.raw));   // Hono / fetch runtimes
 * @throws KeysmithError `CONFIG` for invalid options
 */
export function mcpEndpoint(keyring: EndpointKeyring, options: McpEndpointOptions): McpEndpoint {
  const { createServer, cost, header: headerOption, realm: realmOption, ip: ipOption, events, invalidation, recheckIntervalMs, maxSessionsPerKey, idleTimeoutMs, ...guardOptions } = options;
  if (typeof createServer !== 'function') throw new KeysmithError('CONFIG', 'mcpEndpoint needs createServer: (auth) => McpServer');
  const realm = assertRealm(realmOption ?? 'mcp');
  const header = headerOption === undefined ? null : normalizeHeaderName(headerOption);
  const authOptions = checkAuthenticateOptions({
    ...(guardOptions.scopes ? { scopes: guardOptions.scopes } : {}),
    ...(guardOptions.anyScopes ? { anyScopes: guardOptions.anyScopes } : {}),
    ...(guardOptions.query !== undefined ? { query: guardOptions.query } : {}),
    ...(guardOptions.expiryHorizonSeconds !== undefined ? { expiryHorizonSeconds: guardOptions.expiryHorizonSeconds } : {}),
    ...(guardOptions.now ? { now: guardOptions.now } : {}),
    cost: cost ?? 1,
  });
  const maxSessions = maxSessionsPerKey ?? 32;
  const recheckEvery = recheckIntervalMs ?? 30_000;
  const idleAfter = idleTimeoutMs ?? 1_800_000;
  if (!Number.isSafeInteger(idleAfter) || idleAfter < 0) throw new KeysmithError('CONFIG', 'idleTimeoutMs must be a whole number of milliseconds, 0 or more');
  if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) throw new KeysmithError('CONFIG', 'maxSessionsPerKey must be a whole number, 1 or more');
  if (!Number.isSafeInteger(recheckEvery) || recheckEvery < 0) throw new KeysmithError('CONFIG', 'recheckIntervalMs must be a whole number of milliseconds, 0 or more');
  const ipOf = ipOption === false ? () => undefined : (ipOption ?? ((req: IncomingMessage) => (req as { ip?: string }).ip ?? req.socket?.remoteAddress));

  const sessions = endpointSessions();
  /** The initialize request counts as open until its answer is sent (the session starts with open = 1). */
  const endInitialize = (id: string | undefined) => {
    const session = id === undefined ? undefined : sessions.get(id);
    if (session) finishRequest(session);
  };

  /** The request's key, verified: its AuthInfo, or the answer to send. */
  const authorize = async (read: HeaderReader, ip: string | undefined): Promise<{ authInfo: AuthInfo } | { answer: HttpAnswer }> => {
    const credentials = extractCredentials(read, header);
    if (credentials.kind === 'missing') return { answer: missingCredentialsAnswer(realm) };
    if (credentials.kind === 'invalid_request') return { answer: invalidRequestAnswer(realm, credentials.message) };
    const outcome = await authenticate(keyring, credentials.token, { ...authOptions, ...(ip !== undefined ? { ip } : {}) });
    return outcome.ok ? { authInfo: outcome.authInfo } : { answer: mcpFailureAnswer(outcome.failure, realm) };
  };

  /** Where a request goes once its key is known: an existing session, a new one, or a refusal. */
  const route = (sessionId: string | null, kind: EndpointSession['kind'], keyId: string): { session: EndpointSession } | { answer: HttpAnswer } | { open: true } => {
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (!session || session.kind !== kind) return { answer: UNKNOWN_SESSION };
      return session.keyId === keyId ? { session } : { answer: SESSION_KEY_MISMATCH };
    }
    return sessions.countOfKey(keyId) >= maxSessions ? { answer: TOO_MANY_SESSIONS } : { open: true };
  };

  /** Builds, guards and connects the server of a new session. */
  const openSession = async <T extends SessionTransport & Transport>(
    authInfo: AuthInfo,
    kind: EndpointSession['kind'],
    makeTransport: (onInitialized: (id: string) => void) => T,
  ): Promise<T> => {
    const keyId = keysmithAuth(authInfo)!.keyId;
    const server = await createServer(authInfo);
    const guard = guardBuiltServer(server, keyring, { ...guardOptions, boundKey: authInfo });
    const transport: T = makeTransport((id) => sessions.add({ id, keyId, auth: authInfo, kind, transport, server, guard, recentRequests: [], activity: { open: 1, lastSeen: Date.now() } }));
    const previous = transport.onclose;
    transport.onclose = () => {
      if (transport.sessionId) sessions.remove(transport.sessionId);
      guard.close();
      previous?.();
    };
    await server.connect(transport);
    return transport;
  };

  /** Re-checks a key whose record changed (or may have) and applies the result to its sessions. */
  const refresh = async (keyId: string, notify: boolean): Promise<void> => {
    const open = sessions.ofKey(keyId);
    if (open.length === 0) return;
    const { token } = open[0]!.auth;
    const ip = keysmithAuth(open[0]!.auth)?.ip;
    const outcome = await authenticate(keyring, token, { ...authOptions, limits: false, ...(ip !== undefined ? { ip } : {}) });
    for (const session of open) {
      // A key that may still use its sessions hears of the change; one that may not loses its streams.
      if (outcome.ok) {
        if (notify) session.guard.notifyToolsChanged();
      } else if (FINAL.has(outcome.failure.code)) await session.transport.close().catch(() => {});
      else closeStreams(session);
    }
  };
  const onChange = (keyId: string) => {
    if (sessions.countOfKey(keyId) === 0) return;
    keyring.invalidate?.(keyId); // the change may come from another instance: read the store again
    refresh(keyId, true).catch(() => {});
  };

  const unsubscribeEvents = invalidation ? () => {} : (events?.subscribe(onChange) ?? (() => {}));
  const channel = invalidation?.subscribe({ onMessage: onChange, onStatus: () => {} });
  channel?.catch(() => {}); // a channel that fails to start leaves the periodic re-check
  const timer = recheckEvery > 0 ? setInterval(() => void Promise.all(sessions.keys().map((k) => refresh(k, false).catch(() => {}))), recheckEvery) : null;
  timer?.unref?.();
  const sweeper = idleAfter > 0 ? setInterval(() => void closeIdle(sessions, Date.now() - idleAfter), Math.max(1_000, Math.min(idleAfter / 4, 60_000))) : null;
  sweeper?.unref?.();

  return {
    async node(req, res) {
      const auth = await authorize(nodeHeaderReader(req), ipOf(req));
      if ('answer' in auth) return sendAnswer(res, auth.answer);
      const sessionId = req.headers['mcp-session-id'];
      const target = route(typeof sessionId === 'string' ? sessionId : null, 'node', auth.authInfo.clientId);
      if ('answer' in target) return sendAnswer(res, target.answer);
      let body: ParsedBody | undefined;
      if (req.method === 'POST') {
        body = await nodeBody(req as IncomingMessage & { body?: unknown });
        if (!body.ok) return sendAnswer(res, body.answer);
      }
      (req as IncomingMessage & { auth?: AuthInfo }).auth = auth.authInfo;
      if ('session' in target) {
        if (body?.ok) noteRequests(target.session, body.value);
        const done = beginRequest(target.session);
        res.once('close', done);
        return (target.session.transport as StreamableHTTPServerTransport).handleRequest(req, res, body?.ok ? body.value : undefined);
      }
      if (!body?.ok || !isInitializeRequest(body.value)) return sendAnswer(res, NO_SESSION);
      const transport = await openSession(auth.authInfo, 'node', (onsessioninitialized) => new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized }));
      res.once('close', () => endInitialize(transport.sessionId));
      await transport.handleRequest(req, res, body.value);
    },

    async fetch(request, context = {}) {
      const auth = await authorize((name) => request.headers.get(name), context.ip);
      if ('answer' in auth) return toResponse(auth.answer);
      const target = route(request.headers.get('mcp-session-id'), 'fetch', auth.authInfo.clientId);
      if ('answer' in target) return toResponse(target.answer);
      let body: ParsedBody | undefined;
      if (request.method === 'POST') {
        body = await fetchBody(request);
        if (!body.ok) return toResponse(body.answer);
      }
      const handleOptions = { authInfo: auth.authInfo, ...(body?.ok ? { parsedBody: body.value } : {}) };
      if ('session' in target) {
        if (body?.ok) noteRequests(target.session, body.value);
        const done = beginRequest(target.session);
        return untilSent((target.session.transport as WebStandardStreamableHTTPServerTransport).handleRequest(request, handleOptions), done);
      }
      if (!body?.ok || !isInitializeRequest(body.value)) return toResponse(NO_SESSION);
      const transport = await openSession(auth.authInfo, 'fetch', (onsessioninitialized) => new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized }));
      return untilSent(transport.handleRequest(request, handleOptions), () => endInitialize(transport.sessionId));
    },

    get size() {
      return sessions.size;
    },
    async ready() {
      await channel;
    },
    async close() {
      if (timer) clearInterval(timer);
      if (sweeper) clearInterval(sweeper);
      unsubscribeEvents();
      await Promise.all(sessions.all().map((s) => s.transport.close().catch(() => {})));
      const stop = await channel?.catch(() => null);
      await stop?.();
    },
  };
}
