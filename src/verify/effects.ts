import { describeError, type EventListener } from '../events/events.js';
import type { ApiKeyRecord } from '../store/record.js';
import type { KeyStore } from '../store/store.js';
import type { CachedKey, KeyCache } from './key-cache.js';
import type { LimitCheck, LimitDecision, RateLimiter } from './limits/limiter.js';
import { nextRefillAt, refillPeriodStart } from './refill.js';
import { withTimeout } from './timeout.js';
import { failure, type VerifyFailure, type VerifyFailureCode, type VerifyResult } from './verify-result.js';

/** What applying a verdict needs: the store, the cache, the clock, the event listener and the limiter. */
export interface EffectDeps {
  store: KeyStore;
  cache: KeyCache;
  now: () => number;
  emit: EventListener;
  hasListener: boolean;
  touchIntervalMs: number;
  storeTimeoutMs: number;
  /** Keys' named rate limits. */
  limiter: RateLimiter;
  /** What a limiter fault does: 'closed' refuses (STORE_UNAVAILABLE), 'open' admits and reports. */
  limiterFailure: 'closed' | 'open';
}

type FailureExtra = Omit<VerifyFailure, 'valid' | 'code' | 'message' | 'keyId'>;

/**
 * Counters for a key's named limits; `per: 'owner'` limits share one counter across the owner's
 * keys. All are grouped by tenant (which never changes), so one call's counters share a shard.
 */
function limitChecks(record: ApiKeyRecord): LimitCheck[] {
  return record.rateLimits.map((l) => ({
    key: l.per === 'owner' && record.ownerId !== null ? `owner:${record.tenantId}:${record.ownerId}:${l.name}` : `key:${record.id}:${l.name}`,
    limit: l.limit,
    windowMs: l.windowMs,
    group: `tenant:${record.tenantId}`,
  }));
}

/**
 * When each key was last written, in two time buckets of one interval each: a key touched in the
 * current bucket, or in the previous one less than an interval ago, is not written again. Buckets
 * are dropped whole once they are an interval old, so memory follows the keys used in the last two
 * intervals and no cap can make every verify write (as clearing one map at 100k keys did).
 */
export class TouchLog {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private currentStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  /** Whether `id` is due a write at `now`; if so, records it. */
  claim(id: string, now: number): boolean {
    if (!(this.intervalMs > 0)) return true; // an interval of 0: every verify writes
    if (now - this.currentStart >= this.intervalMs) {
      // More than one interval since the current bucket began: what it holds becomes the previous one
      // (or, after two intervals, nothing it holds can still block a write).
      this.previous = now - this.currentStart < 2 * this.intervalMs ? this.current : new Map();
      this.current = new Map();
      this.currentStart = now;
    }
    const last = this.current.get(id) ?? this.previous.get(id);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.current.set(id, now);
    return true;
  }

  /** Keys remembered (both buckets). */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}

/**
 * The effects of a verification, apart from deciding it (decide.ts): the `key.rejected` and
 * `key.verified` events, `lastUsedAt` (touch), counting rate limits, and spending credits.
 */
export function createEffects(deps: EffectDeps) {
  const storeFault = (operation: string, error: unknown) =>
    deps.emit({ type: 'store.error', at: new Date(deps.now()), operation, error: describeError(error) });

  /** A refusal: reported as `key.rejected`, answered with the code's fixed message. */
  const reject = (code: VerifyFailureCode, keyId: string | null, tenantId: string | null, extra: FailureExtra = {}): VerifyResult => {
    if (deps.hasListener) deps.emit({ type: 'key.rejected', at: new Date(deps.now()), code, keyId, tenantId });
    return failure(code, keyId === null ? extra : { keyId, ...extra });
  };

  const touched = new TouchLog(deps.touchIntervalMs);

  /**
   * lastUsedAt is written at most once per key per interval, off the answer's path: here per
   * process (whatever the number of active keys, see `TouchLog`), and across instances by the
   * store's guarded write (`touch(id, at, interval)` skips a key written within the interval).
   */
  const touch = (id: string, now: number) => {
    if (!touched.claim(id, now)) return;
    deps.store.touch(id, new Date(now), deps.touchIntervalMs).catch((error: unknown) => storeFault('touch', error));
  };

  return {
    storeFault,
    reject,

    /** An admission: touches the key and reports `key.verified`. */
    admit(id: string, entry: CachedKey, resultKey: CachedKey['key'], now: number): VerifyResult {
      touch(id, now);
      if (deps.hasListener) deps.emit({ type: 'key.verified', at: new Date(now), keyId: id, tenantId: entry.record.tenantId });
      return { valid: true, key: resultKey, permissions: entry.permissions };
    },

    /** Counts the key's named rate limits; null when admitted. */
    async rateLimit(record: ApiKeyRecord, cost: number, now: number): Promise<VerifyResult | null> {
      if (record.rateLimits.length === 0) return null;
      let decision: LimitDecision;
      try {
        decision = await deps.limiter.limit(limitChecks(record), cost, now);
      } catch (error) {
        storeFault('limiter', error);
        return deps.limiterFailure === 'open' ? null : reject('STORE_UNAVAILABLE', record.id, record.tenantId);
      }
      if (decision.allowed) return null;
      const hit = record.rateLimits[decision.index]!;
      return reject('RATE_LIMITED', record.id, record.tenantId, {
        retryAfterMs: decision.retryAfterMs,
        limit: { name: hit.name, limit: hit.limit, windowMs: hit.windowMs, remaining: 0 },
      });
    },

    /** Spends credits in the store (atomic), refilling first when a new period has begun; the balance left, or the refusal. */
    async spend(entry: CachedKey, cost: number, now: number): Promise<number | VerifyResult> {
      const { record } = entry;
      if (record.refill) {
        const periodStart = refillPeriodStart(record.refill, now, record.createdAt);
        if (!record.refilledAt || record.refilledAt < periodStart) {
          await withTimeout(deps.store.refill(record.id, record.refill.amount, periodStart), deps.storeTimeoutMs);
          deps.cache.delete(record.id); // the cached refilledAt is stale now
        }
      }
      const left = await withTimeout(deps.store.consume(record.id, cost), deps.storeTimeoutMs);
      if (left === null) {
        const retry = record.refill ? { retryAfterMs: Math.max(0, nextRefillAt(record.refill, now, record.createdAt).getTime() - now) } : {};
        return reject('USAGE_EXCEEDED', record.id, record.tenantId, retry);
      }
      return left;
    },
  };
}
