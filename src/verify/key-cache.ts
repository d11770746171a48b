import { LRUCache } from 'lru-cache';
import { compileAllowlist } from './ip.js';
import type { Permissions } from '../permissions/permissions.js';
import type { Policy } from '../permissions/policy.js';
import { redact, type ApiKey, type ApiKeyRecord } from '../store/record.js';

/** Everything verify needs about one key, computed once per store read. */
export interface CachedKey {
  record: ApiKeyRecord;
  key: ApiKey;
  permissions: Permissions;
  allowsAddress: (address: string) => boolean;
}

export interface CacheOptions {
  /** How long a verified record is trusted without asking the store. @default 10_000 */
  ttlMs?: number;
  /** How many keys are kept. @default 10_000 */
  max?: number;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value) && !(value instanceof Date)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

export function prepare(record: ApiKeyRecord, policy: Policy): CachedKey {
  const key = deepFreeze(redact(record));
  return {
    record,
    key,
    permissions: deepFreeze(policy.permissionsOf(key)),
    allowsAddress: compileAllowlist(record.ipAllowlist),
  };
}

/**
 * Verified records by id, for a short TTL. The keyring deletes an entry on every change it makes,
 * so its own revocations are seen at once; other instances see them at TTL or via an invalidation
 * channel.
 */
export class KeyCache {
  private readonly lru: LRUCache<string, CachedKey> | null;
  readonly ttlMs: number;

  constructor(options: CacheOptions | false | undefined) {
    this.ttlMs = options === false ? 0 : (options?.ttlMs ?? 10_000);
    this.lru = options === false || this.ttlMs <= 0 ? null : new LRUCache({ max: options?.max ?? 10_000, ttl: this.ttlMs });
  }

  get(id: string): CachedKey | undefined {
    return this.lru?.get(id);
  }

  set(id: string, entry: CachedKey): void {
    this.lru?.set(id, entry);
  }

  delete(id: string): void {
    this.lru?.delete(id);
  }

  clear(): void {
    this.lru?.clear();
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
