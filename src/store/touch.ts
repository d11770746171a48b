/**
 * For a store's `touch(id, at, minIntervalMs)`: the write goes ahead only when the stored
 * lastUsedAt is null or earlier than the returned time, i.e. at least `minIntervalMs` before `at`
 * (an interval of 0: any earlier time). keysmith's times are whole milliseconds, so "at least an
 * interval before" is "earlier than `at − interval + 1 ms`" — one strict comparison in every store.
 */
export function touchDueBefore(at: Date, minIntervalMs = 0): Date {
  const gap = Number.isFinite(minIntervalMs) && minIntervalMs >= 1 ? Math.floor(minIntervalMs) - 1 : 0;
  return new Date(at.getTime() - gap);
}
