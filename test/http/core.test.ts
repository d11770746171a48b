import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError } from 'keysmith';
import {
  bearerChallenge,
  createAdminHandler,
  createAuthenticator,
  extractCredentials,
  matchAdminRoute,
  pathBelowMount,
  requestViewAccess,
  readJsonBody,
  verifyFailureAnswer,
} from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';

const headers = (h: Record<string, string | string[]>) => (name: string) => h[name];

describe('extractCredentials: the exact "Bearer <token>" fast path', () => {
  it('answers exactly what the general path answers (leading spaces force the general path)', () => {
    const piece = fc.constantFrom('a', 'Z', '9', '-', '.', '_', '~', '+', '/', '=', ',', ' ', '\t', 'é', 'Bearer ');
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 40 }).map((p) => p.join('')),
        fc.nat(1100),
        (tail, pad) => {
          const value = `Bearer ${tail}${pad > 1000 ? 'x'.repeat(pad) : ''}`;
          expect(extractCredentials(headers({ authorization: value }), null)).toEqual(extractCredentials(headers({ authorization: `  ${value}` }), null));
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe('extractCredentials', () => {
  it.each([
    [{}, { kind: 'missing' }],
    [{ authorization: '' }, { kind: 'missing' }],
    [{ authorization: 'Basic dXNlcjpwYXNz' }, { kind: 'missing' }],
    [{ authorization: 'Digest username="x"' }, { kind: 'missing' }],
    [{ authorization: 'Bearer abc' }, { kind: 'token', token: 'abc' }],
    [{ authorization: 'BEARER   abc' }, { kind: 'token', token: 'abc' }],
    [{ authorization: 'Bearer abc==' }, { kind: 'token', token: 'abc==' }],
  ])('%j → %j', (h, expected) => {
    expect(extractCredentials(headers(h), null)).toEqual(expected);
  });

  it.each([['Bearer'], ['Bearer '], ['Bearer a b'], ['Bearer a=b'], ['Bearer "a"'], ['Bearer ' + 'a'.repeat(1025)], ['(garbage)']])(
    '%j is invalid_request',
    (value) => {
      expect(extractCredentials(headers({ authorization: value }), null).kind).toBe('invalid_request');
    },
  );

  it('repeated Authorization lines holding a bearer credential are refused, as lines (Node) or joined with ", " (Fetch)', () => {
    const line = fc.oneof(
      fc.constant(''),
      fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,40}={0,2}$/).map((t) => `Bearer ${t}`),
      fc.stringMatching(/^[A-Za-z0-9._~+/-]{1,40}$/).map((t) => `bearer  ${t}`),
      fc.constantFrom('Basic dXNlcjpwYXNz', 'Digest username="x", realm="y"', 'Bearer', 'garbage!'),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 2, maxLength: 4 }), (lines) => {
        fc.pre(lines.some((l) => /^bearer\s+\S/i.test(l)));
        const repeated = { kind: 'invalid_request', message: 'The API key header was sent more than once' };
        expect(extractCredentials(headers({ authorization: lines }), null)).toEqual(repeated);
        expect(extractCredentials(headers({ authorization: lines.join(', ') }), null)).toEqual(repeated);
      }),
    );
  });

  it('reads a named header, refuses both at once and repeated headers', () => {
    expect(extractCredentials(headers({ 'x-api-key': 'abc' }), 'x-api-key')).toEqual({ kind: 'token', token: 'abc' });
    expect(extractCredentials(headers({ 'x-api-key': 'abc' }), null)).toEqual({ kind: 'missing' });
    expect(extractCredentials(headers({ 'x-api-key': 'abc', authorization: 'Bearer abc' }), 'x-api-key').kind).toBe('invalid_request');
    expect(extractCredentials(headers({ 'x-api-key': ['a', 'b'] }), 'x-api-key').kind).toBe('invalid_request');
    expect(extractCredentials(headers({ 'x-api-key': 'a b' }), 'x-api-key').kind).toBe('invalid_request');
    // Basic auth for a proxy plus the key in x-api-key is fine.
    expect(extractCredentials(headers({ authorization: 'Basic eA==', 'x-api-key': 'abc' }), 'x-api-key')).toEqual({ kind: 'token', token: 'abc' });
  });
});

describe('answers', () => {
  it('builds RFC 6750 challenges and drops characters a quoted string may not hold', () => {
    expect(bearerChallenge('api')).toBe('Bearer realm="api"');
    expect(bearerChallenge('api', { error: 'insufficient_scope', error_description: 'say "hi"\\', scope: 'a:b c:d' })).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="say hi", scope="a:b c:d"',
    );
  });

  it('maps every verify code; NOT_FOUND and INVALID to the same bytes; Retry-After in whole seconds', () => {
    expect(verifyFailureAnswer({ code: 'NOT_FOUND' }, 'api')).toEqual(verifyFailureAnswer({ code: 'INVALID' }, 'api'));
    expect(verifyFailureAnswer({ code: 'RATE_LIMITED', retryAfterMs: 1 }, 'api').headers['retry-after']).toBe('1');
    expect(verifyFailureAnswer({ code: 'RATE_LIMITED', retryAfterMs: 2001 }, 'api').headers['retry-after']).toBe('3');
    const statuses = (
      [
        'MALFORMED',
        'NOT_FOUND',
        'INVALID',
        'REVOKED',
        'DISABLED',
        'EXPIRED',
        'INSUFFICIENT_SCOPE',
        'FORBIDDEN_RESOURCE',
        'FORBIDDEN_ADDRESS',
        'RATE_LIMITED',
        'USAGE_EXCEEDED',
        'STORE_UNAVAILABLE',
      ] as const
    ).map((code) => verifyFailureAnswer({ code }, 'api').status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 403, 403, 403, 429, 429, 503]);
  });
});

