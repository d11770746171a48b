import { expect } from 'vitest';
import { parseToken } from 'keysmith';
import { formatToken } from '../../src/token/token.js';

/**
 * One broad run against one framework's test app (test/http/apps.ts): every kind of answer the
 * middleware and the admin API give, with the tokens it minted collected for the leak check.
 * All traffic goes through the global fetch, which the recorder has replaced.
 */
export interface ScenarioResult {
  /** Every plaintext token minted through this app's admin API (each must show up exactly once). */
  minted: string[];
  /** Tokens the client made up (unknown id, wrong secret): must never show up at all. */
  forged: string[];
  /** Status codes seen. */
  statuses: Set<number>;
  /** Unknown-key and wrong-secret answers, for the byte-identical check. */
  unknown: Probe;
  wrongSecret: Probe;
}

interface Probe {
  status: number;
  body: string;
  wwwAuthenticate: string | null;
  contentType: string | null;
}

interface Call {
  method?: string;
  path: string;
  as?: string;
  key?: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
}

export async function runHttpScenario(base: string, ctl: { advance(ms: number): void; storeDown(down: boolean): void }): Promise<ScenarioResult> {
  const statuses = new Set<number>();
  const minted: string[] = [];
  const call = async (c: Call) => {
    const headers: Record<string, string> = { ...c.headers };
    if (c.as) headers['x-actor'] = c.as;
    if (c.key) headers.authorization = `Bearer ${c.key}`;
    let body: string | undefined = c.raw;
    if (c.body !== undefined) body = JSON.stringify(c.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(base + c.path, { method: c.method ?? 'GET', headers, body });
    const text = await res.text();
    statuses.add(res.status);
    return { status: res.status, text, headers: res.headers, json: () => JSON.parse(text) };
  };
  const expectStatus = (a: { status: number; text: string }, status: number, what: string) => expect(a.status, `${what}: ${a.text}`).toBe(status);
  const create = async (body: Record<string, unknown>, path = '/admin/keys', auth: Partial<Call> = { as: 'alice' }) => {
    const a = await call({ method: 'POST', path, body, ...auth });
    expectStatus(a, 201, `create ${String(body.name)}`);
    const { key, token } = a.json() as { key: { id: string; version: number }; token: string };
    minted.push(token);
    return { id: key.id, token };
  };
  const use = (key: string, path = '/api/whoami', method = 'GET') => call({ path, method, key });

  // Minting, and answers for usable keys.
  const reader = await create({ name: 'reader', scopes: ['docs:read'] });
  const limited = await create({ name: 'limited', scopes: ['docs:read'], rateLimits: [{ name: 'burst', limit: 1, windowMs: 60_000 }] });
  const manager = await create({ name: 'manager', scopes: ['keys:manage', 'docs:read'] });
  const soon = await create({ name: 'soon', scopes: ['docs:read'], expiresIn: '1m', metadata: { team: 'ops' } });
  expectStatus(await use(reader.token), 200, 'reader whoami');
  expectStatus(await use(reader.token, '/api/docs'), 200, 'reader docs');
  expectStatus(await use(reader.token, '/api/docs', 'POST'), 403, 'reader may not write');
  expectStatus(await use(limited.token), 200, 'limited, first');
  expectStatus(await use(limited.token), 429, 'limited, second');

  // Keys that do not work.
  const parts = parseToken(reader.token)!;
  const unknownToken = formatToken({ prefix: parts.prefix, id: 'ZZZZZZZZZZZZZZZZ', secret: parts.secret });
  const wrongToken = formatToken({ prefix: parts.prefix, id: parts.id, secret: parseToken(manager.token)!.secret });
  const probe = async (token: string): Promise<Probe> => {
    const a = await use(token);
    return { status: a.status, body: a.text, wwwAuthenticate: a.headers.get('www-authenticate'), contentType: a.headers.get('content-type') };
  };
  const unknown = await probe(unknownToken);
  const wrongSecret = await probe(wrongToken);
  expectStatus(await use('sk_test_garbage'), 401, 'garbage');
  expectStatus(await call({ path: '/api/whoami', headers: { authorization: 'Bearer' } }), 400, 'Bearer without a token');
  expectStatus(await call({ path: '/api/whoami', headers: { authorization: `Bearer ${reader.token} extra` } }), 400, 'token with a space');

  // Admin answers: 400, 401, 403, 404, 409, 413, 405.
  expectStatus(await call({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'x', colour: 'red', scopes: 'docs:read' } }), 400, 'bad body');
  expectStatus(await call({ method: 'POST', path: '/admin/keys', as: 'alice', raw: `{"name":"${reader.token}"` }), 400, 'malformed JSON quoting a token');
  // A token pasted into a field whose errors do not quote values (see echo.test.ts for those that do).
  expectStatus(
    await call({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'pasted', ipAllowlist: [reader.token], expiresIn: reader.token } }),
    400,
    'a token in the wrong field',
  );
  expectStatus(
    await call({ method: 'POST', path: '/admin/keys', as: 'alice', raw: JSON.stringify({ name: 'big', metadata: { pad: 'x'.repeat(70_000) } }) }),
    413,
    'too large',
  );
  expectStatus(await call({ path: '/admin/keys' }), 401, 'no session');
  expectStatus(await call({ method: 'POST', path: '/admin/keys', as: 'carol', body: { name: 'wider', scopes: ['admin:write'] } }), 403, 'escalation');
  expectStatus(await call({ path: '/admin/keys/ZZZZZZZZZZZZZZZZ', as: 'alice' }), 404, 'unknown key');
  expectStatus(await call({ method: 'PUT', path: `/admin/keys/${reader.id}`, as: 'alice' }), 405, 'wrong method');
  expectStatus(await call({ method: 'PATCH', path: `/admin/keys/${soon.id}`, as: 'alice', body: { name: 'soon v2', version: 1 } }), 200, 'versioned update');
  expectStatus(await call({ method: 'PATCH', path: `/admin/keys/${soon.id}`, as: 'alice', body: { name: 'soon v2b', version: 1 } }), 409, 'stale version');

  // Pause, rotate, revoke, list.
  expectStatus(await call({ method: 'POST', path: `/admin/keys/${limited.id}/toggle-active`, as: 'alice' }), 200, 'pause');
  expectStatus(await use(limited.token), 401, 'paused');
  const rotated = await create({ graceMs: 0 }, `/admin/keys/${reader.id}/rotate`);
  expectStatus(await use(reader.token), 401, 'old key after rotation');
  expectStatus(await use(rotated.token, '/api/docs'), 200, 'new key after rotation');
  expectStatus(await call({ method: 'DELETE', path: `/admin/keys/${rotated.id}`, as: 'alice' }), 204, 'revoke');
  expectStatus(await use(rotated.token), 401, 'revoked');
  expectStatus(await call({ method: 'DELETE', path: `/admin/keys/${rotated.id}`, as: 'alice' }), 404, 'revoke twice');
  expectStatus(await call({ path: '/admin/keys?limit=100&includeRevoked=true', as: 'alice' }), 200, 'list');
  expectStatus(await call({ path: `/admin/keys/${rotated.id}`, as: 'alice' }), 200, 'get revoked');
  expectStatus(await call({ path: '/admin/keys?search=%00', as: 'alice' }), 400, 'bad search');

  // The key-authorized admin API: a keys:manage key mints and lists.
  const byKey = await create({ name: 'by key', scopes: ['docs:read'] }, '/key-admin/keys', { key: manager.token });
  expectStatus(await call({ path: '/key-admin/keys', key: manager.token }), 200, 'list by key');
  expectStatus(await call({ path: '/key-admin/keys', key: byKey.token }), 401, 'a key without keys:manage');

  // Time passes: the 1-minute key expires.
  ctl.advance(2 * 60_000);
  expectStatus(await use(soon.token), 401, 'expired');

  // The store goes away: fail closed.
  ctl.storeDown(true);
  try {
    expectStatus(await use(unknownToken), 503, 'store down, verify');
    expectStatus(await call({ path: '/admin/keys', as: 'alice' }), 503, 'store down, admin');
    expectStatus(await call({ method: 'POST', path: '/admin/keys', as: 'alice', body: { name: 'during outage' } }), 503, 'store down, create');
  } finally {
    ctl.storeDown(false);
  }
  return { minted, forged: [unknownToken, wrongToken], statuses, unknown, wrongSecret };
}
