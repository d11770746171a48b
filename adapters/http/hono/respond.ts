import type { HttpAnswer } from 'keysmith/http';

/** A core answer as a Fetch Response, byte for byte what the other adapters send. */
export function toResponse(answer: HttpAnswer): Response {
  return new Response(answer.body, { status: answer.status, headers: answer.headers });
}

/**
 * The peer address under @hono/node-server, which passes `{ incoming }` as the env. Other runtimes
 * expose it differently: pass `ip` there (e.g. `getConnInfo` of your adapter).
 */
export function nodeAddress(env: unknown): string | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: unknown } } }).incoming;
  const address = incoming?.socket?.remoteAddress;
  return typeof address === 'string' ? address : undefined;
}
