import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { authenticate, type AuthenticateOptions, type AuthFailure, type KeyVerifier } from './authenticate.js';
import { bearerToken, httpAnswerFor, type AnswerOptions } from './http-answer.js';

export interface VerifyMcpRequestOptions extends AuthenticateOptions, AnswerOptions {
  /** The caller's address, checked against the key's `ipAllowlist` (Hono: `getConnInfo(c).remote.address`). */
  ip?: string;
}

export type McpRequestAuth = { ok: true; authInfo: AuthInfo } | { ok: false; failure: AuthFailure; response: Response };

/**
 * Verifies the bearer key of a Web-standard `Request` (Hono, Workers, Deno, Bun) and gives either
 * the SDK's `AuthInfo` for `transport.handleRequest(request, { authInfo })` or the RFC 6750
 * `Response` to send back (401 `invalid_token`, 403 `insufficient_scope`, 429, 503).
 *
 * @example
 * app.all('/mcp', async (c) => {
 *   const auth = await verifyMcpRequest(keyring, c.req.raw);
 *   if (!auth.ok) return auth.response;
 *   return transport.handleRequest(c.req.raw, { authInfo: auth.authInfo });
 * });
 */
export async function verifyMcpRequest(keyring: KeyVerifier, request: Request, options: VerifyMcpRequestOptions = {}): Promise<McpRequestAuth> {
  const parsed = bearerToken(request.headers.get('authorization'));
  const outcome = 'failure' in parsed ? { ok: false as const, failure: parsed.failure } : await authenticate(keyring, parsed.token, options);
  if (outcome.ok) return outcome;
  const answer = httpAnswerFor(outcome.failure, options);
  const response = new Response(JSON.stringify(answer.body), { status: answer.status, headers: { ...answer.headers, 'Content-Type': 'application/json' } });
  return { ok: false, failure: outcome.failure, response };
}
