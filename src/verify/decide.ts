import { queryOrNull, resourceList, unmetRequirement, type Shortfall } from '../permissions/requirements.js';
import type { CachedKey } from './key-cache.js';
import type { VerifyOptions } from './verify-options.js';
import type { VerifyFailureCode } from './verify-result.js';

/** Why `decide` refuses: the failure code, and for INSUFFICIENT_SCOPE the scopes the request needed. */
type Refusal = Shortfall | { readonly code: VerifyFailureCode };

/**
 * What `decide` concludes: `'admit'` (nothing left to count), `'count'` (admitted so far; the key's
 * rate limits and credits still have to be counted, which needs a round trip), or a refusal.
 */
export type Verdict = 'admit' | 'count' | Refusal;

const REVOKED: Refusal = Object.freeze({ code: 'REVOKED' });
const DISABLED: Refusal = Object.freeze({ code: 'DISABLED' });
const EXPIRED: Refusal = Object.freeze({ code: 'EXPIRED' });
const FORBIDDEN_ADDRESS: Refusal = Object.freeze({ code: 'FORBIDDEN_ADDRESS' });

/**
 * Decides whether a key may serve a request, from the key as loaded and the request alone: it reads
 * no store, writes nothing and emits nothing (verify.ts applies the verdict). The caller has already
 * matched the token against the key's hash. Checked in order: revoked, paused, expired, the caller's
 * address, the request's requirements (scopes, query, resources), then whether limits remain
 * (`limits`: false for a re-check of a request already counted).
 */
export function decide(entry: CachedKey, options: VerifyOptions, now: number, limits = options.limits !== false): Verdict {
  const { record } = entry;
  if (record.revokedAt) return REVOKED;
  if (!record.enabled) return DISABLED;
  if (record.expiresAt && record.expiresAt.getTime() <= now) return EXPIRED;
  if (record.ipAllowlist.length > 0) {
    // Read only for a key with an allowlist: the middlewares make `ip` a getter over the request.
    // No address given: fail closed.
    const ip = options.ip;
    if (ip === undefined || !entry.allowsAddress(ip)) return FORBIDDEN_ADDRESS;
  }
  if (options.scopes || options.anyScopes || options.query !== undefined || options.resource) {
    const unmet = unmetRequirement(entry.permissions, {
      scopes: options.scopes,
      anyScopes: options.anyScopes,
      query: options.query === undefined ? undefined : queryOrNull(options.query),
      resources: options.resource ? resourceList(options.resource) : undefined,
    });
    if (unmet) return unmet;
  }
  // limits false: a re-check of a request already counted.
  return limits && (record.rateLimits.length > 0 || record.remaining !== null) ? 'count' : 'admit';
}
