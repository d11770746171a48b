import { describe, expect, it } from 'vitest';
import { createKeyring, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { TouchLog } from '../../src/verify/effects.js';
import { countingStore, manualClock } from '../support/counting-store.js';

describe('lastUsedAt: at most one write per key per interval, whatever the number of active keys', () => {
  it('250,000 active keys each used three times within an interval: one claim per key (a 100k cap cleared wholesale gave one per use)', () => {
    const log = new TouchLog(60_000);
    const ids = Array.from({ length: 250_000 }, (_, i) => `k${i}`);
    let now = 1_000_000;
    let claims = 0;
    for (let round = 0; round < 3; round++) {
      for (const id of ids) if (log.claim(id, now)) claims++;
      now += 10_000;
    }
    expect(claims).toBe(ids.length);
    // One interval after each key's write, every key is due again, once.
    now = 1_000_000 + 60_000;
    let again = 0;
    for (let round = 0; round < 2; round++) for (const id of ids) if (log.claim(id, now + round)) again++;
    expect(again).toBe(ids.length);
  });

  it('a key written late in one bucket is not written again early in the next', () => {
    const log = new TouchLog(1_000);
    expect(log.claim('a', 0)).toBe(true);
    expect(log.claim('b', 900)).toBe(true);
    expect(log.claim('a', 1_000)).toBe(true); // a new bucket begins; a's write is an interval old
    expect(log.claim('b', 1_500)).toBe(false); // b was written 600 ms ago, in the previous bucket
    expect(log.claim('b', 1_900)).toBe(true);
    expect(log.claim('a', 5_000)).toBe(true); // long idle: both buckets dropped
    expect(log.size).toBeLessThanOrEqual(2);
  });

  it('an interval of 0 writes on every verify', () => {
    const log = new TouchLog(0);
    expect([log.claim('a', 1), log.claim('a', 1)]).toEqual([true, true]);
  });

  it('four instances on one store: the store keeps the first write of the interval (conditional update), not one per instance', async () => {
    const clock = manualClock();
    const shared = memoryStore();
    const counting = countingStore(shared);
    const instances = Array.from({ length: 4 }, () => createKeyring({ store: counting.store, prefix: 'sk', clock: clock.now, touchIntervalMs: 60_000 }));
    const { key, token } = await instances[0]!.create({ tenantId: 't', name: 'k' });
    const first = clock.now();
    for (const keyring of instances) {
      expect((await keyring.verify(token)).valid).toBe(true);
      clock.advance(1_000);
    }
    await new Promise((r) => setTimeout(r, 10));
    expect(counting.calls.touch).toBe(4); // each instance asks once...
    expect((await shared.findById(key.id))!.lastUsedAt).toEqual(new Date(first)); // ...the store wrote once
    clock.advance(60_000);
    await instances[3]!.verify(token);
    await new Promise((r) => setTimeout(r, 10));
    expect((await shared.findById(key.id))!.lastUsedAt).toEqual(new Date(clock.now()));
  });
});

describe('verify cache sizing', () => {
  it('more keys in use than cache.max: one cache.undersized event (no id, no token); a cache big enough: none', async () => {
    const events: KeysmithEvent[] = [];
    const small = createKeyring({ store: memoryStore(), prefix: 'sk', cache: { max: 5 }, onEvent: (e) => events.push(e) });
    const tokens: string[] = [];
    for (let i = 0; i < 8; i++) tokens.push((await small.create({ tenantId: 't', name: `k${i}` })).token);
    for (let round = 0; round < 3; round++) for (const token of tokens) expect((await small.verify(token)).valid).toBe(true);
    const undersized = events.filter((e) => e.type === 'cache.undersized');
    expect(undersized).toHaveLength(1);
    expect(undersized[0]).toMatchObject({ max: 5 });
    const text = JSON.stringify(undersized[0]);
    for (const token of tokens) {
      expect(text).not.toContain(token);
      expect(text).not.toContain(token.slice(-32));
    }

    const quiet: KeysmithEvent[] = [];
    const sized = createKeyring({ store: memoryStore(), prefix: 'sk', cache: { max: 8 }, onEvent: (e) => quiet.push(e) });
    const more: string[] = [];
    for (let i = 0; i < 8; i++) more.push((await sized.create({ tenantId: 't', name: `k${i}` })).token);
    for (let round = 0; round < 3; round++) for (const token of more) await sized.verify(token);
    expect(quiet.filter((e) => e.type === 'cache.undersized')).toHaveLength(0);
  });

  it('evicting keys whose TTL ran out is not reported', async () => {
    const events: KeysmithEvent[] = [];
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', cache: { max: 2, ttlMs: 20 }, onEvent: (e) => events.push(e) });
    const tokens: string[] = [];
    for (let i = 0; i < 4; i++) tokens.push((await keyring.create({ tenantId: 't', name: `k${i}` })).token);
    for (const token of tokens) {
      await keyring.verify(token);
      await new Promise((r) => setTimeout(r, 30)); // the one cached before has expired by now
    }
    expect(events.filter((e) => e.type === 'cache.undersized')).toHaveLength(0);
  });
});
