import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring, type ApiKey, type Permissions } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

/**
 * A verified key is shared: the cache hands the same `key` and `permissions` to every request that
 * presents the token until the entry expires. Application code that changes what it was handed
 * (by mistake, or by a library that "normalizes" objects) must not change what verify decides for
 * the next request: no request may keep more than the key holds.
 */

/** Every object reachable from `value` (Dates apart, which `Object.freeze` cannot make immutable). */
function objectsIn(value: unknown, into: object[] = []): object[] {
  if (typeof value !== 'object' || value === null || value instanceof Date) return into;
  into.push(value);
  for (const child of Object.values(value)) objectsIn(child, into);
  return into;
}

/** What an application's careless code could do to a key it was handed: every date moved, every array grown. */
function tamper(key: ApiKey, permissions: Permissions, farFuture: number): void {
  for (const value of Object.values(key)) if (value instanceof Date) value.setTime(farFuture);
  for (const target of [...objectsIn(key), ...objectsIn(permissions)])
    try {
      if (Array.isArray(target)) target.push('*');
      else (target as Record<string, unknown>).enabled = true;
    } catch {
      // frozen: the write is refused, as it should be
    }
}

describe('the key verify hands out', () => {
  it('is frozen all the way down, and its dates are its own', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_hand', clock: () => now });
    const { token } = await keyring.create({
      tenantId: 't1',
      name: 'k',
      scopes: ['docs:read'],
      resources: { project: ['p1'] },
      metadata: { plan: { tier: 'pro', seats: [1, 2] } },
      ipAllowlist: ['10.0.0.0/8'],
      expiresAt: new Date(now + 60_000),
    });
    const first = await keyring.verify(token, { ip: '10.1.2.3' });
    if (!first.valid) throw new Error(first.code);
    const handed = [...objectsIn(first.key), ...objectsIn(first.permissions)];
    expect(handed.length).toBeGreaterThan(8); // the key, its arrays, resources, mcp, metadata's nested objects…
    for (const object of handed) expect(Object.isFrozen(object)).toBe(true);
    tamper(first.key, first.permissions, Date.parse('2999-01-01T00:00:00Z'));
    // The application moved expiresAt to 2999 on the object it holds; the key still expires at its own time.
    now += 61_000;
    const later = await keyring.verify(token, { ip: '10.1.2.3' });
    expect(later).toMatchObject({ valid: false, code: 'EXPIRED' });
  });

  it('whatever was done to an earlier answer, the next one decides the same (property)', async () => {
    const scopes = ['docs:read', 'docs:write', 'admin:read'];
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(scopes, { minLength: 1 }),
        fc.constantFrom(...scopes),
        fc.integer({ min: 1, max: 120 }),
        async (granted, wanted, lifeSeconds) => {
          let now = Date.parse('2026-06-01T00:00:00Z');
          const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_prop', clock: () => now });
          const { token } = await keyring.create({ tenantId: 't1', name: 'k', scopes: granted, expiresAt: new Date(now + lifeSeconds * 1000) });
          const first = await keyring.verify(token);
          if (first.valid) tamper(first.key, first.permissions, Date.parse('2999-01-01T00:00:00Z'));
          now += 1000 * Math.floor(lifeSeconds / 2);
          const answer = await keyring.verify(token, { scopes: [wanted] });
          // What the key itself allows at that moment, whatever happened to the earlier answer.
          const expected = granted.includes(wanted) ? { valid: true } : { valid: false, code: 'INSUFFICIENT_SCOPE' };
          expect(answer).toMatchObject(expected);
          if (answer.valid) expect(answer.permissions.scopes).toEqual(granted);
          now += 1000 * lifeSeconds;
          expect(await keyring.verify(token)).toMatchObject({ valid: false, code: 'EXPIRED' });
        },
      ),
      { numRuns: 40 },
    );
  });
});
