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

export const FAILURE_MESSAGES: Record<VerifyFailureCode, string> = {
  MALFORMED: 'The API key is malformed',
  NOT_FOUND: 'The API key is invalid',
  INVALID: 'The API key is invalid',
  REVOKED: 'The API key has been revoked',
  DISABLED: 'The API key is disabled',
  EXPIRED: 'The API key has expired',
  INSUFFICIENT_SCOPE: 'The API key lacks the required scope',
  FORBIDDEN_RESOURCE: 'The API key may not access this resource',
  FORBIDDEN_ADDRESS: 'The API key may not be used from this address',
  RATE_LIMITED: 'Rate limit exceeded',
  USAGE_EXCEEDED: 'The API key has no usage credits left',
  STORE_UNAVAILABLE: 'The key store is unavailable',
};

export function failure(code: VerifyFailureCode, extra: Omit<VerifyFailure, 'valid' | 'code' | 'message'> = {}): VerifyFailure {
  return { valid: false, code, message: FAILURE_MESSAGES[code], ...extra };
}
