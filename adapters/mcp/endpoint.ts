import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { KeysmithError } from 'keysmith';
import { assertRealm, nodeHeaderReader, normalizeHeaderName, type HeaderReader, type HttpAnswer } from 'keysmith/http';
import { keysmithAuth } from './auth-info.js';
import { authenticate, checkAuthenticateOptions } from './authenticate.js';
import {
  beginRequest,
  closeIdle,
  closeStreams,
  endpointSessions,
  finishRequest,
  noteRequests,
  untilSent,
  type EndpointSession,
  type SessionTransport,
} from './endpoint-sessions.js';
import {
  fetchBody,
  nodeBody,
  NO_SESSION,
  sendAnswer,
  SESSION_KEY_MISMATCH,
  toResponse,
  TOO_MANY_SESSIONS,
  UNKNOWN_SESSION,
  type ParsedBody,
} from './endpoint-http.js';
import type { EndpointKeyring, McpEndpoint, McpEndpointOptions } from './endpoint-options.js';
import { guardBuiltServer } from './guard.js';
import { bearerTokenOf, mcpFailureAnswer } from './http-answer.js';

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
  const {
    createServer,
    cost,
    header: headerOption,
    realm: realmOption,
    ip: ipOption,
    events,
    invalidation,
    recheckIntervalMs,
    maxSessionsPerKey,
    idleTimeoutMs,
    ...guardOptions
  } = options;
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
  if (!Number.isSafeInteger(recheckEvery) || recheckEvery < 0)
    throw new KeysmithError('CONFIG', 'recheckIntervalMs must be a whole number of milliseconds, 0 or more');
  const ipOf = ipOption === false ? () => undefined : (ipOption ?? ((req: IncomingMessage) => (req as { ip?: string }).ip ?? req.socket?.remoteAddress));

  const sessions = endpointSessions();
  /** Sessions being opened per key (created, not yet registered), so concurrent initializes respect the cap. */
  const opening = new Map<string, number>();
  /** Runs `open` (a session being opened for `keyId`: created, not yet registered) counted in `opening`. */
  const whileOpening = async <T>(keyId: string, open: () => Promise<T>): Promise<T> => {
    opening.set(keyId, (opening.get(keyId) ?? 0) + 1);
    try {
      return await open();
    } finally {
      const n = (opening.get(keyId) ?? 0) - 1;
      if (n > 0) opening.set(keyId, n);
      else opening.delete(keyId);
    }
  };
  /** The initialize request counts as open until its answer is sent (the session starts with open = 1). */
  const endInitialize = (id: string | undefined) => {
    const session = id === undefined ? undefined : sessions.get(id);
    if (session) finishRequest(session);
  };

  /** The request's key, verified: its AuthInfo, or the answer to send. */
  const authorize = async (read: HeaderReader, ip: string | undefined): Promise<{ authInfo: AuthInfo } | { answer: HttpAnswer }> => {
    const credentials = bearerTokenOf(read, realm, header);
    if ('answer' in credentials) return credentials;
    const outcome = await authenticate(keyring, credentials.token, { ...authOptions, ...(ip !== undefined ? { ip } : {}) });
    return outcome.ok ? { authInfo: outcome.authInfo } : { answer: mcpFailureAnswer(outcome.failure, realm) };
  };

  /** Where a request goes once its key is known: an existing session, a new one, or a refusal. */
  const route = (
    sessionId: string | null,
    kind: EndpointSession['kind'],
    keyId: string,
  ): { session: EndpointSession } | { answer: HttpAnswer } | { open: true } => {
    if (sessionId !== null) {
      const session = sessions.get(sessionId);
      if (!session || session.kind !== kind) return { answer: UNKNOWN_SESSION };
      return session.keyId === keyId ? { session } : { answer: SESSION_KEY_MISMATCH };
    }
    return sessions.countOfKey(keyId) + (opening.get(keyId) ?? 0) >= maxSessions ? { answer: TOO_MANY_SESSIONS } : { open: true };
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
    const transport: T = makeTransport((id) =>
      sessions.add({ id, keyId, auth: authInfo, kind, transport, server, guard, recentRequests: [], activity: { open: 1, lastSeen: Date.now() } }),
    );
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
  /** Every key with open sessions, checked again (`fresh`: read from the store, not the cache). */
  const recheckAll = (fresh: boolean) => {
    for (const keyId of sessions.keys()) {
      if (fresh) keyring.invalidate?.(keyId);
      refresh(keyId, false).catch(() => {});
    }
  };

  const unsubscribeEvents = invalidation ? () => {} : (events?.subscribe(onChange) ?? (() => {}));
  // Back after an outage, messages sent meanwhile are lost: check every key with sessions.
  const channel = invalidation?.subscribe({ onMessage: onChange, onStatus: (status) => status === 'up' && recheckAll(true) });
  channel?.catch(() => {}); // a channel that fails to start leaves the periodic re-check
  const timer = recheckEvery > 0 ? setInterval(() => recheckAll(false), recheckEvery) : null;
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
      await whileOpening(auth.authInfo.clientId, async () => {
        const transport = await openSession(
          auth.authInfo,
          'node',
          (onsessioninitialized) => new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized }),
        );
        res.once('close', () => endInitialize(transport.sessionId));
        await transport.handleRequest(req, res, body.value);
      });
    },

    async fetch(request, context = {}) {
      const auth = await authorize((name) => request.headers.get(name), context.ip);
      if ('answer' in auth) return toResponse(auth.answer);
      const target = route(request.headers.get('mcp-session-id'), 'fetch', auth.authInfo.clientId);
      if ('answer' in target) return toResponse(target.answer);
      let body: ParsedBody | undefined;
      if (request.method === 'POST') {
        body = context.parsedBody !== undefined ? { ok: true, value: context.parsedBody } : await fetchBody(request);
        if (!body.ok) return toResponse(body.answer);
      }
      const handleOptions = { authInfo: auth.authInfo, ...(body?.ok ? { parsedBody: body.value } : {}) };
      if ('session' in target) {
        if (body?.ok) noteRequests(target.session, body.value);
        const done = beginRequest(target.session);
        return untilSent((target.session.transport as WebStandardStreamableHTTPServerTransport).handleRequest(request, handleOptions), done);
      }
      if (!body?.ok || !isInitializeRequest(body.value)) return toResponse(NO_SESSION);
      return whileOpening(auth.authInfo.clientId, async () => {
        const transport = await openSession(
          auth.authInfo,
          'fetch',
          (onsessioninitialized) => new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized }),
        );
        const response = await transport.handleRequest(request, handleOptions);
        return await untilSent(Promise.resolve(response), () => endInitialize(transport.sessionId));
      });
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
