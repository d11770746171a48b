import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import type { Permissions, VerifiedKey } from 'keysmith';

/** What keysmith puts in `AuthInfo.extra`; read it in a tool handler with `keysmithAuth(extra)`. */
export interface KeysmithAuthExtra {
  keyId: string;
  tenantId: string;
  permissions: Permissions;
  /** The caller's address, when the middleware knew it (the guard re-checks `ipAllowlist` with it). */
  ip?: string;
}

export interface AuthInfoOptions {
  /**
   * Seconds of validity reported for a key without an expiry. The SDK's `requireBearerAuth`
   * refuses an `AuthInfo` without a numeric `expiresAt`, so such a key reports now + this.
   * It does not limit the key: every request is verified again anyway.
   * @default 3600
   */
  expiryHorizonSeconds?: number;
  /** Epoch milliseconds for the horizon. It must match the SDK's own `Date.now()` check. @default Date.now */
  now?: () => number;
}

export const DEFAULT_EXPIRY_HORIZON_SECONDS = 3600;

/** The SDK's `AuthInfo` for a verified key: clientId = key id, scopes = effective scopes. */
export function toAuthInfo(token: string, verified: VerifiedKey, options: AuthInfoOptions & { ip?: string } = {}): AuthInfo {
  const { key, permissions } = verified;
  const now = (options.now ?? Date.now)();
  const horizon = options.expiryHorizonSeconds ?? DEFAULT_EXPIRY_HORIZON_SECONDS;
  const expiresAt = key.expiresAt ? Math.floor(key.expiresAt.getTime() / 1000) : Math.floor(now / 1000) + horizon;
  const extra: KeysmithAuthExtra = { keyId: key.id, tenantId: key.tenantId, permissions, ...(options.ip !== undefined ? { ip: options.ip } : {}) };
  return { token, clientId: key.id, scopes: [...permissions.scopes], expiresAt, extra: { ...extra } };
}

function isPermissions(value: unknown): value is Permissions {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Partial<Permissions>;
  return Array.isArray(p.scopes) && Array.isArray(p.roles) && typeof p.resources === 'object' && typeof p.mcp === 'object';
}

/**
 * The keysmith part of an `AuthInfo` (or of a handler's `extra`), or null when the request was
 * not authenticated by keysmith. Inside a guarded server it reflects the key as just re-verified.
 */
export function keysmithAuth(source: AuthInfo | { authInfo?: AuthInfo } | undefined | null): KeysmithAuthExtra | null {
  const info = source && 'token' in source ? source : source?.authInfo;
  const extra = info?.extra;
  if (!extra || typeof extra.keyId !== 'string' || typeof extra.tenantId !== 'string' || !isPermissions(extra.permissions)) return null;
  return {
    keyId: extra.keyId,
    tenantId: extra.tenantId,
    permissions: extra.permissions,
    ...(typeof extra.ip === 'string' ? { ip: extra.ip } : {}),
  };
}
