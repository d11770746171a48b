import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, parseQuery, type KeysmithEvent, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { FRAMEWORKS, type RunningApp } from '../http/apps.js';
import { SCOPES, TENANT_A } from '../http/fixture.js';
import { runs } from '../support/runs.js';
import { connectClient, startHttpMcp, TENANT as MCP_TENANT, testKeyring } from '../mcp/harness.js';

/**
 * Issue 12 item 7: no error message, field issue (message or path), event or thrown error carries a
 * string that looks like a token, whichever keyring's prefix it has and wherever the caller put it.
 */

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const base62 = (n: number) => fc.string({ unit: fc.constantFrom(...BASE62), minLength: n, maxLength: n });
/** Any keyring's token shape: `<prefix>_<16 base62>_<38 base62>` (the prefix may hold `_`). */
const tokenShaped = fc
  .tuple(fc.constantFrom('sk', 'sk_live', 'mcp_live', 'service', 'x', 'ghp', 'abcdefghijklmnop', 'a_bcdefghijklmnopq'), base62(16), base62(38))
  .map(([prefix, id, secret]) => `${prefix}_${id}_${secret}`);

/** The part of a token that must never show: the secret after the 4 characters a preview shows. */
const secretOf = (token: string) => token.slice(token.lastIndexOf('_') + 5);
/** Every 10-character window of the hidden secret: no piece of it may appear either. */
function leaks(text: string, token: string): boolean {
  const secret = secretOf(token);
  for (let i = 0; i + 10 <= secret.length; i++) if (text.includes(secret.slice(i, i + 10))) return true;
  return false;
}

/** Everything an error shows: its message and issues, and (for KeysmithErrors) nothing else. */
const errorText = (e: unknown) => (isKeysmithError(e) ? JSON.stringify({ m: e.message, i: e.issues }) : e instanceof Error ? e.message : String(e));

describe('errors never echo a token (regressions)', () => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_test' });
  let token: string;
  beforeAll(async () => {
    token = (await keyring.create({ tenantId: TENANT_A, name: 'real' })).token;
  });

  it('a token used as a record key (resources) is not quoted in the issue path', async () => {
    const invalid = await keyring.create({ tenantId: TENANT_A, name: 'x', resources: { [`${token}!`]: ['p1'] } }).catch((e: unknown) => e);
    expect(isKeysmithError(invalid) && invalid.code).toBe('VALIDATION');
    expect(leaks(errorText(invalid), token), errorText(invalid)).toBe(false);
    // A token is a well-formed kind name: then the no-escalation check is what quotes it.
    const escalation = await keyring
      .create({ tenantId: TENANT_A, name: 'x', resources: { [token]: ['p1'] }, actor: { scopes: [], resources: { [token]: ['p2'] } } })
      .catch((e: unknown) => e);
    expect(isKeysmithError(escalation) && escalation.code).toBe('ESCALATION');
    expect(leaks(errorText(escalation), token), errorText(escalation)).toBe(false);
  });

  it('parseQuery does not quote a token in its message', () => {
    for (const query of [`${token} AND`, `(${token}`, `docs:read OR OR ${token}`, `a AND b AND c AND d AND e AND f AND g AND ${token} (`]) {
      let error: unknown;
      try {
        parseQuery(query);
      } catch (e) {
        error = e;
      }
      expect(isKeysmithError(error), query).toBe(true);
      expect(leaks(errorText(error), token), errorText(error)).toBe(false);
    }
  });

  it('the no-escalation check does not quote a token granted as a scope', async () => {
    const error = await keyring.create({ tenantId: TENANT_A, name: 'x', scopes: [token], actor: { scopes: ['docs:read'] } }).catch((e: unknown) => e);
    expect(isKeysmithError(error) && error.code).toBe('ESCALATION');
    expect(leaks(errorText(error), token), errorText(error)).toBe(false);
  });
});

