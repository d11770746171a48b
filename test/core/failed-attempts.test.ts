import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, memoryLimiter, type RateLimiter } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisLimiter } from 'keysmith/redis';
import { countingStore, manualClock } from '../support/counting-store.js';
import { formatToken } from '../../src/token/token.js';
import { redisAvailable, redisClient } from '../support/redis.js';

/** A token-shaped string with a wrong checksum: the garbage a guesser sends (distinct per n). */
const garbage = (n = Math.floor(Math.random() * 2 ** 40)) => `sk_${n.toString(36).padStart(16, 'q')}_${'Zz9'.repeat(12)}xx`;
/** Address n inside 2001:db8:aa:bb::/64 (only the low 64 bits change). */
const inOne64 = (n = Math.floor(Math.random() * 2 ** 32)) => `2001:db8:aa:bb:0:${(n % 7).toString(16)}:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

const LEGIT = '198.51.100.7';

/** A well-formed token (valid checksum) for an id no key has: a guess that reaches the store's lookup. */
const wellFormedGuess = (n: number) => formatToken({ prefix: 'sk', id: n.toString(36).padStart(16, 'G'), secret: 'Q'.repeat(32) });

/**
 * 200 well-formed guesses fired at once from one network, against a throttle of `limit` 5: counting
 * and checking are one atomic limiter call, so at most 5 reach the store lookup (issue 12, leftover
 * of item 9). Valid tokens fired at once from the same network are never refused for it.
 */
async function concurrentGuesses(failureLimiter?: RateLimiter) {
  const counted = countingStore();
  const keyring = createKeyring({
    store: counted.store,
    prefix: 'sk',
    failedAttempts: { limit: 5, windowMs: 60_000, ...(failureLimiter ? { limiter: failureLimiter } : {}) },
  });
  const { token } = await keyring.create({ tenantId: 't', name: 'busy' });
  const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
  // A busy honest client first: once (a store read, its unit given back), then 50 at once from the
  // cache; none is refused, none is counted.
  expect((await keyring.verify(token, { ip })).valid).toBe(true);
  const honest = await Promise.all(Array.from({ length: 50 }, () => keyring.verify(token, { ip })));
  expect(honest.filter((r) => !r.valid).map((r) => (r.valid ? '' : r.code))).toEqual([]);
  const before = counted.calls.findById ?? 0;
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => keyring.verify(wellFormedGuess(i), { ip })));
  const lookups = (counted.calls.findById ?? 0) - before;
  const codes = results.map((r) => (r.valid ? 'valid' : r.code));
  expect(lookups, 'store lookups of guesses').toBeLessThanOrEqual(5);
  expect(codes.filter((c) => c === 'INVALID' || c === 'NOT_FOUND')).toHaveLength(5);
  expect(codes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(195);
  // The window is full of guesses: the honest key from that network is refused until it frees up.
  expect(await keyring.verify(token, { ip })).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
}
const rateLimits = [{ name: 'minute', limit: 3, windowMs: 60_000 }];

describe('failed attempts are counted apart from keys’ rate limits, IPv6 per /64', () => {
  it('100k garbage tokens from addresses of one /64 leave a key’s window and limit intact (memory limiter)', async () => {
    const clock = manualClock();
    const limiter = memoryLimiter(); // the keys' windows: 100,000 counters at most
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: clock.now, limiter, failedAttempts: { limit: 5, windowMs: 60_000 } });
    const { token } = await keyring.create({ tenantId: 't', name: 'k', rateLimits });
    for (let i = 0; i < 3; i++) expect((await keyring.verify(token, { ip: LEGIT })).valid).toBe(true);

    const codes = new Map<string, number>();
    for (let i = 0; i < 100_000; i++) {
      const result = await keyring.verify(garbage(i), { ip: inOne64(i) });
      if (!result.valid) codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
      if (i % 1000 === 0) clock.advance(1); // 100 ms in all: still inside every window
    }
    // The key's window survived the flood: its limit still holds.
    expect(await keyring.verify(token, { ip: LEGIT })).toMatchObject({ valid: false, code: 'RATE_LIMITED', limit: { name: 'minute' } });
    expect(limiter.size).toBe(1); // no failure counter ever entered the keys' limiter
    // One /64 is one guesser: 5 failures, then refused before any work.
    expect(Object.fromEntries(codes)).toEqual({ MALFORMED: 5, RATE_LIMITED: 99_995 });
    // The /64 is throttled even with a good key; another network is not.
    expect(await keyring.verify(token, { ip: '2001:db8:aa:bb::1' })).toMatchObject({ valid: false, code: 'RATE_LIMITED' });
    const other = await keyring.create({ tenantId: 't', name: 'other' });
    expect(await keyring.verify(other.token, { ip: '2001:db8:aa:cc::1' })).toMatchObject({ valid: true });
    clock.advance(60_000);
    expect(await keyring.verify(token, { ip: LEGIT })).toMatchObject({ valid: true });
  }, 60_000);

  it('counts IPv4 per address and IPv4-mapped IPv6 as that IPv4 address', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', failedAttempts: { limit: 2, windowMs: 60_000 } });
    const { token } = await keyring.create({ tenantId: 't', name: 'k' });
    await keyring.verify(garbage(), { ip: '203.0.113.9' });
    await keyring.verify(garbage(), { ip: '::ffff:203.0.113.9' });
    expect(await keyring.verify(token, { ip: '203.0.113.9' })).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await keyring.verify(token, { ip: '::ffff:cb00:7109' })).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await keyring.verify(token, { ip: '203.0.113.10' })).toMatchObject({ valid: true });
  });

  it('200 concurrent well-formed guesses from one network: at most the limit reach the store (memory limiter)', async () => {
    await concurrentGuesses();
  });

  it('a failure limiter without refund() is refused at construction', () => {
    const noRefund: RateLimiter = { limit: async () => ({ allowed: true, remaining: 1 }) };
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', failedAttempts: { limit: 5, windowMs: 1000, limiter: noRefund } })).toThrow(/refund/);
  });

  it('refuses one limiter for both, so a flood can never evict a key’s window', () => {
    const limiter = memoryLimiter();
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', limiter, failedAttempts: { limit: 5, windowMs: 1000, limiter } })).toThrow(
      /failedAttempts.*own limiter/,
    );
  });
});

const available = await redisAvailable();

describe.skipIf(!available)('failed attempts with Redis limiters (real Redis)', () => {
  const client = redisClient();
  const prefix = `keysmith:test:fail:${Date.now()}:${Math.random().toString(36).slice(2)}:`;
  afterAll(async () => {
    const keys = await client.keys(`${prefix}*`);
    if (keys.length) await client.del(...keys);
    await client.quit();
  });

  it('a flood from one /64 is one failure counter, outside the keys’ namespace; the key’s window holds', async () => {
    const keyring = createKeyring({
      store: memoryStore(),
      prefix: 'sk',
      limiter: redisLimiter({ client, keyPrefix: `${prefix}rl:` }),
      failedAttempts: { limit: 5, windowMs: 60_000, limiter: redisLimiter({ client, keyPrefix: `${prefix}fail:` }) },
    });
    const { token } = await keyring.create({ tenantId: 't', name: 'k', rateLimits });
    for (let i = 0; i < 3; i++) expect((await keyring.verify(token, { ip: LEGIT })).valid).toBe(true);
    const keysBefore = (await client.keys(`${prefix}rl:*`)).sort();

    const results = [];
    for (let batch = 0; batch < 100; batch++)
      results.push(...(await Promise.all(Array.from({ length: 20 }, () => keyring.verify(garbage(), { ip: inOne64() })))));
    expect(results.every((r) => !r.valid && (r.code === 'MALFORMED' || r.code === 'RATE_LIMITED'))).toBe(true);
    // Count and check are one call: a batch in flight cannot pass together.
    expect(results.filter((r) => !r.valid && r.code === 'MALFORMED').length).toBe(5);

    expect((await client.keys(`${prefix}rl:*`)).sort()).toEqual(keysBefore); // no failure counter among the keys' windows
    const failureCounters = new Set((await client.keys(`${prefix}fail:*`)).map((k) => k.replace(/:(sum|seq)$/, '')));
    // 2,000 addresses, one /64, one counter (besides the honest client's, whose first, cold verify took and gave back a unit).
    expect([...failureCounters].filter((k) => k.includes('v6:'))).toHaveLength(1);
    expect(await keyring.verify(token, { ip: LEGIT })).toMatchObject({ valid: false, code: 'RATE_LIMITED', limit: { name: 'minute' } });
  });

  it('200 concurrent well-formed guesses from one network: at most the limit reach the store (Redis limiter)', async () => {
    await concurrentGuesses(redisLimiter({ client, keyPrefix: `${prefix}fail2:` }));
  });
});
