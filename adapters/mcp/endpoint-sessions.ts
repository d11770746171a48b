import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestId } from '@modelcontextprotocol/sdk/types.js';
import type { McpGuard } from './guard.js';

/** What the endpoint needs of the SDK's Node and Web-standard Streamable HTTP server transports. */
export interface SessionTransport {
  readonly sessionId?: string | undefined;
  close(): Promise<void>;
  closeStandaloneSSEStream(): void;
  closeSSEStream(requestId: RequestId): void;
}

/** One open MCP session: its key, its guarded server and its transport. */
export interface EndpointSession {
  readonly id: string;
  readonly keyId: string;
  /** The `AuthInfo` of the request that opened it (its token re-checks the key on changes). */
  readonly auth: AuthInfo;
  /** Which handler opened it: a session is only served by the same one. */
  readonly kind: 'node' | 'fetch';
  readonly transport: SessionTransport;
  readonly server: McpServer;
  readonly guard: McpGuard;
  /** Ids of the latest requests, so their streams can be closed (closing a finished one does nothing). */
  readonly recentRequests: RequestId[];
  /** Requests (event streams included) not yet fully answered, and when the last one ended. */
  readonly activity: { open: number; lastSeen: number };
}

/** Ids kept per session for closing streams: a client rarely has more requests in flight. */
const RECENT_REQUESTS = 64;

/**
 * The open sessions of one endpoint, found by id or by key. A session's id is bound to the key that
 * opened it: only requests carrying that key reach it.
 */
export function endpointSessions() {
  const byId = new Map<string, EndpointSession>();
  const byKey = new Map<string, Set<EndpointSession>>();
  return {
    add(session: EndpointSession): void {
      byId.set(session.id, session);
      let ofKey = byKey.get(session.keyId);
      if (!ofKey) {
        ofKey = new Set();
        byKey.set(session.keyId, ofKey);
      }
      ofKey.add(session);
    },
    get(id: string): EndpointSession | undefined {
      return byId.get(id);
    },
    remove(id: string): void {
      const session = byId.get(id);
      if (!session) return;
      byId.delete(id);
      const ofKey = byKey.get(session.keyId);
      ofKey?.delete(session);
      if (ofKey?.size === 0) byKey.delete(session.keyId);
    },
    /** The sessions a key opened (a copy: closing them changes the registry). */
    ofKey(keyId: string): EndpointSession[] {
      return [...(byKey.get(keyId) ?? [])];
    },
    countOfKey(keyId: string): number {
      return byKey.get(keyId)?.size ?? 0;
    },
    keys(): string[] {
      return [...byKey.keys()];
    },
    all(): EndpointSession[] {
      return [...byId.values()];
    },
    get size(): number {
      return byId.size;
    },
  };
}

export type EndpointSessions = ReturnType<typeof endpointSessions>;

/** Remembers the JSON-RPC request ids of a message (or batch) sent to a session. */
export function noteRequests(session: EndpointSession, body: unknown): void {
  for (const message of Array.isArray(body) ? body : [body]) {
    if (typeof message !== 'object' || message === null || !('method' in message) || !('id' in message)) continue;
    const id = (message as { id: unknown }).id;
    if (typeof id !== 'string' && typeof id !== 'number') continue;
    session.recentRequests.push(id);
    if (session.recentRequests.length > RECENT_REQUESTS) session.recentRequests.shift();
  }
}

/** Ends every stream of a session (the standalone GET stream and those of requests in flight); the session stays. */
export function closeStreams(session: EndpointSession): void {
  try {
    session.transport.closeStandaloneSSEStream();
  } catch {
    // Not open: nothing to close.
  }
  for (const id of session.recentRequests.splice(0)) {
    try {
      session.transport.closeSSEStream(id);
    } catch {
      // Already answered.
    }
  }
}

/** Counts a request to a session as open; the returned function ends it (once). */
export function beginRequest(session: EndpointSession): () => void {
  session.activity.open++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    finishRequest(session);
  };
}

export function finishRequest(session: EndpointSession): void {
  session.activity.open = Math.max(0, session.activity.open - 1);
  session.activity.lastSeen = Date.now();
}

/**
 * The same response, calling `done` once its body is fully sent or abandoned by the client (an
 * event stream may stay open for hours: the session is not idle meanwhile).
 */
export async function untilSent(pending: Promise<Response>, done: () => void): Promise<Response> {
  let response: Response;
  try {
    response = await pending;
  } catch (error) {
    done();
    throw error;
  }
  if (!response.body) {
    done();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: ended, value } = await reader.read();
        if (ended) {
          done();
          controller.close();
        } else controller.enqueue(value);
      } catch (error) {
        done();
        controller.error(error);
      }
    },
    cancel(reason) {
      done();
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Closes sessions with nothing open whose last request ended before `before` (epoch ms). */
export async function closeIdle(sessions: EndpointSessions, before: number): Promise<void> {
  const idle = sessions.all().filter((s) => s.activity.open === 0 && s.activity.lastSeen < before);
  await Promise.all(idle.map((s) => s.transport.close().catch(() => {})));
}
