import type { ApiKeyRecord, ListQuery } from './record.js';

/**
 * A key's state as a list or a console shows it, derived from its fields at a moment:
 * `revoked` (final) wins over `expired`, which wins over `paused`; anything else is `active`.
 * A key whose MCP access alone is paused (`mcp.enabled: false`) is still `active`: its HTTP
 * access works.
 */
export type KeyStatus = 'active' | 'paused' | 'expired' | 'revoked';

export const KEY_STATUSES = ['active', 'paused', 'expired', 'revoked'] as const satisfies readonly KeyStatus[];

/** The derived status of a key at `now` (epoch milliseconds). */
export function keyStatus(key: Pick<ApiKeyRecord, 'revokedAt' | 'expiresAt' | 'enabled'>, now: number): KeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  if (key.expiresAt !== null && key.expiresAt.getTime() <= now) return 'expired';
  return key.enabled ? 'active' : 'paused';
}

/**
 * The statuses a list query selects, or null for "all four" (no status filter at all).
 * `status` wins when given; otherwise the default list is every key but revoked ones
 * (`includeRevoked` adds them) and expired ones stay in unless `includeExpired: false`.
 * Stores call this so every store reads the query the same way.
 */
export function listedStatuses(query: Pick<ListQuery, 'status' | 'includeRevoked' | 'includeExpired'>): KeyStatus[] | null {
  const wanted: KeyStatus[] =
    query.status && query.status.length > 0
      ? KEY_STATUSES.filter((s) => query.status!.includes(s))
      : KEY_STATUSES.filter((s) => (s === 'revoked' ? query.includeRevoked === true : s === 'expired' ? query.includeExpired !== false : true));
  return wanted.length === KEY_STATUSES.length ? null : wanted;
}
