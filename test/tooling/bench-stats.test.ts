import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { median, medianInterval } from '../../bench/lib/stats.js';

/** P(X < k) for X ~ Binomial(n, ½), exactly (BigInt binomial coefficients). */
function below(n: number, k: number): number {
  let sum = 0n;
  let c = 1n; // C(n, 0)
  for (let j = 0; j < k; j++) {
    sum += c;
    c = (c * BigInt(n - j)) / BigInt(j + 1);
  }
  return Number(sum) / 2 ** n;
}

describe('bench statistics', () => {
  it('medianInterval uses the widest-tail ranks the exact binomial allows', () => {
    for (let n = 1; n <= 40; n++) {
      const values = Array.from({ length: n }, (_, i) => i + 1);
      const { low, high } = medianInterval(values);
      const k = low; // values are their own ranks
      expect(high).toBe(n - k + 1);
      // k is allowed (or 1, the whole range), and k + 1 would not be.
      if (k > 1) expect(below(n, k)).toBeLessThanOrEqual(0.025);
      if (k + 1 <= (n + 1) / 2) expect(below(n, k + 1)).toBeGreaterThan(0.025);
    }
  });

  it('the interval holds the median and lies within the values, in any order', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 60 }), (values) => {
        const { low, high } = medianInterval(values);
        const m = median(values);
        expect(low).toBeLessThanOrEqual(m);
        expect(high).toBeGreaterThanOrEqual(m);
        expect(low).toBeGreaterThanOrEqual(Math.min(...values));
        expect(high).toBeLessThanOrEqual(Math.max(...values));
        expect(medianInterval([...values].reverse())).toEqual({ low, high });
      }),
    );
  });

  it('knows the classic cases: 9 rounds give the 2nd to 8th value, 5 rounds the whole range', () => {
    expect(medianInterval([9, 1, 8, 2, 7, 3, 6, 4, 5])).toEqual({ low: 2, high: 8 });
    expect(medianInterval([5, 4, 3, 2, 1])).toEqual({ low: 1, high: 5 });
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
