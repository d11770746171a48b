import { credentialsAnswer, errorAnswer, extractCredentials, verifyFailureAnswer, type HeaderReader, type HttpAnswer } from 'keysmith/http';
import type { AuthFailure } from './authenticate.js';

/**
 * The HTTP answer for a refused key, from keysmith's shared HTTP core, so MCP endpoints answer like
 * keysmith/express, /fastify and /hono: 401 `invalid_token` for an unusable key, 403
 * `insufficient_scope` for a missing scope, 403 for a resource, an address or paused MCP access,
 * 429 with `Retry-After` for limits, 503 when the store is unreachable.
 */
export function mcpFailureAnswer(failure: AuthFailure, realm: string): HttpAnswer {
  if (failure.code === 'MCP_DISABLED') return errorAnswer(403, 'MCP_DISABLED', failure.message);
  return verifyFailureAnswer(failure as AuthFailure & { code: Exclude<AuthFailure['code'], 'MCP_DISABLED'> }, realm);
}

/**
 * The bearer token of a request (from `Authorization`, or also the `named` header), or the answer
 * for a missing (401) or unreadable (400) header.
 */
export function bearerTokenOf(header: HeaderReader, realm: string, named: string | null = null): { token: string } | { answer: HttpAnswer } {
  const credentials = extractCredentials(header, named);
  return credentials.kind === 'token' ? { token: credentials.token } : { answer: credentialsAnswer(credentials, realm) };
}
