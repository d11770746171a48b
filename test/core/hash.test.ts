import { describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { constantTimeEqual, nobleHasher, nodeHasher, TokenHasher } from '../../src/token/hash.js';
import { memoryStore } from 'keysmith/memory';

describe('hashing', () => {
  const native = nodeHasher()!;

  it('SHA-256 matches the FIPS 180-2 vectors, with @noble/hashes and node alike', () => {
    const vectors: [string, string][] = [
      ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
      ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
    ];
    for (const [input, hex] of vectors) {
      expect(nobleHasher.sha256Hex(input)).toBe(hex);
      expect(native.sha256Hex(input)).toBe(hex);
    }
  });

  it('HMAC-SHA-256 matches RFC 4231 test case 2, with both implementations', () => {
    const key = new TextEncoder().encode('Jefe');
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(nobleHasher.hmacSha256Hex(key, 'what do ya want for nothing?')).toBe(expected);
    expect(native.hmacSha256Hex(key, 'what do ya want for nothing?')).toBe(expected);
  });

  it('native and portable hashers store identical hashes for real tokens', async () => {
    const pepper = { id: 'p1', secret: 'a pepper of at least sixteen bytes' };
    const store = memoryStore();
    const viaNoble = createKeyring({ store, prefix: 'sk', pepper, hasher: nobleHasher });
    const viaNode = createKeyring({ store, prefix: 'sk', pepper, hasher: native });
    for (let i = 0; i < 20; i++) {
      const { token } = await viaNoble.create({ tenantId: 't', name: `k${i}` });
      expect(await viaNode.verify(token)).toMatchObject({ valid: true });
      expect(new TokenHasher([pepper], nobleHasher).hash(token)).toBe(new TokenHasher([pepper], native).hash(token));
      expect(new TokenHasher([], nobleHasher).hash(token)).toBe(new TokenHasher([], native).hash(token));
    }
  });

  it('stored hashes name their algorithm and pepper', () => {
    expect(new TokenHasher().hash('x')).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(new TokenHasher([{ id: '2026-01', secret: 'x'.repeat(32) }]).hash('x')).toMatch(/^hmac-sha256:2026-01:[0-9a-f]{64}$/);
  });

  it('keys hashed with an old pepper still verify after rotating peppers; unknown peppers do not', async () => {
    const store = memoryStore();
    const old = { id: 'old', secret: 'o'.repeat(32) };
    const next = { id: 'new', secret: 'n'.repeat(32) };
    const before = createKeyring({ store, prefix: 'sk', pepper: old });
    const { token: oldToken } = await before.create({ tenantId: 't', name: 'old' });
    const after = createKeyring({ store, prefix: 'sk', pepper: [next, old] });
    const { token: newToken, key } = await after.create({ tenantId: 't', name: 'new' });
    expect(await after.verify(oldToken)).toMatchObject({ valid: true });
    expect(await after.verify(newToken)).toMatchObject({ valid: true });
    expect((await store.findById(key.id))!.hash).toMatch(/^hmac-sha256:new:/);
    const forgot = createKeyring({ store, prefix: 'sk', pepper: next });
    expect(await forgot.verify(oldToken)).toMatchObject({ valid: false, code: 'INVALID' });
    const unpeppered = createKeyring({ store, prefix: 'sk' });
    expect(await unpeppered.verify(newToken)).toMatchObject({ valid: false, code: 'INVALID' });
  });

  it('refuses weak or duplicate peppers', () => {
    expect(() => new TokenHasher([{ id: 'p', secret: 'short' }])).toThrow(/16 bytes/);
    expect(
      () =>
        new TokenHasher([
          { id: 'p', secret: 'x'.repeat(16) },
          { id: 'p', secret: 'y'.repeat(16) },
        ]),
    ).toThrow(/Duplicate/);
    expect(() => new TokenHasher([{ id: 'bad id', secret: 'x'.repeat(16) }])).toThrow(/pepper id/);
  });

  it('constantTimeEqual compares whole strings', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
