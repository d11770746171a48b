import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { assertRealm, nodeHeaderReader } from 'keysmith/http';
import type { Request, RequestHandler } from 'express';
import { authenticate, checkAuthenticateOptions, type AuthenticateOptions, type KeyVerifier } from './authenticate.js';
import { bearerTokenOf, mcpFailureAnswer } from './http-answer.js';

export interface McpAuthOptions extends AuthenticateOptions {
  /**
   * The caller's address for the key's `ipAllowlist`: `req.ip` by default (set Express's
   * `trust proxy` behind a proxy), a function of the request, or `false` to pass none (then
   * allowlisted keys fail closed).
   */
  ip?: false | ((req: Request) => string | undefined);
  /** The `realm` of `WWW-Authenticate` challenges. @default "mcp" */
  realm?: string;
}

/**
 * Express middleware in place of `requireBearerAuth({ verifier: mcpTokenVerifier(keyring) })`,
 * for what the SDK's middleware cannot do: it checks the caller's address against the key's
 * `ipAllowlist`, answers 503 (not 500) when the store is unreachable and 429 with `Retry-After`
 * for limits, like keysmith's other HTTP adapters. It sets `req.auth`, which the SDK's Streamable
 * HTTP transport hands to handlers as `extra.authInfo`.
 *
 * @example
 * app.all('/mcp', mcpAuth(keyring), (req, res) => transport.handleRequest(req, res, req.body));
 */
export function mcpAuth(keyring: KeyVerifier, options: McpAuthOptions = {}): RequestHandler {
  const { ip: ipOption, realm: realmOption, ...unchecked } = options;
  const rest = checkAuthenticateOptions(unchecked);
  const realm = assertRealm(realmOption ?? 'mcp');
  const ipOf = ipOption === false ? () => undefined : (ipOption ?? ((req: Request) => req.ip));
  return async (req, res, next) => {
    const parsed = bearerTokenOf(nodeHeaderReader(req), realm);
    let answer = 'answer' in parsed ? parsed.answer : null;
    if ('token' in parsed) {
      const ip = ipOf(req);
      const outcome = await authenticate(keyring, parsed.token, { ...rest, ...(ip !== undefined ? { ip } : {}) });
      if (outcome.ok) {
        (req as Request & { auth?: AuthInfo }).auth = outcome.authInfo;
        next();
        return;
      }
      answer = mcpFailureAnswer(outcome.failure, realm);
    }
    res.status(answer!.status).set(answer!.headers);
    res.send(answer!.body ?? undefined);
  };
}
