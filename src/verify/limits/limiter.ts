/** One counter to check: a sliding window of `windowMs` that admits at most `limit` units. */
export interface LimitCheck {
  /** Counter identity, e.g. `key:<id>:<name>` or `owner:<tenant>:<owner>:<name>`. */
  key: string;
  limit: number;
  windowMs: number;
  /**
   * Counters that may be decided together in one call share a group; a sharded limiter keeps one
   * group on one shard (the Redis limiter makes it the hash tag, so it runs on Redis Cluster).
   * keysmith groups a key's counters by its tenant. Without a group, a counter is its own.
   */
  group?: string;
}

export type LimitDecision =
  | { allowed: true /** Units left in the tightest window after this request. */; remaining: number }
  | { allowed: false /** Which check refused. */; index: number /** When enough units free up for this cost. */; retryAfterMs: number };

/**
 * Rate limiting across several counters, all or nothing: the cost is recorded on every counter only
 * when each one has room (so one refused request never eats another limit's quota).
 * A cost of 0 records nothing and is refused only when a window is already full.
 * Implementations must be ATOMIC per call (a single-threaded section, or one Lua script on Redis).
 */
export interface RateLimiter {
  limit(checks: readonly LimitCheck[], cost: number, now: number): Promise<LimitDecision>;
  /**
   * Gives back `cost` units an earlier admitted `limit` call recorded on every counter of `checks`
   * (its most recent hit of that cost), as one ATOMIC step. The failed-attempt throttle needs it:
   * it counts an attempt before checking it (count-and-check in one call, so concurrent guesses
   * cannot all pass) and gives the unit back when the attempt was not a guess. Optional for the
   * keys' limiter; required of `failedAttempts.limiter`. `memoryLimiter` and `redisLimiter` have it.
   */
  refund?(checks: readonly LimitCheck[], cost: number, now: number): Promise<void>;
}
