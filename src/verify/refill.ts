import type { Refill } from '../store/record.js';

/** Start of the refill period that contains `now`: UTC day, UTC month, or fixed periods from `anchor`. */
export function refillPeriodStart(refill: Refill, now: number, anchor: Date): Date {
  if (refill.interval === 'day') {
    const d = new Date(now);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  }
  if (refill.interval === 'month') {
    const d = new Date(now);
    return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  }
  const elapsed = Math.max(0, now - anchor.getTime());
  return new Date(anchor.getTime() + Math.floor(elapsed / refill.interval) * refill.interval);
}

/** Start of the next period, for a `retryAfterMs` hint once credits run out. */
export function nextRefillAt(refill: Refill, now: number, anchor: Date): Date {
  const start = refillPeriodStart(refill, now, anchor);
  if (refill.interval === 'day') return new Date(start.getTime() + 86_400_000);
  if (refill.interval === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  return new Date(start.getTime() + refill.interval);
}
