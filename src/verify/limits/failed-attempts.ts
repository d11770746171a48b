import ipaddr from 'ipaddr.js';
import type { LimitCheck, RateLimiter } from './limiter.js';
import { memoryLimiter } from './memory-limiter.js';

/** Guess throttling: failed verifications allowed per client network and window. */
export interface FailedAttemptsOptions {
  /** Failed verifications (malformed, unknown, wrong secret) allowed per network and window. */
  limit: number;
  windowMs: number;
  /**
   * Where failures are counted: never the keyring's `limiter`, so a flood of guesses cannot evict
   * a key's rate-limit window. Pass `redisLimiter({ client, keyPrefix: 'keysmith:fail:' })` to
   * throttle across a fleet.
   * @default memoryLimiter({ maxCounters: 10_000 }) — this process, its own bounded LRU
   */
  limiter?: RateLimiter;
}

/** Counters of the default failure limiter; a flood of addresses evicts only other failure counters. */
const FAILURE_COUNTERS = 10_000;

/**
 * The network one client's guesses are counted under: an IPv4 address, or the /64 of an IPv6
 * address (one subscriber usually holds a whole /64, so per-address counting would let it guess
 * freely). IPv4-mapped IPv6 counts as its IPv4 address. Anything else is counted as given.
 */
function failureBucket(ip: string): string {
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    address = ipaddr.process(ip);
  } catch {
    return `other:${ip.slice(0, 100)}`;
  }
  if (address.kind() === 'ipv4') return `v4:${address.toString()}`;
  const parts = (address as ipaddr.IPv6).parts;
  return `v6:${parts[0]!.toString(16)}:${parts[1]!.toString(16)}:${parts[2]!.toString(16)}:${parts[3]!.toString(16)}::/64`;
}

/** A limiter that can give units back: what the failure throttle needs (the keyring checks it at construction). */
type RefundingLimiter = RateLimiter & Required<Pick<RateLimiter, 'refund'>>;

/** Where failed guesses are counted, apart from keys' rate limits, and under which counter. */
export function createFailureThrottle(options: FailedAttemptsOptions) {
  const { limit, windowMs } = options;
  return {
    limiter: (options.limiter ?? memoryLimiter({ maxCounters: FAILURE_COUNTERS })) as RefundingLimiter,
    /** The one counter of the caller's network: take a unit before checking an attempt, refund it when it was no guess. */
    checksFor: (ip: string): LimitCheck[] => [{ key: `fail:${failureBucket(ip)}`, limit, windowMs }],
  };
}

export type FailureThrottle = ReturnType<typeof createFailureThrottle>;
