import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, memoryLimiter } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisLimiter } from 'keysmith/redis';
import { manualClock } from '../support/counting-store.js';
import { redisAvailable, redisClient } from '../support/redis.js';

/** A token-shaped string with a wrong checksum: the garbage a guesser sends (distinct per n). */
const garbage = (n = Math.floor(Math.random() * 2 ** 40)) => `sk_${n.toString(36).padStart(16, 'q')}_${'Zz9'.repeat(12)}xx`;
/** Address n inside 2001:db8:aa:bb::/64 (only the low 64 bits change). */
const inOne64 = (n = Math.floor(Math.random() * 2 ** 32)) => `2001:db8:aa:bb:0:${(n % 7).toString(16)}:${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;

const LEGIT = '198.51.100.7';
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
    // Probe and count are two calls: a batch in flight may pass the probe together, never more.
    expect(results.filter((r) => !r.valid && r.code === 'MALFORMED').length).toBeLessThanOrEqual(5 + 20);

    expect((await client.keys(`${prefix}rl:*`)).sort()).toEqual(keysBefore); // no failure counter among the keys' windows
    const failureCounters = new Set((await client.keys(`${prefix}fail:*`)).map((k) => k.replace(/:(sum|seq)$/, '')));
    expect(failureCounters.size).toBe(1); // 2,000 addresses, one /64, one counter
    expect(await keyring.verify(token, { ip: LEGIT })).toMatchObject({ valid: false, code: 'RATE_LIMITED', limit: { name: 'minute' } });
  });
});
