import { LRUCache } from 'lru-cache';
import type { LimitCheck, LimitDecision, RateLimiter } from './limiter.js';

/** The hits of one counter inside its window, oldest first, with their running sum. */
class Window {
  private times: number[] = [];
  private costs: number[] = [];
  private head = 0;
  used = 0;

  /** Drops hits that left the window (a true sliding window: each hit expires windowMs after it). */
  prune(now: number, windowMs: number): void {
    while (this.head < this.times.length && this.times[this.head]! <= now - windowMs) {
      this.used -= this.costs[this.head]!;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.costs = this.costs.slice(this.head);
      this.head = 0;
    }
  }

  record(now: number, cost: number): void {
    this.times.push(now);
    this.costs.push(cost);
    this.used += cost;
  }

  /** Takes back the most recent hit of exactly `cost` still in the window; false when there is none. */
  unrecord(cost: number): boolean {
    for (let i = this.times.length - 1; i >= this.head; i--) {
      if (this.costs[i] !== cost) continue;
      this.times.splice(i, 1);
      this.costs.splice(i, 1);
      this.used -= cost;
      return true;
    }
    return false;
  }

  /** Milliseconds until `needed` units have expired from the window. */
  waitFor(needed: number, now: number, windowMs: number): number {
    let freed = 0;
    for (let i = this.head; i < this.times.length; i++) {
      freed += this.costs[i]!;
      if (freed >= needed) return Math.max(1, this.times[i]! + windowMs - now);
    }
    return windowMs;
  }
}

export interface MemoryLimiterOptions {
  /** Counters kept; the least recently used go first. @default 100_000 */
  maxCounters?: number;
}

/** A sliding-window-log limiter for one process. Exact: at most `limit` units in any window. */
export function memoryLimiter(options: MemoryLimiterOptions = {}): RateLimiter & Required<Pick<RateLimiter, 'refund'>> & { readonly size: number } {
  const windows = new LRUCache<string, Window>({ max: options.maxCounters ?? 100_000 });

  return {
    get size() {
      return windows.size;
    },
    async limit(checks: readonly LimitCheck[], cost: number, now: number): Promise<LimitDecision> {
      const current = checks.map((check) => {
        let w = windows.get(check.key);
        if (!w) {
          w = new Window();
          windows.set(check.key, w);
        }
        w.prune(now, check.windowMs);
        return w;
      });
      for (let i = 0; i < checks.length; i++) {
        const { limit, windowMs } = checks[i]!;
        const w = current[i]!;
        const full = cost === 0 ? w.used >= limit : w.used + cost > limit;
        if (full) {
          const needed = cost === 0 ? w.used - limit + 1 : w.used + cost - limit;
          return { allowed: false, index: i, retryAfterMs: cost > limit ? windowMs : w.waitFor(needed, now, windowMs) };
        }
      }
      let remaining = Infinity;
      for (let i = 0; i < checks.length; i++) {
        if (cost > 0) current[i]!.record(now, cost);
        remaining = Math.min(remaining, checks[i]!.limit - current[i]!.used);
      }
      return { allowed: true, remaining: Number.isFinite(remaining) ? remaining : 0 };
    },
    async refund(checks: readonly LimitCheck[], cost: number, now: number): Promise<void> {
      if (!(cost > 0)) return;
      for (const check of checks) {
        const w = windows.peek(check.key);
        if (!w) continue;
        w.prune(now, check.windowMs);
        w.unrecord(cost);
      }
    },
  };
}
