import { describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { countingStore, downStore, manualClock } from '../support/counting-store.js';

const DAY = 86_400_000;

function setup(extra: Partial<Parameters<typeof createKeyring>[0]> = {}) {
  const clock = manualClock();
  const events: KeysmithEvent[] = [];
  const counting = countingStore();
  const keyring = createKeyring({ store: counting.store, prefix: 'sk_test', clock: clock.now, onEvent: (e) => events.push(e), ...extra });
  return { keyring, clock, events, counting, store: counting.store };
}

describe('keyring lifecycle', () => {
  it('create returns the token once and a redacted key; the store holds only the hash', async () => {
    const { keyring, store } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'CI', scopes: ['builds:write'], metadata: { team: 'infra' } });
    expect(key).not.toHaveProperty('hash');
    expect(JSON.stringify(key)).not.toContain(token.slice(-38));
    const stored = (await store.findById(key.id))!;
    expect(stored.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(JSON.stringify(stored)).not.toContain(token.slice(-38, -6));
    expect(await keyring.get('acme', key.id)).toEqual(key);
    expect(await keyring.get('acme', key.id)).not.toHaveProperty('hash');
  });

  it('verify answers each code: valid, NOT_FOUND, INVALID, DISABLED, REVOKED, EXPIRED', async () => {
    const { keyring, clock } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'k', expiresIn: '7d' });
    expect(await keyring.verify(token)).toMatchObject({ valid: true, key: { id: key.id, tenantId: 'acme' } });

    const forged = token.slice(0, -38) + 'A'.repeat(32);
    const { formatToken, parseToken } = await import('../../src/token/token.js');
    const wrongSecret = formatToken({ ...parseToken(token)!, secret: 'B'.repeat(32) });
    const unknownId = formatToken({ ...parseToken(token)!, id: 'C'.repeat(16) });
    expect(await keyring.verify(forged)).toMatchObject({ code: 'MALFORMED' });
    expect(await keyring.verify(wrongSecret)).toMatchObject({ valid: false, code: 'INVALID' });
    expect(await keyring.verify(unknownId)).toMatchObject({ valid: false, code: 'NOT_FOUND' });

    await keyring.setEnabled('acme', key.id, false);
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'DISABLED' });
    await keyring.setEnabled('acme', key.id, true);
    expect(await keyring.verify(token)).toMatchObject({ valid: true });

    clock.advance(7 * DAY);
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'EXPIRED' });
    clock.advance(-1);
    expect(await keyring.verify(token)).toMatchObject({ valid: true });

    await keyring.revoke('acme', key.id, { by: 'admin' });
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'REVOKED' });
    await expect(keyring.revoke('acme', key.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(keyring.setEnabled('acme', key.id, true)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await keyring.get('acme', key.id)).toMatchObject({ revokedBy: 'admin' });
  });

  it('wrong-secret and unknown-id failures carry the same message', async () => {
    const { keyring } = setup();
    const { token } = await keyring.create({ tenantId: 'acme', name: 'k' });
    const { formatToken, parseToken } = await import('../../src/token/token.js');
    const a = await keyring.verify(formatToken({ ...parseToken(token)!, secret: 'B'.repeat(32) }));
    const b = await keyring.verify(formatToken({ ...parseToken(token)!, id: 'C'.repeat(16) }));
    expect(!a.valid && !b.valid && a.message === b.message).toBe(true);
  });

  it('expiresIn accepts 7d/30d/90d/12h and milliseconds; past dates are refused', async () => {
    const { keyring, clock } = setup();
    for (const [input, ms] of [
      ['7d', 7 * DAY],
      ['30d', 30 * DAY],
      ['90d', 90 * DAY],
      ['12h', 12 * 3_600_000],
      [60_000, 60_000],
    ] as const) {
      const { key } = await keyring.create({ tenantId: 'a', name: 'k', expiresIn: input });
      expect(key.expiresAt!.getTime()).toBe(clock.now() + ms);
    }
    await expect(keyring.create({ tenantId: 'a', name: 'k', expiresAt: new Date(clock.now() - 1) })).rejects.toMatchObject({
      code: 'VALIDATION',
      issues: [{ path: ['expiresAt'] }],
    });
    await expect(keyring.create({ tenantId: 'a', name: 'k', expiresIn: '7 days' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(keyring.create({ tenantId: 'a', name: 'k', expiresIn: '7d', expiresAt: new Date(clock.now() + DAY) })).rejects.toMatchObject({
      code: 'VALIDATION',
    });
    const iso = new Date(clock.now() + DAY).toISOString();
    expect((await keyring.create({ tenantId: 'a', name: 'k', expiresAt: iso as unknown as Date })).key.expiresAt).toEqual(new Date(iso));
  });

  it('validation errors carry field issues', async () => {
    const { keyring } = setup();
    const bad = [
      { tenantId: 'a', name: '' },
      { tenantId: 'a', name: 'x'.repeat(121) },
      { tenantId: 'a', name: 'ok', scopes: ['bad scope'] },
      { tenantId: 'a', name: 'ok', metadata: JSON.parse('{"__proto__": {"admin": true}}') },
      { tenantId: 'a', name: 'ok', metadata: { constructor: 1 } },
      { tenantId: 'a', name: 'ok', metadata: { nested: { prototype: 1 } } },
      { tenantId: 'a', name: 'ok', metadata: { big: 'x'.repeat(5000) } },
      { tenantId: 'a', name: 'ok', metadata: { d: new Date() } },
      { tenantId: 'a', name: 'ok', ipAllowlist: ['10.0.0.0/33'] },
      { tenantId: 'a', name: 'ok', ipAllowlist: ['0x7f.1'] },
      { tenantId: 'a', name: 'ok', unknownField: 1 },
      { tenantId: 'a', name: 'ok', remaining: -1 },
      {
        tenantId: 'a',
        name: 'ok',
        rateLimits: [
          { name: 'a', limit: 1, windowMs: 1000 },
          { name: 'a', limit: 2, windowMs: 1000 },
        ],
      },
      { tenantId: { $ne: null }, name: 'ok' },
      { tenantId: 'a', name: 'nul\u0000name' },
      { tenantId: 'a', name: 'ok', metadata: { note: 'nul\u0000' } },
      { tenantId: 'a', name: 'ok', metadata: { ['k\u0000']: 1 } },
      { tenantId: 'a', name: 'ok', resources: { project: ['p\u0000'] } },
      null,
    ];
    for (const input of bad) {
      const error = await keyring.create(input as never).catch((e: unknown) => e);
      expect(isKeysmithError(error) && error.code === 'VALIDATION', JSON.stringify(input)).toBe(true);
      if (input) expect((error as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    }
  });

  it('list pages, searches, filters by owner and hides revoked keys; another tenant sees nothing', async () => {
    const { keyring, clock } = setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      ids.push((await keyring.create({ tenantId: 'acme', name: `key ${i}`, ownerId: i % 2 ? 'u1' : null })).key.id);
    }
    await keyring.create({ tenantId: 'other', name: 'key 9' });
    await keyring.revoke('acme', ids[0]!);
    const page = await keyring.list('acme', { page: 1, limit: 2 });
    expect(page).toMatchObject({ total: 4, page: 1, limit: 2 });
    expect(page.items.map((k) => k.id)).toEqual([ids[4], ids[3]]);
    expect(page.items[0]).not.toHaveProperty('hash');
    expect((await keyring.list('acme', { includeRevoked: true })).total).toBe(5);
    expect((await keyring.list('acme', { search: 'KEY 3' })).items.map((k) => k.id)).toEqual([ids[3]]);
    expect((await keyring.list('acme', { ownerId: 'u1' })).total).toBe(2);
    expect((await keyring.list('nobody')).total).toBe(0);
    expect((await keyring.listAcrossTenants({ search: 'key 9' })).total).toBe(1);
    await expect(keyring.list('acme', { limit: 101 })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(keyring.list('acme', { page: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('a key of another tenant looks exactly like an unknown one in every management call', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'k' });
    const missing = 'Z'.repeat(16);
    for (const id of [key.id, missing]) {
      expect(await keyring.get('evil', id)).toBeNull();
      for (const call of [
        () => keyring.update('evil', id, { name: 'x' }),
        () => keyring.revoke('evil', id),
        () => keyring.setEnabled('evil', id, false),
        () => keyring.rotate('evil', id),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'NOT_FOUND', message: 'No such key' });
      }
    }
    expect(await keyring.verify(token)).toMatchObject({ valid: true });
  });

  it('update bumps version, checks an expected version, and changes take effect at once', async () => {
    const { keyring } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'k', scopes: ['a:read', 'b:read'] });
    expect(await keyring.verify(token, { scopes: ['b:read'] })).toMatchObject({ valid: true });
    const v2 = await keyring.update('acme', key.id, { scopes: ['a:read'], version: 1 });
    expect(v2).toMatchObject({ version: 2, scopes: ['a:read'] });
    expect(v2.updatedAt).toBeInstanceOf(Date);
    expect(await keyring.verify(token, { scopes: ['b:read'] })).toMatchObject({ valid: false, code: 'INSUFFICIENT_SCOPE' });
    await expect(keyring.update('acme', key.id, { name: 'stale', version: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    expect(await keyring.get('acme', key.id)).toMatchObject({ name: 'k', version: 2 });
  });

  it('rotate: new id and token, same permissions and expiry; the old key works until the grace ends', async () => {
    const { keyring, clock, events } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'k', scopes: ['a:read'], resources: { project: ['p1'] }, expiresIn: '30d' });
    const rotated = await keyring.rotate('acme', key.id, { graceMs: 60_000 });
    expect(rotated.key.id).not.toBe(key.id);
    expect(rotated.token).not.toBe(token);
    expect(rotated.key).toMatchObject({ scopes: ['a:read'], resources: { project: ['p1'] }, expiresAt: key.expiresAt, name: 'k' });
    expect(await keyring.verify(rotated.token)).toMatchObject({ valid: true });
    expect(await keyring.verify(token)).toMatchObject({ valid: true });
    clock.advance(60_000);
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'EXPIRED' });
    expect(await keyring.verify(rotated.token)).toMatchObject({ valid: true });
    expect(events.some((e) => e.type === 'key.rotated' && e.keyId === key.id && e.newKeyId === rotated.key.id)).toBe(true);
  });

  it('rotation never widens: the grace period ends no later than the old expiry', async () => {
    const { keyring, clock } = setup();
    const { key, token } = await keyring.create({ tenantId: 'acme', name: 'k', expiresIn: 60_000 });
    const rotated = await keyring.rotate('acme', key.id, { graceMs: 7 * DAY });
    expect(rotated.previous.expiresAt!.getTime()).toBe(key.expiresAt!.getTime());
    expect(rotated.key.expiresAt!.getTime()).toBe(key.expiresAt!.getTime());
    clock.advance(60_000);
    expect(await keyring.verify(token)).toMatchObject({ code: 'EXPIRED' });
    expect(await keyring.verify(rotated.token)).toMatchObject({ code: 'EXPIRED' });
  });

  it('concurrent rotations of one key produce exactly one new token', async () => {
    const { keyring } = setup();
    const { key } = await keyring.create({ tenantId: 'acme', name: 'k' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => keyring.rotate('acme', key.id, { graceMs: 1000 })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'VERSION_CONFLICT' });
    expect((await keyring.list('acme')).total).toBe(2);
  });

  it('rotate with a version rotates only the key as the caller saw it', async () => {
    const { keyring } = setup();
    const { key } = await keyring.create({ tenantId: 'acme', name: 'k' });
    const first = await keyring.rotate('acme', key.id, { graceMs: 60_000, version: 1 });
    expect(first.previous.version).toBe(2);
    await expect(keyring.rotate('acme', key.id, { graceMs: 60_000, version: 1 })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    await expect(keyring.rotate('acme', key.id, { version: 0 })).rejects.toMatchObject({ code: 'VALIDATION' });
    expect((await keyring.list('acme')).total).toBe(2);
  });

  it('enforces the IP allowlist (IPv4, IPv6, IPv4-mapped) and fails closed without an address', async () => {
    const { keyring } = setup();
    const { token } = await keyring.create({ tenantId: 'a', name: 'k', ipAllowlist: ['10.1.0.0/16', '2001:db8::/32', '192.0.2.7'] });
    for (const ip of ['10.1.2.3', '::ffff:10.1.9.9', '2001:db8::1', '192.0.2.7'])
      expect(await keyring.verify(token, { ip }), ip).toMatchObject({ valid: true });
    for (const ip of ['10.2.0.1', '2001:db9::1', '192.0.2.8', 'not an ip', ''])
      expect(await keyring.verify(token, { ip }), ip).toMatchObject({ valid: false, code: 'FORBIDDEN_ADDRESS' });
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'FORBIDDEN_ADDRESS' });
    const open = await keyring.create({ tenantId: 'a', name: 'open' });
    expect(await keyring.verify(open.token)).toMatchObject({ valid: true });
  });

  it('consumes credits atomically, with a cost, and never below zero', async () => {
    const { keyring } = setup();
    const { token } = await keyring.create({ tenantId: 'a', name: 'k', remaining: 5 });
    expect(await keyring.verify(token)).toMatchObject({ valid: true, key: { remaining: 4 } });
    expect(await keyring.verify(token, { cost: 3 })).toMatchObject({ valid: true, key: { remaining: 1 } });
    expect(await keyring.verify(token, { cost: 2 })).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
    expect(await keyring.verify(token, { cost: 0 })).toMatchObject({ valid: true, key: { remaining: 1 } });
    const results = await Promise.all(Array.from({ length: 10 }, () => keyring.verify(token)));
    expect(results.filter((r) => r.valid)).toHaveLength(1);
    const unlimited = await keyring.create({ tenantId: 'a', name: 'u' });
    expect(await keyring.verify(unlimited.token, { cost: 1000 })).toMatchObject({ valid: true, key: { remaining: null } });
  });

  it('refills credits once per period when a refill is set, never otherwise', async () => {
    const { keyring, clock } = setup();
    const { token } = await keyring.create({ tenantId: 'a', name: 'k', remaining: 2, refill: { amount: 3, interval: 'day' } });
    const plain = await keyring.create({ tenantId: 'a', name: 'p', remaining: 1 });
    expect(await keyring.verify(token, { cost: 2 })).toMatchObject({ valid: true, key: { remaining: 0 } });
    const out = await keyring.verify(token);
    expect(out).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
    expect(!out.valid && out.retryAfterMs! > 0 && out.retryAfterMs! <= DAY).toBe(true);
    await keyring.verify(plain.token);
    clock.advance(DAY);
    const burst = await Promise.all(Array.from({ length: 6 }, () => keyring.verify(token)));
    expect(burst.filter((r) => r.valid)).toHaveLength(3);
    expect(await keyring.verify(plain.token)).toMatchObject({ valid: false, code: 'USAGE_EXCEEDED' });
  });

  it('writes lastUsedAt at most once per key per interval', async () => {
    const { keyring, clock, counting, store } = setup({ touchIntervalMs: 60_000 });
    const { key, token } = await keyring.create({ tenantId: 'a', name: 'k' });
    for (let i = 0; i < 50; i++) await keyring.verify(token);
    expect(counting.calls.touch).toBe(1);
    clock.advance(60_000);
    for (let i = 0; i < 50; i++) await keyring.verify(token);
    expect(counting.calls.touch).toBe(2);
    await new Promise((r) => setTimeout(r, 10));
    expect((await store.findById(key.id))!.lastUsedAt).toEqual(new Date(clock.now()));
  });

  it('caches verified records and invalidates its own cache on every change', async () => {
    const { keyring, counting } = setup();
    const { key, token } = await keyring.create({ tenantId: 'a', name: 'k' });
    for (let i = 0; i < 20; i++) await keyring.verify(token);
    expect(counting.calls.findById).toBe(1);
    await keyring.revoke('a', key.id);
    expect(await keyring.verify(token)).toMatchObject({ code: 'REVOKED' });
  });

  it('without a cache every verify reads the store', async () => {
    const { keyring, counting } = setup({ cache: false });
    const { token } = await keyring.create({ tenantId: 'a', name: 'k' });
    for (let i = 0; i < 5; i++) await keyring.verify(token);
    expect(counting.calls.findById).toBe(5);
  });

  it('fails closed when the store is down: verify answers STORE_UNAVAILABLE, management throws', async () => {
    const events: KeysmithEvent[] = [];
    const keyring = createKeyring({ store: downStore(), prefix: 'sk', onEvent: (e) => events.push(e) });
    const healthy = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const { token } = await healthy.create({ tenantId: 'a', name: 'k' });
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
    await expect(keyring.create({ tenantId: 'a', name: 'k' })).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(keyring.list('a')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(keyring.revoke('a', 'x'.repeat(16))).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(events.some((e) => e.type === 'store.error')).toBe(true);
    expect(JSON.stringify(events)).not.toContain('ECONNREFUSED 127');
  });

  it('fails closed when the store hangs, after storeTimeoutMs', async () => {
    const hanging = { ...memoryStore(), findById: () => new Promise<never>(() => {}) };
    const keyring = createKeyring({ store: hanging, prefix: 'sk', storeTimeoutMs: 50 });
    const healthy = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const { token } = await healthy.create({ tenantId: 'a', name: 'k' });
    expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
  });

  it('emits events for every change and verification, never with a token or hash', async () => {
    const { keyring, events, store } = setup();
    const { key, token } = await keyring.create({ tenantId: 'a', name: 'k', createdBy: 'u1' });
    await keyring.verify(token);
    await keyring.verify(token + 'x');
    await keyring.update('a', key.id, { name: 'k2' });
    const rotated = await keyring.rotate('a', key.id, { graceMs: 1 });
    await keyring.revoke('a', rotated.key.id, { by: 'u2' });
    expect(events.map((e) => e.type)).toEqual(['key.created', 'key.verified', 'key.rejected', 'key.updated', 'key.rotated', 'key.revoked']);
    const hash = (await store.findById(key.id))!.hash;
    const dump = JSON.stringify(events);
    for (const secret of [token, token.slice(-38, -6), rotated.token, hash, hash.slice(7)]) expect(dump).not.toContain(secret);
  });

  it('a throwing event listener does not break verify or create', async () => {
    const keyring = createKeyring({
      store: memoryStore(),
      prefix: 'sk',
      onEvent: () => {
        throw new Error('logger down');
      },
    });
    const { token } = await keyring.create({ tenantId: 'a', name: 'k' });
    expect(await keyring.verify(token)).toMatchObject({ valid: true });
  });

  it('imports keys minted elsewhere from their SHA-256 hex hash', async () => {
    const { createHash } = await import('node:crypto');
    const store = memoryStore();
    const keyring = createKeyring({ store, prefix: 'sk', importedTokens: /^mycompany_/ });
    const foreign = 'mycompany_BRTRKFsL_51FwqftsmMDHHbJAMEXXHCgG';
    const hash = createHash('sha256').update(foreign).digest('hex');
    const key = await keyring.import({
      tenantId: 'acme',
      name: 'legacy',
      scopes: ['a:read'],
      hash,
      scheme: 'sha256-hex',
      prefix: 'mycompany',
      preview: 'mycompany_BRTRKFsL…',
    });
    expect(key).toMatchObject({ tenantId: 'acme', prefix: 'mycompany', preview: 'mycompany_BRTRKFsL…' });
    expect(await keyring.verify(foreign, { scopes: ['a:read'] })).toMatchObject({ valid: true, key: { id: key.id } });
    expect(await keyring.verify(foreign.slice(0, -1) + 'H')).toMatchObject({ valid: false, code: 'NOT_FOUND' });
    expect(await keyring.verify('othercompany_x')).toMatchObject({ valid: false, code: 'MALFORMED' });
    await keyring.revoke('acme', key.id);
    expect(await keyring.verify(foreign)).toMatchObject({ valid: false, code: 'REVOKED' });
    await expect(keyring.import({ tenantId: 'acme', name: 'x', hash: 'nothex', scheme: 'sha256-hex' })).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  it('verify refuses a cost that is not a whole number, 0 or more, before any store call (never coerced to 1)', async () => {
    const { keyring, counting } = setup({ cache: false });
    const { token } = await keyring.create({ tenantId: 'acme', name: 'metered', remaining: 5 });
    const before = counting.total();
    for (const cost of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, '1' as unknown as number]) {
      await expect(keyring.verify(token, { cost })).rejects.toMatchObject({ code: 'CONFIG', message: 'cost must be a whole number, 0 or more' });
    }
    expect(counting.total()).toBe(before);
    expect(await keyring.verify(token, { cost: 0 })).toMatchObject({ valid: true, key: { remaining: 5 } });
  });

  it('verify never throws, whatever token it is given', async () => {
    const { keyring } = setup();
    const inputs: unknown[] = [
      undefined,
      null,
      0,
      NaN,
      {},
      [],
      () => 1,
      Symbol('x'),
      10n,
      new Uint8Array(4),
      'x'.repeat(1e6),
      '\u0000',
      'sk_test_' + '\u{1F511}'.repeat(30),
    ];
    for (const input of inputs) {
      const result = await keyring.verify(input, { scopes: ['a'], ip: 'x', cost: 2, resource: { kind: 'k', id: 'i' } });
      expect(result.valid).toBe(false);
    }
  });
});
