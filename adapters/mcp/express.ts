import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Request, RequestHandler } from 'express';
import { authenticate, type AuthenticateOptions, type KeyVerifier } from './authenticate.js';
import { bearerToken, httpAnswerFor, type AnswerOptions } from './http-answer.js';

export interface McpAuthOptions extends AuthenticateOptions, AnswerOptions {
  /**
   * The caller's address for the key's `ipAllowlist`: `req.ip` by default (set Express's
   * `trust proxy` behind a proxy), a function of the request, or `false` to pass none (then
   * allowlisted keys fail closed).
   */
  ip?: false | ((req: Request) => string | undefined);
}

/**
 * Express middleware in place of `requireBearerAuth({ verifier: mcpTokenVerifier(keyring) })`,
 * for what the SDK's middleware cannot do: it checks the caller's address against the key's
 * `ipAllowlist`, answers 503 (not 500) when the store is unreachable, and 429 with `Retry-After`
 * for limits. It sets `req.auth`, which the SDK's Streamable HTTP transport hands to handlers.
 *
 * @example
 * app.all('/mcp', mcpAuth(keyring), (req, res) => transport.handleRequest(req, res, req.body));
 */
export function mcpAuth(keyring: KeyVerifier, options: McpAuthOptions = {}): RequestHandler {
  const { ip: ipOption, ...rest } = options;
  const ipOf = ipOption === false ? () => undefined : (ipOption ?? ((req: Request) => req.ip));
  return async (req, res, next) => {
    const parsed = bearerToken(req.headers.authorization);
    const ip = ipOf(req);
    const outcome = 'failure' in parsed ? { ok: false as const, failure: parsed.failure } : await authenticate(keyring, parsed.token, { ...rest, ...(ip !== undefined ? { ip } : {}) });
    if (outcome.ok) {
      (req as Request & { auth?: AuthInfo }).auth = outcome.authInfo;
      next();
      return;
    }
    const answer = httpAnswerFor(outcome.failure, rest);
    res.status(answer.status).set(answer.headers).json(answer.body);
  };
}