describe('createAuthenticator checks its options once, at construction', () => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (error) {
      return isKeysmithError(error) ? error.code : 'OTHER';
    }
    return 'NO ERROR';
  };
  it('throws for a bad query, scope, realm, header or cost', () => {
    expect(code(() => createAuthenticator(keyring, { query: 'docs:read AND (' }, requestViewAccess))).toBe('INVALID_QUERY');
    expect(code(() => createAuthenticator(keyring, { scopes: ['not a scope'] }, requestViewAccess))).toBe('CONFIG');
    expect(code(() => createAuthenticator(keyring, { anyScopes: ['docs::read'] }, requestViewAccess))).toBe('CONFIG');
    expect(code(() => createAuthenticator(keyring, { realm: 'a"b' }, requestViewAccess))).toBe('CONFIG');
    expect(code(() => createAuthenticator(keyring, { header: 'x api key' }, requestViewAccess))).toBe('CONFIG');
    expect(code(() => createAuthenticator(keyring, { header: 'Authorization' }, requestViewAccess))).toBe('CONFIG');
    expect(code(() => createAuthenticator(keyring, { cost: -1 }, requestViewAccess))).toBe('CONFIG');
    expect(
      code(() =>
        createAuthenticator(keyring, { query: 'docs:read AND (admin:read OR admin:write)', scopes: ['docs:read'], header: 'X-Api-Key' }, requestViewAccess),
      ),
    ).toBe('NO ERROR');
  });
});

describe('admin routing', () => {
  it('matches routes below any mount point', () => {
    expect(pathBelowMount('/admin/keys/abc?x=1', '/admin/*')).toBe('/keys/abc');
    expect(pathBelowMount('/orgs/7/admin/keys', '/orgs/:org/admin/*')).toBe('/keys');
    expect(pathBelowMount('/keys', '*')).toBe('/keys');
    expect(matchAdminRoute('GET', '/keys')).toMatchObject({ kind: 'route', action: 'list', tenantId: null });
    expect(matchAdminRoute('post', '/keys/abc/rotate')).toMatchObject({ action: 'rotate', id: 'abc' });
    expect(matchAdminRoute('GET', '/tenants/t%2F1/keys/k')).toMatchObject({ action: 'get', tenantId: 't/1', id: 'k' });
    expect(matchAdminRoute('DELETE', '/admin/keys/k')).toMatchObject({ action: 'revokeAny', superOnly: true });
    expect(matchAdminRoute('PUT', '/keys/k')).toEqual({ kind: 'method_not_allowed', allow: ['GET', 'PATCH', 'DELETE'] });
    for (const path of ['/keys//rotate', '/keys/%E0%A4%A', '/tenants/t', '/nope']) expect(matchAdminRoute('GET', path).kind, path).toBe('not_found');
  });
});

describe('readJsonBody', () => {
  const json = headers({ 'content-type': 'application/json' });
  it('parses, limits and refuses other media types', async () => {
    expect(await readJsonBody({ kind: 'stream', stream: ['{"a":', '1}'] }, json)).toEqual({ ok: true, value: { a: 1 } });
    expect(await readJsonBody({ kind: 'stream', stream: [] }, headers({}))).toEqual({ ok: true, value: undefined });
    expect(await readJsonBody({ kind: 'stream', stream: ['{}'] }, headers({ 'content-type': 'application/merge-patch+json' }))).toEqual({
      ok: true,
      value: {},
    });
    expect((await readJsonBody({ kind: 'stream', stream: ['{}'] }, headers({ 'content-type': 'text/plain' }))).ok).toBe(false);
    const big = await readJsonBody({ kind: 'stream', stream: ['x'.repeat(10)] }, json, 9);
    expect(!big.ok && big.answer.status).toBe(413);
    const invalidUtf8 = await readJsonBody({ kind: 'stream', stream: [new Uint8Array([0x22, 0xff, 0x22])] }, json);
    expect(!invalidUtf8.ok && invalidUtf8.answer.status).toBe(400);
  });

  it('a body that stalls is 408 after the time allowed; a source that fails (client gone) is no exception', async () => {
    async function* stalls() {
      yield '{"a":';
      await new Promise(() => undefined); // never resolves: the client stopped sending
    }
    const slow = await readJsonBody({ kind: 'stream', stream: stalls() }, json, 1024, 50);
    expect(!slow.ok && [slow.answer.status, slow.answer.headers.connection]).toEqual([408, 'close']);
    async function* aborts() {
      yield '{"a":';
      throw new Error('aborted');
    }
    const gone = await readJsonBody({ kind: 'stream', stream: aborts() }, json);
    expect(!gone.ok && [gone.answer.status, gone.answer.headers.connection]).toEqual([400, 'close']);
    expect(() => createAdminHandler(createKeyring({ store: memoryStore(), prefix: 'sk' }), { authorize: () => null, bodyTimeoutMs: 0 })).toThrow(
      /bodyTimeoutMs/,
    );
  });
});
