import {
  KeysmithError,
  keyStatus,
  listedStatuses,
  type ApiKeyRecord,
  type KeyPatch,
  type KeyStore,
  type ListQuery,
  type ListResult,
  touchDueBefore,
} from 'keysmith';
import { copyRecord } from './copy-record.js';

/** A patch's field when the patch sets it (null included), else the record's; undefined means "not given", as in the SQL stores. */
const pick = <K extends keyof KeyPatch>(patch: KeyPatch, record: ApiKeyRecord, field: K): ApiKeyRecord[K] =>
  (patch[field] !== undefined ? patch[field] : record[field]) as ApiKeyRecord[K];

/**
 * The record with the patch applied and its version bumped, as one literal in ApiKeyRecord's order:
 * V8 gives it a fixed shape (`{ ...record, ...patch }` followed by more properties takes a slow
 * path on Node 20). Fields outside `KeyPatch` (id, tenant, hash, dates of creation and use) are
 * never taken from a patch.
 */
function patched(r: ApiKeyRecord, patch: KeyPatch): ApiKeyRecord {
  return {
    id: r.id,
    tenantId: r.tenantId,
    name: pick(patch, r, 'name'),
    prefix: r.prefix,
    preview: r.preview,
    hash: r.hash,
    scopes: pick(patch, r, 'scopes'),
    roles: pick(patch, r, 'roles'),
    preset: pick(patch, r, 'preset'),
    resources: pick(patch, r, 'resources'),
    requireMapping: pick(patch, r, 'requireMapping'),
    mcp: pick(patch, r, 'mcp'),
    enabled: pick(patch, r, 'enabled'),
    expiresAt: pick(patch, r, 'expiresAt'),
    revokedAt: r.revokedAt,
    revokedBy: r.revokedBy,
    createdAt: r.createdAt,
    createdBy: r.createdBy,
    updatedAt: pick(patch, r, 'updatedAt'),
    lastUsedAt: r.lastUsedAt,
    ownerId: pick(patch, r, 'ownerId'),
    ipAllowlist: pick(patch, r, 'ipAllowlist'),
    remaining: pick(patch, r, 'remaining'),
    refill: pick(patch, r, 'refill'),
    refilledAt: pick(patch, r, 'refilledAt'),
    rateLimits: pick(patch, r, 'rateLimits'),
    metadata: pick(patch, r, 'metadata'),
    supersededBy: pick(patch, r, 'supersededBy'),
    version: r.version + 1,
  };
}

/**
 * An in-process store. Every method reads and writes synchronously inside one call, so each
 * guarded write is atomic under Node's single thread. Records are copied in and out
 * (`copyRecord`, a deep copy that keeps dates as dates), so callers never share state with the store.
 */
export function memoryStore(): KeyStore & { readonly size: number; clear(): void } {
  const records = new Map<string, ApiKeyRecord>();
  const copy = copyRecord;
  const inTenant = (tenantId: string, id: string): ApiKeyRecord | undefined => {
    const r = records.get(id);
    return r && r.tenantId === tenantId ? r : undefined;
  };

  return {
    get size() {
      return records.size;
    },
    clear() {
      records.clear();
    },

    async insert(record) {
      if (records.has(record.id)) throw new KeysmithError('DUPLICATE_ID', 'A key with this id already exists');
      records.set(record.id, copy(record));
    },

    async findById(id) {
      const r = records.get(id);
      return r ? copy(r) : null;
    },

    async get(tenantId, id) {
      const r = inTenant(tenantId, id);
      return r ? copy(r) : null;
    },

    async list(tenantId, query: ListQuery): Promise<ListResult<ApiKeyRecord>> {
      const needle = query.search?.toLowerCase();
      const statuses = listedStatuses(query);
      const now = (query.now ?? new Date()).getTime();
      const { resource } = query;
      const matches = [...records.values()]
        .filter(
          (r) =>
            (tenantId === null || r.tenantId === tenantId) &&
            (statuses === null || statuses.includes(keyStatus(r, now))) &&
            (query.ownerId === undefined || r.ownerId === query.ownerId) &&
            (!resource || (Object.hasOwn(r.resources, resource.kind) && r.resources[resource.kind]!.includes(resource.id))) &&
            (!needle || r.name.toLowerCase().includes(needle) || r.preview.toLowerCase().includes(needle)),
        )
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      const start = (query.page - 1) * query.limit;
      return { items: matches.slice(start, start + query.limit).map(copy), total: matches.length };
    },

    async update(tenantId, id, patch: KeyPatch, expectedVersion) {
      const r = inTenant(tenantId, id);
      if (!r || r.revokedAt !== null || (expectedVersion !== undefined && r.version !== expectedVersion)) return null;
      const next = patched(r, structuredClone(patch));
      records.set(id, next);
      return copy(next);
    },

    async revoke(tenantId, id, at, by) {
      const r = inTenant(tenantId, id);
      if (!r || r.revokedAt !== null) return null;
      const next = patched(r, { updatedAt: new Date(at) });
      next.revokedAt = new Date(at);
      next.revokedBy = by;
      records.set(id, next);
      return copy(next);
    },

    async supersede(tenantId, id, change, expectedVersion) {
      const r = inTenant(tenantId, id);
      if (!r || r.revokedAt !== null || r.supersededBy !== null || (expectedVersion !== undefined && r.version !== expectedVersion)) return null;
      if (r.expiresAt !== null && r.expiresAt < change.expiresAt) return null;
      const { remaining, refilledAt } = r;
      const next = patched(r, {
        supersededBy: change.successorId,
        expiresAt: new Date(change.expiresAt),
        remaining: remaining === null ? null : 0,
        refill: null,
        updatedAt: new Date(change.at),
      });
      records.set(id, next);
      return { record: copy(next), remaining, refilledAt: refilledAt === null ? null : new Date(refilledAt) };
    },

    async consume(id, cost) {
      const r = records.get(id);
      if (!r || r.remaining === null || r.remaining < cost) return null;
      r.remaining -= cost;
      return r.remaining;
    },

    async refill(id, amount, periodStart) {
      const r = records.get(id);
      if (!r?.refill || (r.refilledAt !== null && r.refilledAt >= periodStart)) return null;
      r.remaining = amount;
      r.refilledAt = new Date(periodStart);
      return amount;
    },

    async touch(id, at, minIntervalMs = 0) {
      const r = records.get(id);
      if (r && (r.lastUsedAt === null || r.lastUsedAt < touchDueBefore(at, minIntervalMs))) r.lastUsedAt = new Date(at);
    },
  };
}
