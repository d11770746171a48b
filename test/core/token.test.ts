import { describe, expect, it } from 'vitest';
import { createKeyring, parseToken, pattern } from 'keysmith';
import { checksum, crc32, formatToken } from '../../src/token/token.js';
import { countingStore } from '../support/counting-store.js';

describe('token format', () => {
  it('mints <prefix>_<id>_<secret><checksum> and parses it back', async () => {
    const { store } = countingStore();
    for (const prefix of ['sk', 'sk_live', 'mcp_live_v2', 'A1']) {
      const keyring = createKeyring({ store, prefix });
      const { token, key } = await keyring.create({ tenantId: 't', name: 'n' });
      expect(token).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$`));
      const parts = parseToken(token)!;
      expect(parts).toEqual({ prefix, id: key.id, secret: token.slice(-38, -6) });
      expect(formatToken(parts)).toBe(token);
      expect(key.preview).toBe(`${prefix}_${key.id}_${parts.secret.slice(0, 4)}…`);
    }
  });

  it('uses CRC32 (IEEE) for the checksum', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
    expect(crc32('')).toBe(0);
    expect(checksum('abc')).toHaveLength(6);
  });

  it('rejects any single-character change through the checksum', async () => {
    const keyring = createKeyring({ store: countingStore().store, prefix: 'sk' });
    const { token } = await keyring.create({ tenantId: 't', name: 'n' });
    const alphabet = 'abcXYZ019';
    for (let i = 0; i < token.length; i++) {
      for (const c of alphabet) {
        if (token[i] === c) continue;
        const typo = token.slice(0, i) + c + token.slice(i + 1);
        expect(parseToken(typo)).toBeNull();
      }
    }
  });

  it('a token that fails the checksum is MALFORMED and never reaches the store', async () => {
    const counting = countingStore();
    const keyring = createKeyring({ store: counting.store, prefix: 'sk' });
    const { token } = await keyring.create({ tenantId: 't', name: 'n' });
    const before = counting.total();
    const last = token.at(-1) === 'a' ? 'b' : 'a';
    const bad = [token.slice(0, -1) + last, token + 'x', token.slice(1), '', 'sk_', 'Bearer ' + token, token.toUpperCase(), 42, null, undefined, {}, ['x']];
    for (const input of bad) {
      const result = await keyring.verify(input);
      expect(result).toMatchObject({ valid: false, code: 'MALFORMED' });
    }
    expect(counting.total()).toBe(before);
  });

  it('a well-formed token of another prefix is MALFORMED without a store call', async () => {
    const counting = countingStore();
    const other = createKeyring({ store: counting.store, prefix: 'pk' });
    const mine = createKeyring({ store: counting.store, prefix: 'sk' });
    const { token } = await other.create({ tenantId: 't', name: 'n' });
    const before = counting.total();
    expect(await mine.verify(token)).toMatchObject({ valid: false, code: 'MALFORMED' });
    expect(counting.total()).toBe(before);
  });

  it('pattern(prefix) matches minted tokens and nothing else in a corpus', async () => {
    const keyring = createKeyring({ store: countingStore().store, prefix: 'sk_live' });
    const tokens = await Promise.all(Array.from({ length: 20 }, async () => (await keyring.create({ tenantId: 't', name: 'n' })).token));
    const re = pattern('sk_live');
    expect(keyring.pattern().source).toBe(re.source);
    for (const token of tokens) {
      expect(re.test(token)).toBe(true);
      expect(re.test(`config: API_KEY="${token}"\n`)).toBe(true);
    }
    const t = tokens[0]!;
    const corpus = [
      t.slice(0, -1), // one short
      `${t}a`, // one long, glued
      `x${t}`, // glued on the left
      t.replace('sk_live', 'sk_test'),
      t.replace('sk_live', 'sk_livex'),
      `sk_live_${'a'.repeat(16)}`,
      'sk_live_short_token',
      'ghp_' + 'a'.repeat(36),
      'sk-proj-' + 'a'.repeat(48),
      'AKIAIOSFODNN7EXAMPLE',
      t.replace(/_/g, '-'),
    ];
    for (const text of corpus) expect(re.test(text), text).toBe(false);
    const scan = new RegExp(re.source, 'g');
    expect(tokens.join(' ').match(scan)).toEqual(tokens);
  });

  it('refuses invalid prefixes', () => {
    for (const prefix of ['', '_sk', 'sk_', 'sk__live', 'sk-live', 'sk live', 'ключ']) {
      expect(() => createKeyring({ store: countingStore().store, prefix })).toThrow(/prefix/);
    }
  });
});
