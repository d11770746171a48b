import type { ApiKeyRecord, KeyPatch, McpLimits, RateLimit, Refill } from 'keysmith';

/**
 * One key as MongoDB stores it. The key id is the string `_id` (MongoDB's own unique primary
 * index); dates are BSON dates; `metadata` is a JSON string, because metadata keys may be any
 * text ("$set", "a.b") and MongoDB restricts field names that start with "$" or contain ".".
 */
export type MongoKeyDocument = Omit<ApiKeyRecord, 'id' | 'metadata'> & {
  _id: string;
  /** `JSON.stringify(record.metadata)`. */
  metadata: string;
};

const copyMcp = (m: McpLimits): McpLimits => ({ enabled: m.enabled, tools: { mode: m.tools.mode, names: [...m.tools.names] }, readOnly: m.readOnly });
const copyRefill = (r: Refill | null): Refill | null => (r === null ? null : { amount: r.amount, interval: r.interval });
const copyLimits = (limits: RateLimit[]): RateLimit[] =>
  limits.map((l) => ({ name: l.name, limit: l.limit, windowMs: l.windowMs, ...(l.per === undefined ? {} : { per: l.per }) }));
const copyMapping = (m: boolean | string[]): boolean | string[] => (Array.isArray(m) ? [...m] : m);
const copyResources = (r: Record<string, string[]>): Record<string, string[]> => Object.fromEntries(Object.entries(r).map(([kind, ids]) => [kind, [...ids]]));

/** Field by field, so nothing but our record's fields ever reaches the database. */
export function toDocument(r: ApiKeyRecord): MongoKeyDocument {
  return {
    _id: r.id,
    tenantId: r.tenantId,
    name: r.name,
    prefix: r.prefix,
    preview: r.preview,
    hash: r.hash,
    scopes: [...r.scopes],
    roles: [...r.roles],
    preset: r.preset,
    resources: copyResources(r.resources),
    requireMapping: copyMapping(r.requireMapping),
    mcp: copyMcp(r.mcp),
    enabled: r.enabled,
    expiresAt: r.expiresAt,
    revokedAt: r.revokedAt,
    revokedBy: r.revokedBy,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: r.updatedAt,
    lastUsedAt: r.lastUsedAt,
    ownerId: r.ownerId,
    ipAllowlist: [...r.ipAllowlist],
    remaining: r.remaining,
    refill: copyRefill(r.refill),
    refilledAt: r.refilledAt,
    rateLimits: copyLimits(r.rateLimits),
    metadata: JSON.stringify(r.metadata),
    supersededBy: r.supersededBy,
    version: r.version,
  };
}

/** Field by field, so extra fields a document may carry never reach the caller. */
export function fromDocument(d: MongoKeyDocument): ApiKeyRecord {
  return {
    id: d._id,
    tenantId: d.tenantId,
    name: d.name,
    prefix: d.prefix,
    preview: d.preview,
    hash: d.hash,
    scopes: d.scopes,
    roles: d.roles,
    preset: d.preset ?? null,
    resources: copyResources(d.resources ?? {}),
    requireMapping: copyMapping(d.requireMapping ?? false),
    mcp: copyMcp(d.mcp),
    enabled: d.enabled,
    expiresAt: d.expiresAt ?? null,
    revokedAt: d.revokedAt ?? null,
    revokedBy: d.revokedBy ?? null,
    createdAt: d.createdAt,
    createdBy: d.createdBy ?? null,
    updatedAt: d.updatedAt ?? null,
    lastUsedAt: d.lastUsedAt ?? null,
    ownerId: d.ownerId ?? null,
    ipAllowlist: d.ipAllowlist ?? [],
    remaining: d.remaining ?? null,
    refill: copyRefill(d.refill ?? null),
    refilledAt: d.refilledAt ?? null,
    rateLimits: copyLimits(d.rateLimits ?? []),
    metadata: typeof d.metadata === 'string' ? (JSON.parse(d.metadata) as Record<string, unknown>) : {},
    supersededBy: d.supersededBy ?? null,
    version: d.version,
  };
}

/** The `$set` of an update: the patch's fields (already validated), metadata as JSON. */
export function toDocumentPatch(patch: KeyPatch): Partial<MongoKeyDocument> {
  const set: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    set[field] = field === 'metadata' ? JSON.stringify(value) : value;
  }
  return set as Partial<MongoKeyDocument>;
}
