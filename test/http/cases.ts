import type { Fixture } from './fixture.js';

export interface CaseRequest {
  method?: string;
  path: string;
  /** An array sends the header once per value, on its own line (fetch would join them). */
  headers?: Record<string, string | string[]>;
  body?: string;
}

/** What every framework must answer. `null` for a header means "must be absent". */
interface Expected {
  status: number;
  code?: string;
  message?: string;
  wwwAuthenticate?: string | null;
  retryAfter?: string | RegExp | null;
  /** Other headers to check (lower-case names); `null` means "must be absent". */
  headers?: Record<string, RegExp | null>;
  /** Checks a successful JSON body. */
  json?: (body: unknown, fx: Fixture) => unknown;
}

export interface MiddlewareCase {
  name: string;
  request: (fx: Fixture) => CaseRequest;
  /** Calls made before the checked one, e.g. to use up a rate limit. */
  before?: (fx: Fixture) => CaseRequest[];
  /** State around the call (e.g. a store outage); always undone. */
  around?: { start(fx: Fixture): void; end(fx: Fixture): void };
  expect: Expected;
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const REALM = 'Bearer realm="api"';
const invalidToken = (description: string) => `${REALM}, error="invalid_token", error_description="${description}"`;

/** ONE table, run against Express, Fastify and Hono (middleware.test.ts). */
export const MIDDLEWARE_CASES: MiddlewareCase[] = [
  // Success and what the request carries.
  {
    name: 'a valid key passes and its key and permissions are on the request',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.writer) }),
    expect: { status: 200, json: (body, fx) => expectEqual(body, { id: fx.ids.writer, tenantId: 'tenant_a', scopes: ['docs:read', 'docs:write'] }) },
  },
  { name: 'the public route needs nothing', request: () => ({ path: '/hello' }), expect: { status: 200 } },
  {
    name: 'the Bearer scheme is case-insensitive',
    request: (fx) => ({ path: '/api/docs', headers: { authorization: `bearer ${fx.t.reader}` } }),
    expect: { status: 200 },
  },

  // Missing and malformed credentials (RFC 6750 §3.1).
  {
    name: 'no credentials: 401 with a bare challenge (no error code)',
    request: () => ({ path: '/api/whoami' }),
    expect: { status: 401, code: 'MISSING_CREDENTIALS', wwwAuthenticate: REALM },
  },
  {
    name: 'another scheme (Basic) counts as no credentials',
    request: () => ({ path: '/api/whoami', headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
    expect: { status: 401, code: 'MISSING_CREDENTIALS', wwwAuthenticate: REALM },
  },
  {
    name: '"Bearer" without a token is 400 invalid_request',
    request: () => ({ path: '/api/whoami', headers: { authorization: 'Bearer' } }),
    expect: {
      status: 400,
      code: 'INVALID_REQUEST',
      wwwAuthenticate: `${REALM}, error="invalid_request", error_description="The Authorization header must be: Bearer <key>"`,
    },
  },
  {
    name: 'a token with spaces is 400 invalid_request',
    request: () => ({ path: '/api/whoami', headers: { authorization: 'Bearer abc def' } }),
    expect: { status: 400, code: 'INVALID_REQUEST' },
  },
  {
    name: 'a token with characters outside b64token is 400',
    request: () => ({ path: '/api/whoami', headers: { authorization: 'Bearer sk_test_abc!' } }),
    expect: { status: 400, code: 'INVALID_REQUEST' },
  },
  // Repeated Authorization headers (RFC 9110 §11.6.2 allows one): never "the first one wins".
  ...(
    [
      ['two copies of one valid key', (fx: Fixture) => [`Bearer ${fx.t.reader}`, `Bearer ${fx.t.reader}`]],
      ['a valid key, then garbage', (fx: Fixture) => [`Bearer ${fx.t.reader}`, 'Bearer garbage']],
      ['garbage, then a valid key', (fx: Fixture) => ['Bearer garbage', `Bearer ${fx.t.reader}`]],
      ['Basic, then a valid bearer key', (fx: Fixture) => ['Basic dXNlcjpwYXNz', `Bearer ${fx.t.reader}`]],
      ['a valid key, then an empty header', (fx: Fixture) => [`Bearer ${fx.t.reader}`, '']],
    ] as const
  ).map(
    ([what, values]): MiddlewareCase => ({
      name: `repeated Authorization headers (${what}) are 400 invalid_request`,
      request: (fx) => ({ path: '/api/whoami', headers: { authorization: [...values(fx)] } }),
      expect: {
        status: 400,
        code: 'INVALID_REQUEST',
        wwwAuthenticate: `${REALM}, error="invalid_request", error_description="The API key header was sent more than once"`,
      },
    }),
  ),
  {
    name: 'a token that is not a keysmith key is 401 invalid_token',
    request: () => ({ path: '/api/whoami', headers: bearer('not_a_real_key') }),
    expect: { status: 401, code: 'MALFORMED', wwwAuthenticate: invalidToken('The API key is malformed') },
  },
  {
    name: 'a typo (bad checksum) is 401 MALFORMED',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.reader.slice(0, -1) + (fx.t.reader.endsWith('A') ? 'B' : 'A')) }),
    expect: { status: 401, code: 'MALFORMED' },
  },

  // Unusable keys: 401 invalid_token; unknown and wrong secret look the same.
  {
    name: 'an unknown key is 401 INVALID',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.unknown) }),
    expect: { status: 401, code: 'INVALID', message: 'The API key is invalid', wwwAuthenticate: invalidToken('The API key is invalid') },
  },
  {
    name: 'a wrong secret is 401 INVALID',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.wrongSecret) }),
    expect: { status: 401, code: 'INVALID', message: 'The API key is invalid', wwwAuthenticate: invalidToken('The API key is invalid') },
  },
  {
    name: 'a revoked key is 401 REVOKED',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.revoked) }),
    expect: { status: 401, code: 'REVOKED', wwwAuthenticate: invalidToken('The API key has been revoked') },
  },
  {
    name: 'a paused key is 401 DISABLED',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.disabled) }),
    expect: { status: 401, code: 'DISABLED', wwwAuthenticate: invalidToken('The API key is disabled') },
  },
  {
    name: 'an expired key is 401 EXPIRED',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.expired) }),
    expect: { status: 401, code: 'EXPIRED', wwwAuthenticate: invalidToken('The API key has expired') },
  },

  // Scopes, queries, resources.
  {
    name: 'a missing scope is 403 insufficient_scope naming the scope',
    request: (fx) => ({ path: '/api/docs', method: 'POST', headers: bearer(fx.t.reader) }),
    expect: {
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
      wwwAuthenticate: `${REALM}, error="insufficient_scope", error_description="The API key lacks the required scope", scope="docs:write"`,
    },
  },
  {
    name: 'a route-level guard under an app-level one adds its scope',
    request: (fx) => ({ path: '/api/docs', method: 'POST', headers: bearer(fx.t.writer) }),
    expect: { status: 201 },
  },
  {
    name: 'scopes: all are required (one missing → 403)',
    request: (fx) => ({ path: '/v/all', headers: bearer(fx.t.reader) }),
    expect: {
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
      wwwAuthenticate: `${REALM}, error="insufficient_scope", error_description="The API key lacks the required scope", scope="docs:read docs:write"`,
    },
  },
  { name: 'scopes: all held → 200', request: (fx) => ({ path: '/v/all', headers: bearer(fx.t.writer) }), expect: { status: 200 } },
  { name: 'anyScopes: one of them suffices', request: (fx) => ({ path: '/v/any', headers: bearer(fx.t.adminReader) }), expect: { status: 200 } },
  {
    name: 'anyScopes: none held → 403',
    request: (fx) => ({ path: '/v/any', headers: bearer(fx.t.reader) }),
    expect: { status: 403, code: 'INSUFFICIENT_SCOPE' },
  },
  { name: 'query satisfied → 200', request: (fx) => ({ path: '/v/query', headers: bearer(fx.t.adminReader) }), expect: { status: 200 } },
  {
    name: 'query not satisfied → 403 with the scopes it mentions',
    request: (fx) => ({ path: '/v/query', headers: bearer(fx.t.writer) }),
    expect: {
      status: 403,
      code: 'INSUFFICIENT_SCOPE',
      wwwAuthenticate: `${REALM}, error="insufficient_scope", error_description="The API key lacks the required scope", scope="docs:read admin:read admin:write"`,
    },
  },
  {
    name: 'a resource-limited key reaches its project',
    request: (fx) => ({ path: '/v/projects/p1', headers: bearer(fx.t.projectP1) }),
    expect: { status: 200, json: (body) => expectEqual(body, { project: 'p1' }) },
  },
  {
    name: 'a resource-limited key is 403 on another project (no challenge)',
    request: (fx) => ({ path: '/v/projects/p2', headers: bearer(fx.t.projectP1) }),
    expect: { status: 403, code: 'FORBIDDEN_RESOURCE', wwwAuthenticate: null },
  },
  { name: 'an unlimited key reaches any project', request: (fx) => ({ path: '/v/projects/p2', headers: bearer(fx.t.reader) }), expect: { status: 200 } },

  // The named header.
  {
    name: 'the key may come in the configured header',
    request: (fx) => ({ path: '/v/header', headers: { 'x-api-key': fx.t.reader } }),
    expect: { status: 200 },
  },
  {
    name: 'Authorization still works where a header is configured',
    request: (fx) => ({ path: '/v/header', headers: bearer(fx.t.reader) }),
    expect: { status: 200 },
  },
  {
    name: 'a key in both headers is 400 (one method per request)',
    request: (fx) => ({ path: '/v/header', headers: { ...bearer(fx.t.reader), 'x-api-key': fx.t.reader } }),
    expect: { status: 400, code: 'INVALID_REQUEST' },
  },
  {
    name: 'the named header is ignored where none is configured',
    request: (fx) => ({ path: '/api/whoami', headers: { 'x-api-key': fx.t.reader } }),
    expect: { status: 401, code: 'MISSING_CREDENTIALS' },
  },
  {
    name: 'an unknown key in the named header is 401 INVALID',
    request: (fx) => ({ path: '/v/header', headers: { 'x-api-key': fx.unknown } }),
    expect: { status: 401, code: 'INVALID' },
  },

  // Addresses, limits, credits.
  {
    name: 'a key locked to 10.0.0.0/8 is 403 from 127.0.0.1',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.ipLocked) }),
    expect: { status: 403, code: 'FORBIDDEN_ADDRESS', wwwAuthenticate: null },
  },
  {
    name: 'a key locked to 127.0.0.1 passes (the client IP reaches verify)',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.ipLocal) }),
    expect: { status: 200 },
  },
  {
    name: 'past its rate limit a key gets 429 with Retry-After',
    before: (fx) => [{ path: '/api/whoami', headers: bearer(fx.t.limited) }],
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.limited) }),
    expect: {
      status: 429,
      code: 'RATE_LIMITED',
      retryAfter: /^([1-9]|[1-5][0-9]|60)$/,
      wwwAuthenticate: null,
      // IETF httpapi RateLimit headers: the refusing policy (1 per 60 s) and its state.
      headers: { 'ratelimit-policy': /^"burst";q=1;w=60$/, ratelimit: /^"burst";r=0;t=([1-9]|[1-5][0-9]|60)$/ },
    },
  },
  {
    name: 'without credits (refill due tomorrow) → 429 with Retry-After',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.spent) }),
    expect: { status: 429, code: 'USAGE_EXCEEDED', retryAfter: /^[1-9][0-9]*$/ },
  },
  {
    name: 'without credits and no refill → 429 without Retry-After',
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.spentForever) }),
    expect: { status: 429, code: 'USAGE_EXCEEDED', retryAfter: null, headers: { 'ratelimit-policy': null } },
  },

  // Fail closed.
  {
    name: 'an unreachable store is 503 (fail closed)',
    around: { start: (fx) => (fx.store.down = true), end: (fx) => (fx.store.down = false) },
    request: (fx) => ({ path: '/api/whoami', headers: bearer(fx.t.reader) }),
    expect: { status: 503, code: 'STORE_UNAVAILABLE', message: 'The key store is unavailable', wwwAuthenticate: null },
  },
];

function expectEqual(actual: unknown, expected: unknown): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`Expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
