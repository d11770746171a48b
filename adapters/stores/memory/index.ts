import { KeysmithError, keyStatus, listedStatuses, type ApiKeyRecord, type KeyPatch, type KeyStore, type ListQuery, type ListResult } from 'keysmith';

/**
 * An in-process store. Every method reads and writes synchronously inside one call, so each
 * guarded write is atomic under Node's single thread. Records are copied in and out
 * (`structuredClone` keeps dates as dates), so callers never share state with the store.
 */
export function memoryStore(): KeyStore & { readonly size: number; clear(): void } {
  const records = new Map<string, ApiKeyRecord>();
  const copy = (r: ApiKeyRecord): ApiKeyRecord => structuredClone(r);
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
      const next: ApiKeyRecord = { ...r, ...structuredClone(patch), version: r.version + 1 };
      records.set(id, next);
      return copy(next);
    },

    async revoke(tenantId, id, at, by) {
      const r = inTenant(tenantId, id);
      if (!r || r.revokedAt !== null) return null;
      const next: ApiKeyRecord = { ...r, revokedAt: new Date(at), revokedBy: by, updatedAt: new Date(at), version: r.version + 1 };
      records.set(id, next);
      return copy(next);
    },

    async consume(id, cost) {
      const r = records.get(id);
      if (!r || r.remaining === null || r.remaining < cost) return null;
      r.remaining -= cost;
      return r.remaining;
    },

    async refill(id, amount, periodStart) {
      const r = records.get(id);
      if (!r || !r.refill || (r.refilledAt !== null && r.refilledAt >= periodStart)) return null;
      r.remaining = amount;
      r.refilledAt = new Date(periodStart);
      return amount;
    },

    async touch(id, at) {
      const r = records.get(id);
      if (r && (r.lastUsedAt === null || r.lastUsedAt < at)) r.lastUsedAt = new Date(at);
    },
  };
}
