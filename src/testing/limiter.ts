import assert from 'node:assert/strict';
import type { LimitCheck, RateLimiter } from 'keysmith';
import { newId, type TestApi } from './harness.js';

export interface LimiterConformanceOptions {
  /** Shown in test names, e.g. "memory" or "redis cluster". */
  name: string;
  /** A limiter for one test; it may be shared: every test uses fresh counter keys. */
  createLimiter: () => RateLimiter | Promise<RateLimiter>;
  test: TestApi;
  /** Per-test timeout in ms. @default 30_000 */
  timeout?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * keysmith/testing: the rate-limiter conformance suite. Any `RateLimiter` runs it unchanged
 * (`memoryLimiter`, `redisLimiter` on one Redis or on Redis Cluster, yours). Time is the real
 * clock: limiters that keep their own (Redis's server time) and those given `now` both pass.
 */
export function runLimiterConformance(options: LimiterConformanceOptions): void {
  const { describe } = options.test;
  const it = (name: string, fn: (limiter: RateLimiter) => Promise<void>) =>
    options.test.it(name, async () => fn(await options.createLimiter()), options.timeout ?? 30_000);
  /** Counters of one test, in one group (as a key's limits are, so they share a shard). */
  const counters = (...specs: [limit: number, windowMs: number][]): LimitCheck[] => {
    const group = `g${newId()}`;
    return specs.map(([limit, windowMs], i) => ({ key: `${group}:c${i}`, limit, windowMs, group }));
  };

  describe(`RateLimiter conformance: ${options.name}`, () => {
    it('admits exactly `limit` units, counting down `remaining`', async (limiter) => {
      const c = counters([5, 60_000]);
      const answers = [];
      for (let i = 0; i < 7; i++) answers.push(await limiter.limit(c, 1, Date.now()));
      assert.deepEqual(
        answers.slice(0, 5),
        [4, 3, 2, 1, 0].map((remaining) => ({ allowed: true, remaining })),
      );
      for (const refused of answers.slice(5)) {
        assert.equal(refused.allowed, false);
        assert.ok(!refused.allowed && refused.index === 0 && refused.retryAfterMs > 0 && refused.retryAfterMs <= 60_000, JSON.stringify(refused));
      }
    });

    it('concurrent calls never admit more than the limit', async (limiter) => {
      const c = counters([10, 60_000]);
      const answers = await Promise.all(Array.from({ length: 40 }, () => limiter.limit(c, 1, Date.now())));
      assert.equal(answers.filter((a) => a.allowed).length, 10);
    });

    it('is all or nothing across the counters of one call', async (limiter) => {
      const [a, b] = counters([1, 60_000], [5, 60_000]) as [LimitCheck, LimitCheck];
      assert.equal((await limiter.limit([a, b], 1, Date.now())).allowed, true);
      const refused = await limiter.limit([b, a], 1, Date.now());
      assert.ok(!refused.allowed && refused.index === 1, JSON.stringify(refused));
      assert.deepEqual(await limiter.limit([b], 4, Date.now()), { allowed: true, remaining: 0 }); // the refused call used none of b
    });

    it('weighs costs; cost 0 probes without recording; a cost above the limit waits a whole window', async (limiter) => {
      const [c, d] = counters([10, 60_000], [3, 60_000]) as [LimitCheck, LimitCheck];
      assert.deepEqual(await limiter.limit([c], 7, Date.now()), { allowed: true, remaining: 3 });
      const over = await limiter.limit([c], 4, Date.now());
      assert.ok(!over.allowed && over.retryAfterMs > 0 && over.retryAfterMs <= 60_000, JSON.stringify(over));
      assert.deepEqual(await limiter.limit([c], 0, Date.now()), { allowed: true, remaining: 3 });
      assert.deepEqual(await limiter.limit([c], 3, Date.now()), { allowed: true, remaining: 0 });
      assert.equal((await limiter.limit([c], 0, Date.now())).allowed, false);
      assert.deepEqual(await limiter.limit([d], 4, Date.now()), { allowed: false, index: 0, retryAfterMs: 60_000 });
    });

    it('counters are independent', async (limiter) => {
      const [a] = counters([1, 60_000]) as [LimitCheck];
      const [b] = counters([1, 60_000]) as [LimitCheck];
      assert.equal((await limiter.limit([a], 1, Date.now())).allowed, true);
      assert.equal((await limiter.limit([b], 1, Date.now())).allowed, true);
      assert.equal((await limiter.limit([a], 1, Date.now())).allowed, false);
    });

    it('refund (when the limiter has it) gives back one admitted unit per counter, never more', async (limiter) => {
      if (!limiter.refund) return;
      const c = counters([3, 60_000], [5, 60_000]);
      for (let i = 0; i < 3; i++) assert.equal((await limiter.limit(c, 1, Date.now())).allowed, true);
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, false);
      await limiter.refund(c, 1, Date.now());
      assert.deepEqual(await limiter.limit(c, 1, Date.now()), { allowed: true, remaining: 0 });
      const [fresh] = counters([1, 60_000]) as [LimitCheck];
      await limiter.refund([fresh], 1, Date.now()); // nothing to give back: no credit in advance
      assert.equal((await limiter.limit([fresh], 1, Date.now())).allowed, true);
      assert.equal((await limiter.limit([fresh], 1, Date.now())).allowed, false);
    });

    it('concurrent take-then-refund never lets more than the limit be held at once', async (limiter) => {
      if (!limiter.refund) return;
      const c = counters([4, 60_000]);
      let held = 0;
      let most = 0;
      const answers = await Promise.all(
        Array.from({ length: 30 }, async () => {
          const d = await limiter.limit(c, 1, Date.now());
          if (!d.allowed) return false;
          most = Math.max(most, ++held);
          await sleep(5);
          held--;
          await limiter.refund!(c, 1, Date.now());
          return true;
        }),
      );
      assert.ok(most <= 4, `held ${most} at once`);
      assert.ok(answers.filter(Boolean).length >= 4);
      assert.deepEqual(await limiter.limit(c, 4, Date.now()), { allowed: true, remaining: 0 }); // all given back
    });

    it('a counter without a group works on its own', async (limiter) => {
      const c: LimitCheck[] = [{ key: `solo:${newId()}`, limit: 2, windowMs: 60_000 }];
      assert.equal((await limiter.limit(c, 2, Date.now())).allowed, true);
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, false);
    });

    it('hits leave the window windowMs after they were made (sliding)', async (limiter) => {
      const c = counters([2, 1_000]);
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, true);
      await sleep(400);
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, true);
      const refused = await limiter.limit(c, 1, Date.now());
      assert.ok(!refused.allowed && refused.retryAfterMs > 0 && refused.retryAfterMs <= 1_000, JSON.stringify(refused));
      await sleep(refused.allowed ? 0 : refused.retryAfterMs + 30);
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, true); // the first hit has left
      assert.equal((await limiter.limit(c, 1, Date.now())).allowed, false); // the second has not
    });
  });
}
