import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring, parseToken } from 'keysmith';
import { formatToken } from '../../src/token/token.js';
import { memoryStore } from 'keysmith/memory';
import { runs } from '../support/runs.js';

describe('hostile input to verify (fast-check)', async () => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_live', importedTokens: /^legacy_/ });
  const minted = await Promise.all(Array.from({ length: 5 }, () => keyring.create({ tenantId: 't', name: 'k' })));
  const tokens = minted.map((m) => m.token);

  /** Inputs near real tokens: one edit away, truncated, glued, wrong prefix. */
  const nearToken = fc
    .tuple(
      fc.constantFrom(...tokens),
      fc.nat(),
      fc.string({ minLength: 0, maxLength: 3 }),
      fc.constantFrom('replace', 'insert', 'delete', 'truncate', 'prefix'),
    )
    .map(([t, n, s, op]) => {
      const i = n % t.length;
      switch (op) {
        case 'replace': {
          const c = s[0] ?? 'x';
          return t[i] === c ? t : t.slice(0, i) + c + t.slice(i + 1);
        }
        case 'insert':
          return s.length ? t.slice(0, i) + s + t.slice(i) : t + '_';
        case 'delete':
          return t.slice(0, i) + t.slice(i + 1);
        case 'truncate':
          return t.slice(0, i);
        default:
          return s + t.slice(7) + 'z';
      }
    });

  const anyInput = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.stringMatching(/^sk_live_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/),
    fc.stringMatching(/^legacy_[0-9A-Za-z_-]{1,60}$/),
    nearToken,
    fc.uint8Array({ maxLength: 80 }),
    fc.anything(),
  );

  it('never throws and never answers valid for anything but a minted token (100k cases in test:deep)', async () => {
    await fc.assert(
      fc.asyncProperty(anyInput, async (input) => {
        fc.pre(!tokens.includes(input as string));
        const result = await keyring.verify(input);
        expect(result.valid).toBe(false);
      }),
      { numRuns: runs(10_000, 100_000) },
    );
  }, 120_000);

  it('random well-formed tokens (valid checksum, random id and secret) are never valid', async () => {
    const base62 = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: base62, minLength: 16, maxLength: 16 }),
        fc.string({ unit: base62, minLength: 32, maxLength: 32 }),
        fc.constantFrom(...minted.map((m) => m.key.id)),
        fc.boolean(),
        async (id, secret, realId, useRealId) => {
          const token = formatToken({ prefix: 'sk_live', id: useRealId ? realId : id, secret });
          const result = await keyring.verify(token);
          expect(result.valid).toBe(false);
          if (!result.valid) expect(['NOT_FOUND', 'INVALID']).toContain(result.code);
        },
      ),
      { numRuns: runs(1_000, 5_000) },
    );
  }, 60_000);

  it('the minted tokens themselves stay valid', async () => {
    for (const t of tokens) expect((await keyring.verify(t)).valid).toBe(true);
  });
});

describe('token format properties', () => {
  const base62 = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');
  const prefix = fc.array(fc.string({ unit: base62, minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('_'));
  const parts = fc.record({
    prefix,
    id: fc.string({ unit: base62, minLength: 16, maxLength: 16 }),
    secret: fc.string({ unit: base62, minLength: 32, maxLength: 32 }),
  });

  it('format then parse round-trips (prefixes with "_" included)', () => {
    fc.assert(
      fc.property(parts, (p) => {
        expect(parseToken(formatToken(p))).toEqual(p);
      }),
      { numRuns: runs(4_000, 20_000) },
    );
  });

  it('any single-character change is caught by the checksum or the shape', () => {
    fc.assert(
      fc.property(parts, fc.nat(), base62, (p, n, c) => {
        const token = formatToken(p);
        const i = n % token.length;
        fc.pre(token[i] !== c);
        const typo = token.slice(0, i) + c + token.slice(i + 1);
        const parsed = parseToken(typo);
        // A change inside the prefix/id boundary can only parse if it yields the same token.
        expect(parsed === null || formatToken(parsed) === typo).toBe(true);
        expect(parsed).not.toEqual(p);
      }),
      { numRuns: runs(4_000, 20_000) },
    );
  });
});
