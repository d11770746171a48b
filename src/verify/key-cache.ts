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
  /** `performance.now()` when it was cached (0 until then): an entry evicted younger than the TTL was still in use. */
  cachedAt: number;
}

export interface CacheOptions {
  /** How long a verified record is trusted without asking the store. @default 10_000 */
  ttlMs?: number;
  /**
   * How many keys are kept. Size it to the keys in use within `ttlMs` (each entry is a few KB):
   * when more are in use, least recently used keys are evicted while still fresh, verify reads the
   * store for them again, and the keyring reports it once with a `cache.undersized` event.
   * @default 10_000
   */
  max?: number;
}

/** The default `max` of the verified-record cache. */
const DEFAULT_CACHE_MAX = 10_000;

/**
 * Freezes every object reachable from `value`, in place, Dates apart (freezing cannot stop
 * `setTime`; see `handedOut`). Indexed loops and for-in rather than `Object.values`: no array per
 * object (a third less on every store read).
 */
function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value) || value instanceof Date) return value;
  Object.freeze(value);
  if (Array.isArray(value)) for (let i = 0; i < value.length; i++) deepFreeze(value[i]);
  else for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  return value;
}

const copyOf = (date: Date | null): Date | null => (date === null ? null : new Date(date.getTime()));

/**
 * The key verify hands to the application, shared by every request the cache answers: deep-frozen,
 * and with Dates of its own. `Object.freeze` cannot stop `setTime`, and the record's Dates are
 * what verify decides on (`expiresAt`): shared, an application that moved `key.expiresAt` would
 * have kept an expired key alive for as long as it stayed cached. (A test checks that every Date
 * field of a key is a copy, so a field added later cannot be missed here.)
 */
function handedOut(record: ApiKeyRecord): ApiKey {
  const key = redact(record);
  key.expiresAt = copyOf(record.expiresAt);
  key.revokedAt = copyOf(record.revokedAt);
  key.createdAt = new Date(record.createdAt.getTime());
  key.updatedAt = copyOf(record.updatedAt);
  key.lastUsedAt = copyOf(record.lastUsedAt);
  key.refilledAt = copyOf(record.refilledAt);
  return deepFreeze(key);
}

export function prepare(record: ApiKeyRecord, policy: Policy): CachedKey {
  const key = handedOut(record);
  return {
    record,
    key,
    permissions: deepFreeze(policy.permissionsOf(key)),
    allowsAddress: compileAllowlist(record.ipAllowlist),
    cachedAt: 0,
  };
}

/**
 * A key's generation as it was when a store read began. A fill carrying a ticket that is no longer
 * current is refused: something changed the key while the read was in flight.
 */
export interface CacheTicket {
  readonly epoch: number;
  readonly generation: number;
}

/** How many changed ids keep a tombstone; past that, every read in flight is treated as stale. */
const MAX_TOMBSTONES = 10_000;

/**
 * Verified records by id, for a short TTL, with generation-checked fills.
 *
 * Every change the keyring makes (or hears of through the invalidation channel) calls `invalidate`,
 * which drops the entry AND bumps the id's generation (a tombstone). A verify takes a `ticket`
 * before its store read and may only `fill` the cache, or answer from what it read, while that
 * ticket is current — so a read that started before a change and finished after it can neither put
 * the old record back nor be believed. Tombstones are kept until there are `MAX_TOMBSTONES` of
 * them; then they are dropped together and the epoch moves, which makes every read then in flight
 * stale (it reads again): a tombstone always outlives the reads it must catch. Generations are kept
 * even with the cache turned off, since reads in flight can be stale without any cache.
 */
export class KeyCache {
  private readonly lru: LRUCache<string, CachedKey> | null;
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  readonly ttlMs: number;

  readonly max: number;
  private undersized: ((max: number) => void) | null;

  /** `onUndersized` is called once, the first time a key is evicted before its TTL ran out (more keys in use than `max`). */
  constructor(options: CacheOptions | false | undefined, onUndersized?: (max: number) => void) {
    this.ttlMs = options === false ? 0 : (options?.ttlMs ?? 10_000);
    this.max = options === false ? 0 : (options?.max ?? DEFAULT_CACHE_MAX);
    this.undersized = onUndersized ?? null;
    this.lru =
      options === false || this.ttlMs <= 0
        ? null
        : new LRUCache<string, CachedKey>({
            max: this.max,
            ttl: this.ttlMs,
            dispose: (entry, _id, reason) => {
              if (reason === 'evict' && this.undersized !== null && performance.now() - entry.cachedAt < this.ttlMs) {
                const report = this.undersized;
                this.undersized = null; // once
                report(this.max);
              }
            },
          });
  }

  get(id: string): CachedKey | undefined {
    return this.lru?.get(id);
  }

  /** Take this before reading `id` from the store. */
  ticket(id: string): CacheTicket {
    return { epoch: this.epoch, generation: this.generations.get(id) ?? 0 };
  }

  /** Whether nothing changed `id` since the ticket was taken. */
  isCurrent(id: string, ticket: CacheTicket): boolean {
    return ticket.epoch === this.epoch && ticket.generation === (this.generations.get(id) ?? 0);
  }

  /** Caches what a read returned, unless the key changed while it was in flight. Returns whether it did. */
  fill(id: string, entry: CachedKey, ticket: CacheTicket): boolean {
    if (!this.isCurrent(id, ticket)) return false;
    if (this.lru) {
      entry.cachedAt = performance.now();
      this.lru.set(id, entry);
    }
    return true;
  }

  /** Drops the entry without a tombstone: for bookkeeping (a refill), never for a change of the key. */
  delete(id: string): void {
    this.lru?.delete(id);
  }

  /** The key changed: drop its entry and make every read of it now in flight stale. */
  invalidate(id: string): void {
    this.lru?.delete(id);
    if (this.generations.size >= MAX_TOMBSTONES && !this.generations.has(id)) {
      this.generations.clear();
      this.epoch++;
    } else {
      this.generations.set(id, (this.generations.get(id) ?? 0) + 1);
    }
  }

  /** Forgets every entry and makes every read now in flight stale. */
  clear(): void {
    this.lru?.clear();
    this.generations.clear();
    this.epoch++;
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
