import { FAILURES, failureClass, type VerifyFailure, VerifyFailureCode } from '../verify/verify-result.js';
import { errorAnswer, type HttpAnswer } from './answer.js';
import { bearerChallenge } from './challenge.js';
import type { Credentials } from './credentials.js';

/**
 * Public error codes of the verification middleware (the JSON body's `error.code`). They are the
 * verify codes, except that NOT_FOUND and INVALID become one `INVALID`: an unknown key and a
 * wrong secret must look the same, or ids could be probed.
 */
const { NOT_FOUND: _sameAsInvalid, ...sharedWithVerify } = VerifyFailureCode;
export const AuthErrorCode = {
  MISSING_CREDENTIALS: 'MISSING_CREDENTIALS',
  INVALID_REQUEST: 'INVALID_REQUEST',
  ...sharedWithVerify,
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

/** RFC 6750 §3.1: no credentials at all → a bare challenge, no error code. */
export function missingCredentialsAnswer(realm: string): HttpAnswer {
  return errorAnswer(401, AuthErrorCode.MISSING_CREDENTIALS, 'An API key is required (Authorization: Bearer <key>)', {
    headers: { 'www-authenticate': bearerChallenge(realm) },
  });
}

/** RFC 6750 §3.1 invalid_request: a header that is there but cannot be read. */
export function invalidRequestAnswer(realm: string, message: string): HttpAnswer {
  return errorAnswer(400, AuthErrorCode.INVALID_REQUEST, message, {
    headers: { 'www-authenticate': bearerChallenge(realm, { error: 'invalid_request', error_description: message }) },
  });
}

/** The answer for a request whose credentials are missing (401) or unreadable (400): what every transport sends before any key is looked up. */
export function credentialsAnswer(credentials: Exclude<Credentials, { kind: 'token' }>, realm: string): HttpAnswer {
  return credentials.kind === 'missing' ? missingCredentialsAnswer(realm) : invalidRequestAnswer(realm, credentials.message);
}

/** Whole seconds, at least 1, for `Retry-After` (RFC 9110 §10.2.3). */
function retryAfter(ms: number | undefined): Record<string, string> {
  return ms === undefined || !Number.isFinite(ms) ? {} : { 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) };
}

/**
 * IETF httpapi RateLimit headers (draft-ietf-httpapi-ratelimit-headers): the policy that refused
 * (`q` units per `w` seconds) and its state (`r` left, `t` seconds until units come back).
 */
function rateLimitHeaders(failure: Pick<VerifyFailure, 'limit' | 'retryAfterMs'>): Record<string, string> {
  const limit = failure.limit;
  if (!limit || !/^[A-Za-z0-9_.-]+$/.test(limit.name)) return {};
  const t = Math.max(1, Math.ceil((failure.retryAfterMs ?? limit.windowMs) / 1000));
  return {
    'ratelimit-policy': `"${limit.name}";q=${limit.limit};w=${Math.ceil(limit.windowMs / 1000)}`,
    ratelimit: `"${limit.name}";r=${limit.remaining};t=${t}`,
  };
}

/**
 * The one mapping from a failed verification to an HTTP answer, by the failure's class (see
 * `FAILURES`). Only the failure's code and the fixed messages are used: never the token, never the
 * key id (so NOT_FOUND and INVALID are byte-identical).
 */
export function verifyFailureAnswer(failure: Pick<VerifyFailure, 'code' | 'requiredScopes' | 'retryAfterMs' | 'limit'>, realm: string): HttpAnswer {
  switch (failureClass(failure.code)) {
    case 'unauthenticated': {
      // An unknown key and a wrong secret must look the same, or ids could be probed.
      const code = failure.code === 'NOT_FOUND' ? AuthErrorCode.INVALID : failure.code;
      const { message } = FAILURES[code];
      return errorAnswer(401, code, message, {
        headers: { 'www-authenticate': bearerChallenge(realm, { error: 'invalid_token', error_description: message }) },
      });
    }
    case 'insufficient_scope': {
      const { message } = FAILURES[failure.code];
      return errorAnswer(403, failure.code, message, {
        headers: {
          'www-authenticate': bearerChallenge(realm, {
            error: 'insufficient_scope',
            error_description: message,
            scope: (failure.requiredScopes ?? []).join(' '),
          }),
        },
      });
    }
    case 'forbidden':
      // Not a scope problem, so no insufficient_scope challenge: no other token scope would help.
      return errorAnswer(403, failure.code, FAILURES[failure.code].message);
    case 'limited':
      // Without a refill, credits never come back: no Retry-After rather than a false promise.
      return errorAnswer(429, failure.code, FAILURES[failure.code].message, { headers: { ...retryAfter(failure.retryAfterMs), ...rateLimitHeaders(failure) } });
    case 'unavailable':
      // STORE_UNAVAILABLE, and any code added later: fail closed.
      return errorAnswer(503, AuthErrorCode.STORE_UNAVAILABLE, FAILURES.STORE_UNAVAILABLE.message);
  }
}
