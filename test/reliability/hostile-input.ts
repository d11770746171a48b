import fc from 'fast-check';

/**
 * fast-check arbitraries for hostile admin-API requests: wrong types, huge strings on both sides of
 * the 64 KiB body limit, deep nesting, `__proto__` / `constructor` keys, unicode and NUL, arrays
 * where objects belong, numbers as strings, extra fields, broken JSON, odd media types.
 */

export interface HostileRequest {
  method: 'GET' | 'POST' | 'PATCH';
  /** Below the admin mount, e.g. `/keys/abc/rotate?x=1`. */
  path: string;
  /** Raw bytes or text; undefined for no body. */
  body?: string | Uint8Array;
  contentType?: string;
  /** Send the body as a stream (chunked, no Content-Length), so the server's own limit must act. */
  chunked: boolean;
  /** The session (test/http/actors.ts), or none. */
  as?: string;
}

const FILLERS = ['x', 'é', '€', '😀', '\u0000', '"', '\\', '\u202e'];
/** Long strings are built, not generated character by character (fast-check would crawl). */
const longString = fc
  .tuple(fc.constantFrom(200, 4_097, 30_000, 60_000, 66_000, 70_000, 140_000), fc.constantFrom(...FILLERS))
  .map(([bytes, c]) => c.repeat(Math.ceil(bytes / Buffer.byteLength(c))));

const oddString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '__proto__',
    'constructor',
    'prototype',
    '*',
    'docs:*',
    '-1',
    '1e309',
    'NaN',
    'true',
    'null',
    '7d',
    '2999-01-01T00:00:00Z',
    '10.0.0.0/8',
    '\ud800',
    '\udfff\ud800',
    '%00',
    '../../etc/passwd',
    '<script>',
  ),
);

/** A scalar of any JSON type, numbers sometimes as strings. */
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 2 ** 53, -(2 ** 53), 1e308, 5e-324, 1000, 86_400_000),
  fc.integer({ min: -5, max: 100_000 }).map(String),
  oddString,
);

const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', 'valueOf', 'name', 'scopes'),
);

/** Any JSON value, nested a little. */
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(hostileKey, tie('v'), { maxKeys: 4 })),
})).v;

/** A value for one field: right type or wrong type, right-looking or hostile. */
const fieldValue = (valid: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: valid }, jsonValue, longString);

const SCOPES = ['docs:read', 'docs:write', 'admin:read', 'admin:write', 'keys:manage', 'billing:read', '*', 'docs:*'];
const scopes = fc.array(fc.constantFrom(...SCOPES), { maxLength: 4 });
const date = fc.date({ min: new Date(1969, 0, 1), max: new Date(2200, 0, 1), noInvalidDate: true }).map((d) => d.toISOString());

/** Fields of create/update bodies, each sometimes valid so the request gets deep into the keyring. */
const keyFields = {
  name: fieldValue(fc.string({ minLength: 1, maxLength: 20 })),
  scopes: fieldValue(scopes),
  roles: fieldValue(fc.array(fc.constantFrom('Admin', 'reader', 'x'), { maxLength: 2 })),
  preset: fieldValue(fc.constantFrom('read-only', 'full-access', 'nope', null)),
  resources: fieldValue(
    fc.dictionary(fc.constantFrom('project', 'agent', '__proto__', '1bad'), fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), { maxKeys: 2 }),
  ),
  mcp: fieldValue(
    fc.record(
      {
        enabled: fc.boolean(),
        readOnly: fc.boolean(),
        tools: fc.record({ mode: fc.constantFrom('all', 'allow', 'deny', 'some'), names: fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }) }),
      },
      { requiredKeys: [] },
    ),
  ),
  expiresAt: fieldValue(fc.oneof(date, fc.constant(null))),
  expiresIn: fieldValue(fc.constantFrom('1d', '30d', '12h', 3_600_000, '0', '-1d', 'forever')),
  ownerId: fieldValue(fc.oneof(fc.string({ maxLength: 10 }), fc.constant(null))),
  ipAllowlist: fieldValue(fc.array(fc.constantFrom('127.0.0.1', '10.0.0.0/8', '::1', '300.1.1.1', '1.2.3.4/33'), { maxLength: 3 })),
  remaining: fieldValue(fc.oneof(fc.integer({ min: -2, max: 1000 }), fc.constant(null))),
  refill: fieldValue(fc.record({ amount: fc.integer({ min: -1, max: 100 }), interval: fc.constantFrom('day', 'month', 'week', 500, 60_000) })),
  rateLimits: fieldValue(
    fc.array(
      fc.record({ name: fc.constantFrom('burst', 'b', 'bad name'), limit: fc.integer({ min: -1, max: 100 }), windowMs: fc.integer({ min: 0, max: 120_000 }) }),
      { maxLength: 3 },
    ),
  ),
  metadata: fieldValue(fc.dictionary(hostileKey, jsonValue, { maxKeys: 4 })),
  enabled: fieldValue(fc.boolean()),
  version: fieldValue(fc.integer({ min: -1, max: 5 })),
  graceMs: fieldValue(fc.integer({ min: -1, max: 100_000 })),
};

/** Fields that come from the session, or exist nowhere: always refused. */
const foreignFields = {
  tenantId: fc.constantFrom('tenant_a', 'tenant_b'),
  createdBy: fc.string({ maxLength: 5 }),
  actor: fc.record({ scopes: fc.constant(['*']) }),
  hash: fc.constant('a'.repeat(64)),
  id: fc.string({ maxLength: 16 }),
  colour: jsonValue,
};

type Fields = Record<string, fc.Arbitrary<unknown>>;
const pick = (fields: Fields, names: string[]) => fc.record(Object.fromEntries(names.map((n) => [n, fields[n]!])) as Fields);

