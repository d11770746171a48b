import type { Permissions } from '../permissions/permissions.js';
import type { ApiKey } from '../store/record.js';

export const VerifyFailureCode = {
  MALFORMED: 'MALFORMED',
  NOT_FOUND: 'NOT_FOUND',
  INVALID: 'INVALID',
  REVOKED: 'REVOKED',
  DISABLED: 'DISABLED',
  EXPIRED: 'EXPIRED',
  INSUFFICIENT_SCOPE: 'INSUFFICIENT_SCOPE',
  FORBIDDEN_RESOURCE: 'FORBIDDEN_RESOURCE',
  FORBIDDEN_ADDRESS: 'FORBIDDEN_ADDRESS',
  RATE_LIMITED: 'RATE_LIMITED',
  USAGE_EXCEEDED: 'USAGE_EXCEEDED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
} as const;

export type VerifyFailureCode = (typeof VerifyFailureCode)[keyof typeof VerifyFailureCode];

export interface VerifiedKey {
  valid: true;
  key: ApiKey;
  permissions: Permissions;
}

export interface VerifyFailure {
  valid: false;
  code: VerifyFailureCode;
  message: string;
  /** The key's public id, once the token parsed (never for MALFORMED). */
  keyId?: string;
  /** Scopes the request needed, for INSUFFICIENT_SCOPE. */
  requiredScopes?: string[];
  /** For RATE_LIMITED and USAGE_EXCEEDED with a refill. */
  retryAfterMs?: number;
  /** For RATE_LIMITED: the limit that was hit. */
  limit?: { name: string; limit: number; windowMs: number; remaining: number };
}

export type VerifyResult = VerifiedKey | VerifyFailure;

/**
 * How every transport treats a failure, whatever its exact code:
 * - `unauthenticated`: the token is no usable key (HTTP 401 `invalid_token`, MCP "Unauthorized");
 * - `insufficient_scope`: a usable key without a scope the request needs (403 `insufficient_scope`);
 * - `forbidden`: a usable key that may not do this for another reason (a resource, the address; 403);
 * - `limited`: a rate limit or the key's credits (429, `Retry-After` when it will pass);
 * - `unavailable`: keysmith could not decide, so it refuses (503; fail closed).
 */
export type FailureClass = 'unauthenticated' | 'insufficient_scope' | 'forbidden' | 'limited' | 'unavailable';

/** The one table of failures: each code's class (what a transport answers) and its fixed message. */
export const FAILURES: Readonly<Record<VerifyFailureCode, { readonly class: FailureClass; readonly message: string }>> = {
  MALFORMED: { class: 'unauthenticated', message: 'The API key is malformed' },
  NOT_FOUND: { class: 'unauthenticated', message: 'The API key is invalid' },
  INVALID: { class: 'unauthenticated', message: 'The API key is invalid' },
  REVOKED: { class: 'unauthenticated', message: 'The API key has been revoked' },
  DISABLED: { class: 'unauthenticated', message: 'The API key is disabled' },
  EXPIRED: { class: 'unauthenticated', message: 'The API key has expired' },
  INSUFFICIENT_SCOPE: { class: 'insufficient_scope', message: 'The API key lacks the required scope' },
  FORBIDDEN_RESOURCE: { class: 'forbidden', message: 'The API key may not access this resource' },
  FORBIDDEN_ADDRESS: { class: 'forbidden', message: 'The API key may not be used from this address' },
  RATE_LIMITED: { class: 'limited', message: 'Rate limit exceeded' },
  USAGE_EXCEEDED: { class: 'limited', message: 'The API key has no usage credits left' },
  STORE_UNAVAILABLE: { class: 'unavailable', message: 'The key store is unavailable' },
};

/** The class of a failure code; a code this version does not know is `unavailable` (fail closed). */
export function failureClass(code: string): FailureClass {
  return Object.hasOwn(FAILURES, code) ? FAILURES[code as VerifyFailureCode].class : 'unavailable';
}

export function failure(code: VerifyFailureCode, extra: Omit<VerifyFailure, 'valid' | 'code' | 'message'> = {}): VerifyFailure {
  return { valid: false, code, message: FAILURES[code].message, ...extra };
}
