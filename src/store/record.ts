import type { KeyStatus } from './status.js';

/** Which tools an MCP session of the key may see and call. */
export interface McpLimits {
  enabled: boolean;
  tools: { mode: 'all' | 'allow' | 'deny'; names: string[] };
  /** Only tools annotated `readOnlyHint: true`. */
  readOnly: boolean;
}

export interface Refill {
  /** What `remaining` is set to at the start of every period. */
  amount: number;
  /** `'day'` and `'month'` are calendar periods in UTC; a number is a period in milliseconds. */
  interval: 'day' | 'month' | number;
}

export interface RateLimit {
  /** Unique among the key's limits; letters, digits, `_`, `.`, `-` (shown in `RateLimit` headers). */
  name: string;
  /** How many units (requests, or their `cost`) the window admits. */
  limit: number;
  /** The sliding window, in milliseconds (1 second to 366 days). */
  windowMs: number;
  /** `'owner'`: one counter shared by every key of the same `ownerId` in the tenant. @default 'key' */
  per?: 'key' | 'owner';
}

/** The stored record. Only stores and the keyring's verify path ever see `hash`. */
export interface ApiKeyRecord {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  preview: string;
  hash: string;
  scopes: string[];
  roles: string[];
  preset: string | null;
  resources: Record<string, string[]>;
  /**
   * Resource kinds where an empty or missing list denies for this key (fail closed); `true` for
   * every kind. Added to the keyring's own `requireMapping`, never subtracted from it. @default false
   */
  requireMapping: boolean | string[];
  mcp: McpLimits;
  enabled: boolean;
  expiresAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  createdAt: Date;
  createdBy: string | null;
  updatedAt: Date | null;
  lastUsedAt: Date | null;
  ownerId: string | null;
  ipAllowlist: string[];
  remaining: number | null;
  refill: Refill | null;
  /** Start of the refill period last applied; null until the first refill. */
  refilledAt: Date | null;
  rateLimits: RateLimit[];
  metadata: Record<string, unknown>;
  /**
   * The id of the key that replaced this one in `rotate`, or null. A superseded key is on its way
   * out: its expiry only ever moves earlier, it is never resumed, it gets no credits back and it
   * is never rotated again (set once, by `KeyStore.supersede`).
   */
  supersededBy: string | null;
  version: number;
}

/** A key as every API outside the store layer shows it: the record without its hash. */
export type ApiKey = Omit<ApiKeyRecord, 'hash'>;

/** A key as the keyring's management calls and the admin API return it: with its derived `status`. */
export type ApiKeyView = ApiKey & { status: KeyStatus };

/** Fields a management call may change. The store bumps `version` itself. */
export type KeyPatch = Partial<
  Pick<
    ApiKeyRecord,
    | 'name'
    | 'scopes'
    | 'roles'
    | 'preset'
    | 'resources'
    | 'requireMapping'
    | 'mcp'
    | 'enabled'
    | 'expiresAt'
    | 'ownerId'
    | 'ipAllowlist'
    | 'remaining'
    | 'refill'
    | 'refilledAt'
    | 'rateLimits'
    | 'metadata'
    | 'updatedAt'
    | 'supersededBy'
  >
>;

/** What `KeyStore.supersede` does to the rotated-out key. */
export interface Supersession {
  /** The id of the new key (not inserted yet when `supersede` runs). */
  successorId: string;
  /** The end of the grace period: the old key's new expiry. Never later than the key's own expiry. */
  expiresAt: Date;
  /** When the rotation happens: the old key's `updatedAt`. */
  at: Date;
}

/** What `KeyStore.supersede` returns: the rotated-out key as it is now, and the credits it handed over. */
export interface Superseded {
  /** The old key after the change (supersededBy set, remaining 0 or null, no refill, version bumped). */
  record: ApiKeyRecord;
  /** The credits the old key held at the moment of the change (null = unlimited): the successor's balance. */
  remaining: number | null;
  /** The old key's `refilledAt` at the same moment, so the successor refills in the same period only once. */
  refilledAt: Date | null;
}

export interface ListQuery {
  /** 1-based. */
  page: number;
  /** 1..100. */
  limit: number;
  /** Case-insensitive substring of the name or the preview, matched literally. */
  search?: string;
  /** Include revoked keys (ignored when `status` is given). */
  includeRevoked?: boolean;
  /** `false` leaves expired keys out (ignored when `status` is given). @default true */
  includeExpired?: boolean;
  /** Only keys in one of these derived states (see `keyStatus`); empty or absent = no status filter. */
  status?: KeyStatus[];
  /** Only keys bound to this owner. */
  ownerId?: string;
  /** Only keys whose `resources[kind]` lists `id` itself (not `*`, not an unlimited key). */
  resource?: { kind: string; id: string };
  /** The moment statuses are judged at; the keyring passes its clock. @default the current time */
  now?: Date;
}

export interface ListResult<T> {
  /** This page's keys, newest first. */
  items: T[];
  /** How many keys match the query, over all pages. */
  total: number;
}

/** The record without its hash: what every API returns. */
export function redact(record: ApiKeyRecord): ApiKey {
  return viewOf(record, undefined);
}

/**
 * The record without its hash, with `status` when given: one literal with every field in order, so
 * V8 gives every key the same fixed shape (rest and spread copies of a 29-field object take its
 * slow path on Node 20, a tenth of a `create`).
 */
export function viewOf(record: ApiKeyRecord, status: KeyStatus): ApiKeyView;
export function viewOf(record: ApiKeyRecord, status: undefined): ApiKey;
export function viewOf(record: ApiKeyRecord, status: KeyStatus | undefined): ApiKey | ApiKeyView {
  const key: ApiKey = {
    id: record.id,
    tenantId: record.tenantId,
    name: record.name,
    prefix: record.prefix,
    preview: record.preview,
    scopes: record.scopes,
    roles: record.roles,
    preset: record.preset,
    resources: record.resources,
    requireMapping: record.requireMapping,
    mcp: record.mcp,
    enabled: record.enabled,
    expiresAt: record.expiresAt,
    revokedAt: record.revokedAt,
    revokedBy: record.revokedBy,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt,
    lastUsedAt: record.lastUsedAt,
    ownerId: record.ownerId,
    ipAllowlist: record.ipAllowlist,
    remaining: record.remaining,
    refill: record.refill,
    refilledAt: record.refilledAt,
    rateLimits: record.rateLimits,
    metadata: record.metadata,
    supersededBy: record.supersededBy,
    version: record.version,
  };
  if (status !== undefined) (key as ApiKeyView).status = status;
  return key;
}
