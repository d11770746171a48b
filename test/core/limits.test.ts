import { describe, expect, it } from 'vitest';
import { createKeyring, memoryLimiter, type RateLimiter } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { manualClock } from '../support/counting-store.js';

describe('memory limiter: a true sliding window', () => {
  it('admits exactly `limit` in any window, with exact edges', async () => {
    const limiter = memoryLimiter();
    const c = [{ key: 'k', limit: 3, windowMs: 1000 }];
    expect(await limiter.limit(c, 1, 0)).toEqual({ allowed: true, remaining: 2 });
    expect(await limiter.limit(c, 1, 100)).toEqual({ allowed: true, remaining: 1 });
    expect(await limiter.limit(c, 1, 200)).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.limit(c, 1, 300)).toEqual({ allowed: false, index: 0, retryAfterMs: 700 });
    expect(await limiter.limit(c, 1, 999)).toMatchObject({ allowed: false, retryAfterMs: 1 });
    expect(await limiter.limit(c, 1, 1000)).toMatchObject({ allowed: true }); // the hit at 0 has left
    expect(await limiter.limit(c, 1, 1099)).toEqual({ allowed: false, index: 0, retryAfterMs: 1 });
    expect(await limiter.limit(c, 1, 1100)).toMatchObject({ allowed: true });
  });

  it('is not a fixed window: a burst at the end of one window does not reset at the boundary', async () => {
    const limiter = memoryLimiter();
    const c = [{ key: 'k', limit: 5, windowMs: 60_000 }];
    for (let i = 0; i < 5; i++) expect((await limiter.limit(c, 1, 59_000)).allowed).toBe(true);
    expect((await limiter.limit(c, 1, 60_001)).allowed).toBe(false);
    expect((await limiter.limit(c, 1, 118_999)).allowed).toBe(false);
    expect((await limiter.limit(c, 5, 119_000)).allowed).toBe(true);
  });

  it('weighs costs, probes with cost 0, and refuses a cost above the limit', async () => {
    const limiter = memoryLimiter();
    const c = [{ key: 'k', limit: 10, windowMs: 1000 }];
    expect(await limiter.limit(c, 7, 0)).toEqual({ allowed: true, remaining: 3 });
    expect(await limiter.limit(c, 4, 1)).toMatchObject({ allowed: false, retryAfterMs: 999 });
    expect(await limiter.limit(c, 0, 2)).toEqual({ allowed: true, remaining: 3 });
    expect(await limiter.limit(c, 3, 3)).toEqual({ allowed: true, remaining: 0 });
    expect(await limiter.limit(c, 0, 4)).toMatchObject({ allowed: false });
    expect(await limiter.limit(c, 11, 2000)).toMatchObject({ allowed: false, retryAfterMs: 1000 });
  });

  it('is all or nothing across counters', async () => {
    const limiter = memoryLimiter();
    const a = { key: 'a', limit: 1, windowMs: 1000 };
    const b = { key: 'b', limit: 5, windowMs: 1000 };
    expect((await limiter.limit([a, b], 1, 0)).allowed).toBe(true);
    expect(await limiter.limit([b, a], 1, 1)).toMatchObject({ allowed: false, index: 1 });
    expect(await limiter.limit([b], 4, 2)).toEqual({ allowed: true, remaining: 0 }); // the refused call used none of b
  });
});