/**
 * An object body: usually a plausible name plus up to three fields (each right or wrong), and now
 * and then a field the client may not send, so most requests get past the first check.
 */
const objectBody: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined, freq: 3 }),
    fc.subarray(Object.keys(keyFields), { maxLength: 3 }),
    fc.oneof({ weight: 5, arbitrary: fc.constant([] as string[]) }, fc.subarray(Object.keys(foreignFields), { minLength: 1, maxLength: 1 })),
  )
  .chain(([name, core, foreign]) =>
    fc.tuple(pick(keyFields, core), pick(foreignFields, foreign)).map(([a, b]) => ({ ...(name === undefined ? {} : { name }), ...a, ...b })),
  );

/** Raw text tricks JSON.stringify cannot produce: own `__proto__` keys, duplicate keys, deep nesting. */
const rawInjection = fc.oneof(
  fc.tuple(fc.constantFrom('__proto__', 'constructor', 'prototype'), jsonValue).map(([k, v]) => `"${k}":${JSON.stringify(v) ?? 'null'}`),
  fc.constantFrom(
    '"__proto__":{"polluted":true,"scopes":["*"]}',
    '"constructor":{"prototype":{"polluted":true}}',
    '"metadata":{"__proto__":{"polluted":true}}',
    '"metadata":{"a":{"constructor":{"prototype":{"polluted":true}}}}',
    '"name":"a","name":"b"',
    '"scopes":["docs:read"],"scopes":"*"',
  ),
  fc.integer({ min: 9, max: 20_000 }).map((d) => `"metadata":${'{"a":'.repeat(d)}1${'}'.repeat(d)}`),
  fc.integer({ min: 100, max: 20_000 }).map((d) => `"scopes":${'['.repeat(d)}${']'.repeat(d)}`),
);

function withInjection(body: Record<string, unknown>, injection: string): string {
  const text = JSON.stringify(body) ?? '{}';
  return text === '{}' ? `{${injection}}` : `{${injection},${text.slice(1)}`;
}

/** A body as it goes on the wire: mostly JSON, sometimes not. */
const wireBody: fc.Arbitrary<string | Uint8Array | undefined> = fc.oneof(
  { weight: 6, arbitrary: objectBody.map((b) => JSON.stringify(b)) },
  { weight: 3, arbitrary: fc.tuple(objectBody, rawInjection).map(([b, i]) => withInjection(b, i)) },
  { weight: 2, arbitrary: jsonValue.map((v) => JSON.stringify(v) ?? 'null') },
  fc.array(objectBody, { maxLength: 2 }).map((a) => JSON.stringify(a)),
  longString.map((s) => JSON.stringify({ name: 'big', metadata: { s } })),
  fc.constantFrom('', '{', '{"name":', 'null', 'true', '"x"', '123', '[]', '{}', '\u0000', '{"name":"x"}garbage', '\ufeff{"name":"bom"}'),
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 64 }),
  fc.constant(new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), // {"n":"<invalid UTF-8>"}
);

const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  fc.constantFrom(
    undefined,
    'text/plain',
    'application/json; charset=latin1',
    'application/merge-patch+json',
    'APPLICATION/JSON',
    'multipart/form-data; boundary=x',
    'application/x-www-form-urlencoded',
    'application/jsonx',
  ),
);

/** A path segment for `:id`: real ids of the fixture, or ids that cannot be. */
const idSegment = (ids: string[]) =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...ids) },
    fc.constantFrom(
      'ZZZZZZZZZZZZZZZZ',
      '%00',
      '%ZZ',
      '..',
      '%2e%2e',
      '%2F',
      'a%2Fb',
      '__proto__',
      'constructor',
      '%F0%9F%98%80',
      'x'.repeat(300),
      '%20',
      '.',
      '%2e',
    ),
    fc.string({ maxLength: 20 }).map(encodeURIComponent),
  );

const QUERY_KEYS = ['page', 'limit', 'search', 'includeRevoked', 'ownerId', '__proto__', 'constructor', 'tenantId', 'x'];
const queryValue = fc.oneof(
  fc.constantFrom('1', '0', '-1', '100', '101', '1e3', '1.5', 'NaN', 'Infinity', 'true', 'false', 'yes', '', '%00', '%ZZ', '%', '😀', 'x'.repeat(200)),
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
);
/** A raw query string: repeated, unknown, empty and badly encoded parameters. */
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 6 }).map(encodeURIComponent)), queryValue, fc.boolean()), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? '' : '?' + pairs.map(([k, v, bare]) => (bare && v === '' ? k : `${k}=${v}`)).join('&')));

const actor = fc.oneof({ weight: 6, arbitrary: fc.constant('alice') }, fc.constantFrom('carol', 'bob', 'root', undefined));

/** One hostile request against the five admin routes the brief names. */
export function hostileRequest(ids: string[]): fc.Arbitrary<HostileRequest> {
  const id = idSegment(ids);
  const withBody = (method: 'POST' | 'PATCH', path: fc.Arbitrary<string>) =>
    fc.record({ method: fc.constant(method), path, body: wireBody, contentType, chunked: fc.boolean(), as: actor });
  return fc.oneof(
    withBody('POST', fc.constant('/keys')),
    withBody(
      'PATCH',
      id.map((i) => `/keys/${i}`),
    ),
    withBody(
      'POST',
      id.map((i) => `/keys/${i}/toggle-active`),
    ),
    withBody(
      'POST',
      id.map((i) => `/keys/${i}/rotate`),
    ),
    fc.record({
      method: fc.constant('GET' as const),
      path: queryString.map((q) => `/keys${q}`),
      body: fc.constant(undefined),
      contentType: fc.constant(undefined),
      chunked: fc.constant(false),
      as: actor,
    }),
  );
}
