import { InsufficientScopeError, InvalidTokenError, ServerError, TooManyRequestsError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import type { OAuthTokenVerifier } from '@modelcontextprotocol/sdk/server/auth/provider.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { authenticate, checkAuthenticateOptions, type AuthenticateOptions, type AuthFailure, type KeyVerifier } from './authenticate.js';

export type McpTokenVerifierOptions = AuthenticateOptions;

/**
 * The SDK error `requireBearerAuth` turns into each answer:
 * InvalidTokenError → 401 `invalid_token` (FORBIDDEN_ADDRESS included); InsufficientScopeError →
 * 403 `insufficient_scope` (also for MCP_DISABLED and FORBIDDEN_RESOURCE);
 * TooManyRequestsError → 400 `too_many_requests` (the SDK has no 429); ServerError → 500 `server_error`.
 */
function sdkErrorFor(failure: AuthFailure): Error {
  switch (failure.class) {
    case 'unauthenticated':
      return new InvalidTokenError(failure.message);
    case 'insufficient_scope':
      return new InsufficientScopeError(failure.message);
    case 'forbidden':
      // The SDK has no plain 403. A paused MCP access or a resource limit is a missing privilege
      // (403); an address outside the allowlist makes the key unusable from here (401).
      return failure.code === 'FORBIDDEN_ADDRESS' ? new InvalidTokenError(failure.message) : new InsufficientScopeError(failure.message);
    case 'limited':
      return new TooManyRequestsError(failure.message);
    case 'unavailable':
      // Never a 200: requireBearerAuth answers 500 for a ServerError. Use `mcpAuth` for a 503.
      return new ServerError(failure.message);
  }
}

/**
 * An `OAuthTokenVerifier` for the SDK's `requireBearerAuth`, backed by a keyring.
 *
 * @example
 * app.post('/mcp', requireBearerAuth({ verifier: mcpTokenVerifier(keyring) }), handler);
 *
 * The SDK gives a verifier only the token, not the request, so keys with an `ipAllowlist` fail
 * closed here (FORBIDDEN_ADDRESS → 401); use `mcpAuth(keyring)` to check the caller's address.
 * @throws the SDK's `InvalidTokenError`, `InsufficientScopeError`, `TooManyRequestsError` or `ServerError`
 */
export function mcpTokenVerifier(keyring: KeyVerifier, options: McpTokenVerifierOptions = {}): OAuthTokenVerifier {
  options = checkAuthenticateOptions(options);
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      const outcome = await authenticate(keyring, token, options);
      if (!outcome.ok) throw sdkErrorFor(outcome.failure);
      return outcome.authInfo;
    },
  };
}