describe('rate limits in verify', () => {
  const setup = () => {
    const clock = manualClock(0);
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: clock.now });
    return { clock, keyring };
  };

  it('answers RATE_LIMITED with retryAfterMs and the limit that was hit; named limits have their own counters', async () => {
    const { clock, keyring } = setup();
    const { token } = await keyring.create({
      tenantId: 't',
      name: 'k',
      rateLimits: [
        { name: 'burst', limit: 2, windowMs: 1000 },
        { name: 'daily', limit: 3, windowMs: 86_400_000 },
      ],
    });
    expect((await keyring.verify(token)).valid).toBe(true);
    expect((await keyring.verify(token)).valid).toBe(true);
    expect(await keyring.verify(token)).toMatchObject({
      valid: false,
      code: 'RATE_LIMITED',
      retryAfterMs: 1000,
      limit: { name: 'burst', limit: 2, windowMs: 1000 },
    });
    clock.advance(1000);
    expect((await keyring.verify(token)).valid).toBe(true);
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'RATE_LIMITED', limit: { name: 'daily' } });
  });

  it('a request cost counts against the limits', async () => {
    const { keyring } = setup();
    const { token } = await keyring.create({ tenantId: 't', name: 'k', rateLimits: [{ name: 'tokens', limit: 100, windowMs: 60_000 }] });
    expect((await keyring.verify(token, { cost: 60 })).valid).toBe(true);
    expect(await keyring.verify(token, { cost: 50 })).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await keyring.verify(token, { cost: 40 })).valid).toBe(true);
  });

  it('a rate-limited request does not spend credits', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k', remaining: 10, rateLimits: [{ name: 'r', limit: 1, windowMs: 60_000 }] });
    await keyring.verify(token);
    await keyring.verify(token);
    expect((await keyring.get('t', key.id))!.remaining).toBe(9);
  });

  it('owner-wide limits are shared by all keys of one owner, and only them', async () => {
    const { keyring } = setup();
    const rateLimits = [{ name: 'plan', limit: 3, windowMs: 60_000, per: 'owner' as const }];
    const a = await keyring.create({ tenantId: 't', name: 'a', ownerId: 'cust_1', rateLimits });
    const b = await keyring.create({ tenantId: 't', name: 'b', ownerId: 'cust_1', rateLimits });
    const other = await keyring.create({ tenantId: 't', name: 'c', ownerId: 'cust_2', rateLimits });
    const results = [await keyring.verify(a.token), await keyring.verify(b.token), await keyring.verify(a.token), await keyring.verify(b.token)];
    expect(results.map((r) => r.valid)).toEqual([true, true, true, false]);
    expect((await keyring.verify(other.token)).valid).toBe(true);
  });

  it('throttles failed guesses per client address when configured', async () => {
    const clock = manualClock(0);
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: clock.now, failedAttempts: { limit: 3, windowMs: 60_000 } });
    const { token } = await keyring.create({ tenantId: 't', name: 'k' });
    const wrong = token.slice(0, -1) + (token.endsWith('a') ? 'b' : 'a');
    for (let i = 0; i < 3; i++) expect(await keyring.verify(wrong, { ip: '203.0.113.9' })).toMatchObject({ code: 'MALFORMED' });
    expect(await keyring.verify(wrong, { ip: '203.0.113.9' })).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 60_000 });
    expect(await keyring.verify(token, { ip: '203.0.113.9' })).toMatchObject({ code: 'RATE_LIMITED' });
    expect(await keyring.verify(token, { ip: '198.51.100.1' })).toMatchObject({ valid: true });
    for (let i = 0; i < 10; i++) expect((await keyring.verify(token, { ip: '198.51.100.1' })).valid).toBe(true);
    clock.advance(60_000);
    expect(await keyring.verify(token, { ip: '203.0.113.9' })).toMatchObject({ valid: true });
  });

  it('fails closed when the limiter fails, or open when told to', async () => {
    const broken: RateLimiter = {
      limit: async () => {
        throw new Error('redis down');
      },
    };
    const rateLimits = [{ name: 'r', limit: 5, windowMs: 1000 }];
    const closed = createKeyring({ store: memoryStore(), prefix: 'sk', limiter: broken });
    const k1 = await closed.create({ tenantId: 't', name: 'k', rateLimits });
    expect(await closed.verify(k1.token)).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
    const events: string[] = [];
    const open = createKeyring({ store: memoryStore(), prefix: 'sk', limiter: broken, limiterFailure: 'open', onEvent: (e) => events.push(e.type) });
    const k2 = await open.create({ tenantId: 't', name: 'k', rateLimits });
    expect(await open.verify(k2.token)).toMatchObject({ valid: true });
    expect(events).toContain('store.error');
    const unlimited = await closed.create({ tenantId: 't', name: 'free' });
    expect(await closed.verify(unlimited.token)).toMatchObject({ valid: true });
  });

  it('limits: false re-checks a key without counting it against limits or credits', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'k', remaining: 5, rateLimits: [{ name: 'r', limit: 1, windowMs: 60_000 }] });
    expect((await keyring.verify(token)).valid).toBe(true);
    for (let i = 0; i < 5; i++) expect(await keyring.verify(token, { limits: false })).toMatchObject({ valid: true });
    expect(await keyring.verify(token)).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await keyring.get('t', key.id))!.remaining).toBe(4);
    await keyring.revoke('t', key.id);
    expect(await keyring.verify(token, { limits: false })).toMatchObject({ code: 'REVOKED' });
  });

  it('refuses bad limit settings at create', async () => {
    const { keyring } = setup();
    for (const rateLimits of [
      [{ name: 'x', limit: 0, windowMs: 1000 }],
      [{ name: 'x', limit: 1, windowMs: 10 }],
      [{ name: 'bad name', limit: 1, windowMs: 1000 }],
      [{ name: 'x', limit: 1, windowMs: 1000, per: 'tenant' }],
    ]) {
      await expect(keyring.create({ tenantId: 't', name: 'k', rateLimits: rateLimits as never })).rejects.toMatchObject({ code: 'VALIDATION' });
    }
    expect(() => createKeyring({ store: memoryStore(), prefix: 'sk', failedAttempts: { limit: 0, windowMs: 1 } })).toThrow(/failedAttempts/);
  });
});
