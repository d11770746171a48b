import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { assertRealm, type HttpAnswer } from 'keysmith/http';
import { authenticate, checkAuthenticateOptions, type AuthenticateOptions, type KeyVerifier } from './authenticate.js';
import { bearerTokenOf, mcpFailureAnswer } from './http-answer.js';

export interface VerifyMcpRequestOptions extends AuthenticateOptions {
  /** The caller's address, checked against the key's `ipAllowlist` (Hono on Node: `getConnInfo(c).remote.address`). */
  ip?: string;
  /** The `realm` of `WWW-Authenticate` challenges. @default "mcp" */
  realm?: string;
}

export type McpRequestAuth = { ok: true; authInfo: AuthInfo } | { ok: false; answer: HttpAnswer; response: Response };

/**
 * Verifies the bearer key of a Web-standard `Request` (Hono, Workers, Deno, Bun) and gives either
 * the SDK's `AuthInfo` for `transport.handleRequest(request, { authInfo })` or the RFC 6750
 * `Response` to send back (401 `invalid_token`, 403, 429, 503: see `mcpAuth`).
 *
 * @example
 * app.all('/mcp', async (c) => {
 *   const auth = await verifyMcpRequest(keyring, c.req.raw);
 *   if (!auth.ok) return auth.response;
 *   return transport.handleRequest(c.req.raw, { authInfo: auth.authInfo });
 * });
 */
export async function verifyMcpRequest(keyring: KeyVerifier, request: Request, options: VerifyMcpRequestOptions = {}): Promise<McpRequestAuth> {
  const { realm: realmOption, ...unchecked } = options;
  const rest = checkAuthenticateOptions(unchecked);
  const realm = assertRealm(realmOption ?? 'mcp');
  const parsed = bearerTokenOf((name) => request.headers.get(name), realm);
  let answer: HttpAnswer;
  if ('token' in parsed) {
    const outcome = await authenticate(keyring, parsed.token, rest);
    if (outcome.ok) return outcome;
    answer = mcpFailureAnswer(outcome.failure, realm);
  } else {
    answer = parsed.answer;
  }
  return { ok: false, answer, response: new Response(answer.body, { status: answer.status, headers: answer.headers }) };
}