/** Where a token can be put in an admin request: path, query, body values, body keys. */
type Plant = (token: string, id: string) => { method: string; path: string; body?: unknown; as: string };
const body = (method: string, path: string, value: unknown, as = 'alice') => ({ method, path, body: value, as });
const PLANTS: Record<string, Plant> = {
  'path id (get)': (t) => ({ method: 'GET', path: `/keys/${t}`, as: 'alice' }),
  'path id (delete)': (t) => ({ method: 'DELETE', path: `/keys/${t}`, as: 'alice' }),
  'path id (rotate)': (t) => body('POST', `/keys/${t}/rotate`, {}),
  'path tenant': (t) => ({ method: 'GET', path: `/tenants/${t}/keys`, as: 'root' }),
  'query name': (t) => ({ method: 'GET', path: `/keys?${t}=1`, as: 'alice' }),
  'query name twice': (t) => ({ method: 'GET', path: `/keys?${t}=1&${t}=2`, as: 'alice' }),
  'query value': (t) => ({ method: 'GET', path: `/keys?limit=${t}&page=${t}&search=${t}&includeRevoked=${t}&ownerId=${t}%00`, as: 'alice' }),
  'unknown field name': (t) => body('POST', '/keys', { name: 'x', [t]: 1 }),
  name: (t) => body('POST', '/keys', { name: `${t}\u0000` }),
  scopes: (t) => body('POST', '/keys', { name: 'x', scopes: [t] }),
  'scopes (limited actor)': (t) => body('POST', '/keys', { name: 'x', scopes: [t] }, 'carol'),
  roles: (t) => body('POST', '/keys', { name: 'x', roles: [t] }),
  preset: (t) => body('POST', '/keys', { name: 'x', preset: t }),
  'resources kind': (t) => body('POST', '/keys', { name: 'x', resources: { [t]: ['p1'] } }),
  'resources id': (t) => body('POST', '/keys', { name: 'x', resources: { project: [`${t}\u0000`] } }),
  'mcp tool': (t) => body('POST', '/keys', { name: 'x', mcp: { tools: { mode: t, names: [`${t}\n`] } } }),
  'mcp key': (t) => body('POST', '/keys', { name: 'x', mcp: { [t]: true } }),
  expiresAt: (t) => body('POST', '/keys', { name: 'x', expiresAt: t }),
  expiresIn: (t) => body('POST', '/keys', { name: 'x', expiresIn: t }),
  ownerId: (t) => body('POST', '/keys', { name: 'x', ownerId: `${t}\n` }),
  ipAllowlist: (t) => body('POST', '/keys', { name: 'x', ipAllowlist: [t, `${t}/8`] }),
  remaining: (t) => body('POST', '/keys', { name: 'x', remaining: t }),
  refill: (t) => body('POST', '/keys', { name: 'x', refill: { amount: t, interval: t, [t]: 1 } }),
  rateLimits: (t) =>
    body('POST', '/keys', {
      name: 'x',
      rateLimits: [
        { name: t, limit: 1, windowMs: 1000 },
        { name: 'b', limit: t, windowMs: 1000, [t]: 1 },
      ],
    }),
  'metadata key': (t) => body('POST', '/keys', { name: 'x', metadata: { [t]: '\u0000', nested: { [t]: 1n.toString(), __proto__: { [t]: 1 } } } }),
  'metadata value': (t) => body('POST', '/keys', { name: 'x', metadata: { a: `${t}\u0000` } }),
  'update body': (t, id) => body('PATCH', `/keys/${id}`, { [t]: 1, scopes: [t], version: t, resources: { [t]: [t] } }),
  'update (limited actor)': (t, id) => body('PATCH', `/keys/${id}`, { scopes: [t] }, 'carol'),
  'toggle body': (t, id) => body('POST', `/keys/${id}/toggle-active`, { enabled: t, [t]: 1 }),
  'rotate body': (t, id) => body('POST', `/keys/${id}/rotate`, { graceMs: t, version: t, [t]: 1 }),
  'body is the token': (t) => body('POST', '/keys', t),
};

for (const framework of FRAMEWORKS) {
  describe(`admin API over ${framework.name}: a planted token never comes back in an error or event (property)`, () => {
    const events: KeysmithEvent[] = [];
    let keyring: Keyring;
    let app: RunningApp;
    let id: string;
    beforeAll(async () => {
      keyring = createKeyring({ store: memoryStore(), prefix: 'sk_test', scopes: [...SCOPES], cache: false, onEvent: (e) => events.push(e) });
      id = (await keyring.create({ tenantId: TENANT_A, name: 'target', scopes: ['docs:read'] })).key.id;
      app = await framework.start(keyring);
    });
    afterAll(async () => app?.close());

    it('in every field of every admin route', async () => {
      const real = (await keyring.create({ tenantId: TENANT_A, name: 'real' })).token;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...Object.keys(PLANTS)),
          fc.oneof(fc.constant(real), tokenShaped),
          fc.constantFrom('', ' ', 'x', 'a AND '),
          async (where, token, around) => {
            const planted = `${around}${token}${around.trim()}`;
            const req = PLANTS[where]!(planted, id);
            const path = req.path.replace(/\u0000/g, '%00');
            const res = await fetch(`${app.url}/admin${path}`, {
              method: req.method,
              headers: { 'x-actor': req.as, ...(req.body === undefined ? {} : { 'content-type': 'application/json' }) },
              body: req.body === undefined ? undefined : JSON.stringify(req.body),
            });
            const text = await res.text();
            if (res.status >= 400) expect(leaks(text, token), `${where} → ${res.status} ${text}`).toBe(false);
            expect(res.status, `${where} → ${text}`).toBeLessThan(500);
            for (const e of events.splice(0)) expect(leaks(JSON.stringify(e), token), `${where} → event ${JSON.stringify(e)}`).toBe(false);
          },
        ),
        { numRuns: Number(process.env.KEYSMITH_PROPERTY_RUNS ?? runs(75, 150)) },
      );
    }, 120_000);
  });
}

