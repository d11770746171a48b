import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { keysmithAuth } from './auth-info.js';

export type SessionLookup<T> = { status: 'found'; value: T } | { status: 'unknown' } | { status: 'other-key' };

/**
 * Open Streamable HTTP sessions, each bound to the key that opened it. The SDK ties a session id
 * to nothing, so without this anyone holding a valid key and a session id could use that session.
 *
 * @example
 * const sessions = mcpSessions<StreamableHTTPServerTransport>();
 * const found = sessions.lookup(sessionId, req.auth);
 * if (found.status === 'other-key') return sendAnswer(res, SESSION_OF_ANOTHER_KEY);
 */
export interface McpSessions<T> {
  /** Records a session opened by the key of `auth` (an `AuthInfo` or a key id). */
  add(sessionId: string, auth: AuthInfo | string, value: T): void;
  /** The session when it exists AND the request carries the key that opened it. */
  lookup(sessionId: string, auth: AuthInfo | string | undefined): SessionLookup<T>;
  remove(sessionId: string): void;
  /** The key id a session is bound to. */
  keyOf(sessionId: string): string | undefined;
  values(): IterableIterator<T>;
  readonly size: number;
}

const keyIdOf = (auth: AuthInfo | string | undefined): string | undefined =>
  auth === undefined ? undefined : typeof auth === 'string' ? auth : (keysmithAuth(auth)?.keyId ?? auth.clientId);

export function mcpSessions<T>(): McpSessions<T> {
  const sessions = new Map<string, { keyId: string; value: T }>();
  return {
    add(sessionId, auth, value) {
      const keyId = keyIdOf(auth);
      if (keyId === undefined) throw new TypeError('A session needs the key that opened it');
      sessions.set(sessionId, { keyId, value });
    },
    lookup(sessionId, auth) {
      const session = sessions.get(sessionId);
      if (!session) return { status: 'unknown' };
      return session.keyId === keyIdOf(auth) ? { status: 'found', value: session.value } : { status: 'other-key' };
    },
    remove(sessionId) {
      sessions.delete(sessionId);
    },
    keyOf(sessionId) {
      return sessions.get(sessionId)?.keyId;
    },
    *values() {
      for (const s of sessions.values()) yield s.value;
    },
    get size() {
      return sessions.size;
    },
  };
}

/**
 * The answer to a request that names a session opened by another key: 403 with a JSON-RPC error
 * body. Not 401 (the key itself is fine) and no `WWW-Authenticate`: a new token would not help.
 */
export const SESSION_OF_ANOTHER_KEY = Object.freeze({
  status: 403,
  body: Object.freeze({ jsonrpc: '2.0', error: Object.freeze({ code: -32600, message: 'Forbidden: this session was opened by another API key' }), id: null }),
});
