/** Order statistics for the bench's paired rounds: no assumption about how the noise is distributed. */

/** The median (the mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * A distribution-free confidence interval for the median, from the sorted values themselves: the
 * k-th smallest and k-th largest, with k the largest rank such that a Binomial(n, ½) falls below
 * it with probability ≤ (1 − level) / 2 (k = 1 when even that is too much: the whole range). For 9
 * rounds at 95% that is the 2nd to the 8th value (96% coverage); for 5 rounds, the whole range
 * (94%). When the interval straddles a target, this run cannot tell whether the target is met.
 */
export function medianInterval(values: readonly number[], level = 0.95): { low: number; high: number } {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { low: Number.NaN, high: Number.NaN };
  const tail = (1 - level) / 2;
  // P(X < k) for X ~ Binomial(n, ½), accumulated rank by rank.
  let k = 1;
  let below = 0;
  let term = 0.5 ** n; // P(X = 0)
  for (let j = 0; j < n; j++) {
    below += term; // now P(X ≤ j) = P(X < j + 1)
    if (below > tail || j + 1 > (n + 1) / 2) break;
    k = j + 1;
    term = (term * (n - j)) / (j + 1);
  }
  return { low: s[k - 1]!, high: s[n - k]! };
}