describe('keyring calls: a planted token never comes back in a thrown error or event (property)', () => {
  it('in every argument of every management call and of parseQuery', async () => {
    const events: KeysmithEvent[] = [];
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_test', cache: false, onEvent: (e) => events.push(e) });
    const { key } = await keyring.create({ tenantId: TENANT_A, name: 'target', scopes: ['docs:read'] });
    const actor = { scopes: ['docs:read'] };
    const calls: Record<string, (t: string) => Promise<unknown> | unknown> = {
      create: (t) => keyring.create({ tenantId: t, name: t, scopes: [t], resources: { [t]: [t] }, [t]: t } as never),
      'create (actor)': (t) => keyring.create({ tenantId: TENANT_A, name: 'x', scopes: [t], resources: { project: [t] }, actor }),
      import: (t) => keyring.import({ tenantId: TENANT_A, name: 'x', hash: t, scheme: t, prefix: t, preview: `${t}\u0000` } as never),
      update: (t) => keyring.update(TENANT_A, key.id, { name: `${t}\u0000`, scopes: [t], metadata: { [t]: t }, [t]: 1 } as never),
      'update (actor)': (t) => keyring.update(TENANT_A, key.id, { scopes: [t], actor }),
      'update id': (t) => keyring.update(t, t, { name: 'x' }),
      get: (t) => keyring.get(t, t),
      list: (t) => keyring.list(TENANT_A, { search: `${t}\u0000`, ownerId: `${t}\n`, page: t, [t]: t } as never),
      'list tenant': (t) => keyring.list(t),
      revoke: (t) => keyring.revoke(t, t, { by: t }),
      rotate: (t) => keyring.rotate(TENANT_A, t, { graceMs: t as never }),
      setEnabled: (t) => keyring.setEnabled(TENANT_A, key.id, t as never),
      parseQuery: (t) => parseQuery(`${t} AND (`),
      'verify query': (t) => keyring.verify(t, { query: t, scopes: [t] }),
    };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(calls)), tokenShaped, async (name, token) => {
        let text = '';
        try {
          const result = await calls[name]!(token);
          if (result && typeof result === 'object' && 'valid' in result && !(result as { valid: boolean }).valid) text = JSON.stringify(result);
        } catch (error) {
          text = errorText(error);
        }
        expect(leaks(text, token), `${name} → ${text}`).toBe(false);
        for (const e of events.splice(0)) expect(leaks(JSON.stringify(e), token), `${name} → event ${JSON.stringify(e)}`).toBe(false);
      }),
      { numRuns: Number(process.env.KEYSMITH_PROPERTY_RUNS ?? runs(200, 500)) },
    );
  });
});

describe('MCP: a token pasted as a tool name never comes back (property, real SDK client over HTTP)', () => {
  const cleanup: (() => Promise<void>)[] = [];
  afterAll(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });

  it('in the "not found" answer of an unknown tool and of a tool the key may not use', async () => {
    const t = testKeyring();
    const server = await startHttpMcp({ keyring: t.keyring, events: t.events, guard: {}, stateful: true });
    cleanup.push(server.close);
    const open = await t.keyring.create({ tenantId: MCP_TENANT, name: 'all tools' });
    const narrow = await t.keyring.create({ tenantId: MCP_TENANT, name: 'one tool', mcp: { tools: { mode: 'allow', names: ['whoami'] } } });
    const clients = [await connectClient(server.url, open.token), await connectClient(server.url, narrow.token)];
    for (const c of clients) cleanup.push(() => c.close());
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(0, 1), tokenShaped, fc.constantFrom('', 'call ', 'tool:'), async (which, token, lead) => {
        const answer = await clients[which]!.callTool({ name: `${lead}${token}`, arguments: {} });
        const text = JSON.stringify(answer);
        expect(answer.isError, text).toBe(true);
        expect(text).toContain('not found');
        expect(leaks(text, token), text).toBe(false);
      }),
      { numRuns: Number(process.env.KEYSMITH_PROPERTY_RUNS ?? runs(30, 60)) },
    );
  }, 120_000);
});
