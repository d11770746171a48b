import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, type KeysmithEvent, type Keyring } from 'keysmith';
import { FRAMEWORKS, type RunningApp } from '../http/apps.js';
import { TENANT_A } from '../http/fixture.js';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS, type OpenStore } from '../support/store-targets.js';
import { runs } from '../support/runs.js';

/**
 * Issue 12 item 11: client input is never a server fault. NUL in an id, lone UTF-16 surrogates in
 * any string, dates past year 9999 and numbers past a column's range answer the same 400
 * VALIDATION (or 404 for an id no key can have) on every store, over every framework, and never
 * reach the store (no `store.error` event, no 503).
 */

interface Call {
  method: string;
  path: string;
  body?: unknown;
  as?: string;
}

/** [label, request, status, first issue path (for 400s)] */
const CASES: [string, (id: string) => Call, number, (string | number)[] | null][] = [
  ['id with NUL (get)', () => ({ method: 'GET', path: '/keys/a%00b' }), 404, null],
  ['id with NUL (update)', () => ({ method: 'PATCH', path: '/keys/%00', body: { name: 'x' } }), 404, null],
  ['id with NUL (revoke)', () => ({ method: 'DELETE', path: '/keys/ab%00' }), 404, null],
  ['id with NUL (toggle)', () => ({ method: 'POST', path: '/keys/%00/toggle-active' }), 404, null],
  ['id with NUL (rotate)', () => ({ method: 'POST', path: '/keys/%00/rotate' }), 404, null],
  ['id with NUL (super-admin)', () => ({ method: 'GET', path: '/admin/keys/%00', as: 'root' }), 404, null],
  ['tenant with NUL (super-admin list)', () => ({ method: 'GET', path: '/tenants/%00/keys', as: 'root' }), 400, ['tenantId']],
  ['lone surrogate in metadata value', () => ({ method: 'POST', path: '/keys', body: { name: 'x', metadata: { a: '\ud800' } } }), 400, ['metadata']],
  ['lone surrogate in metadata key', () => ({ method: 'POST', path: '/keys', body: { name: 'x', metadata: { '\udc00': 1 } } }), 400, ['metadata']],
  [
    'lone surrogate in a resource id',
    () => ({ method: 'POST', path: '/keys', body: { name: 'x', resources: { project: ['p\ud800'] } } }),
    400,
    ['resources', 'project', 0],
  ],
  [
    'lone surrogate in a tool name',
    () => ({ method: 'POST', path: '/keys', body: { name: 'x', mcp: { tools: { mode: 'allow', names: ['\udfff'] } } } }),
    400,
    ['mcp', 'tools', 'names', 0],
  ],
  ['lone surrogate in the name', () => ({ method: 'POST', path: '/keys', body: { name: 'a\ud83d' } }), 400, ['name']],
  ['lone surrogate in the owner', () => ({ method: 'POST', path: '/keys', body: { name: 'x', ownerId: '\ud800' } }), 400, ['ownerId']],
  ['lone surrogate in an update', (id) => ({ method: 'PATCH', path: `/keys/${id}`, body: { name: '\udc00x' } }), 400, ['name']],
  ['lone surrogate in a search', () => ({ method: 'GET', path: '/keys?search=%ED%A0%80' }), 200, null],
  ['expiry past year 9999 (expiresIn)', () => ({ method: 'POST', path: '/keys', body: { name: 'x', expiresIn: '300000y' } }), 400, ['expiresIn']],
  ['expiry past year 9999 (update expiresIn)', (id) => ({ method: 'PATCH', path: `/keys/${id}`, body: { expiresIn: '20000y' } }), 400, ['expiresIn']],
  [
    'expiry past year 9999 (milliseconds)',
    () => ({ method: 'POST', path: '/keys', body: { name: 'x', expiresIn: 8_000_000_000_000_000 } }),
    400,
    ['expiresIn'],
  ],
  ['version past a 32-bit integer', (id) => ({ method: 'PATCH', path: `/keys/${id}`, body: { name: 'x', version: 2 ** 31 } }), 400, ['version']],
  ['rotate version past a 32-bit integer', (id) => ({ method: 'POST', path: `/keys/${id}/rotate`, body: { version: 2 ** 40 } }), 400, ['version']],
];

/** Strings of any UTF-16 code units: NUL, controls, lone and paired surrogates, astral characters. */
const anyUnit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\u0000', '\ud800', '\udfff', '\ud83d\ude00', '\u202e', '\ufffe', 'a'),
);
const unicode = fc.string({ unit: anyUnit, maxLength: 12 });
/** A request with random unicode in one place. */
const randomRequest = (id: string) =>
  fc.oneof(
    unicode.map((s) => ({ method: 'POST', path: '/keys', body: { name: `n${s}` } })),
    unicode.map((s) => ({ method: 'POST', path: '/keys', body: { name: 'x', metadata: { [s]: s, nested: [s] } } })),
    unicode.map((s) => ({
      method: 'POST',
      path: '/keys',
      body: { name: 'x', resources: { project: [s || 'p'] }, mcp: { tools: { mode: 'allow', names: [s || 't'] } } },
    })),
    unicode.map((s) => ({ method: 'POST', path: '/keys', body: { name: 'x', ownerId: s || 'o', roles: [s], preset: s, scopes: [s] } })),
    unicode.map((s) => ({ method: 'PATCH', path: `/keys/${id}`, body: { name: `n${s}`, metadata: { a: s } } })),
    unicode.map((s) => ({ method: 'GET', path: `/keys/${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) || 'x'}` })),
    unicode.map((s) => ({
      method: 'GET',
      path: `/keys?search=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))}&ownerId=${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, '')) || 'o'}`,
    })),
    fc
      .string({ unit: fc.constantFrom('%00', '%ED%A0%80', '%C0%80', 'a', '%2F'), minLength: 1, maxLength: 6 })
      .map((s) => ({ method: 'DELETE', path: `/keys/${s}` })),
    fc
      .tuple(fc.integer({ min: 1, max: 999_999 }), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'y'))
      .map(([n, u]) => ({ method: 'POST', path: '/keys', body: { name: 'x', expiresIn: `${n}${u}` } })),
    fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }).map((n) => ({ method: 'PATCH', path: `/keys/${id}`, body: { expiresIn: n, version: n } })),
  );

async function send(app: RunningApp, call: Call) {
  const res = await fetch(`${app.url}/admin${call.path}`, {
    method: call.method,
    headers: { 'x-actor': call.as ?? 'alice', ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: call.body === undefined ? undefined : JSON.stringify(call.body),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? JSON.parse(text) : undefined };
}

for (const target of STORE_TARGETS) {
  describe(`client input is never a server fault: ${target.label}`, () => {
    let open: OpenStore;
    let keyring: Keyring;
    const apps: { name: string; app: RunningApp }[] = [];
    const storeErrors: KeysmithEvent[] = [];
    let id: string;
    beforeAll(async () => {
      open = await target.open();
      keyring = createKeyring({
        store: open.store,
        prefix: 'sk_test',
        cache: false,
        onEvent: (e) => (e.type === 'store.error' ? void storeErrors.push(e) : undefined),
      });
      id = (await keyring.create({ tenantId: TENANT_A, name: 'target' })).key.id;
      for (const f of FRAMEWORKS) apps.push({ name: f.name, app: await f.start(keyring) });
    }, START_TIMEOUT);
    afterAll(async () => {
      await Promise.all(apps.map((a) => a.app.close()));
      await open?.close();
    });

    it('NUL ids, lone surrogates, dates past 9999 and out-of-range versions: one clear answer on every framework', async () => {
      for (const { name, app } of apps) {
        for (const [label, call, status, path] of CASES) {
          const a = await send(app, call(id));
          expect(a.status, `[${name}] ${label}: ${a.text}`).toBe(status);
          if (status === 400) {
            expect(a.json.error.code, label).toBe('VALIDATION');
            expect(a.json.error.issues[0].path, `${label}: ${a.text}`).toEqual(path);
          }
          if (status === 404) expect(a.json.error.code, label).toBe('NOT_FOUND');
        }
      }
      expect(storeErrors).toEqual([]);
      // Nothing was stored: the target is untouched and no key has an invalid date.
      const { items } = await keyring.list(TENANT_A, { limit: 100 });
      expect(items.map((k) => k.name)).toEqual(['target']);
      expect((await keyring.get(TENANT_A, id))?.version).toBe(1);
    });

    it('through the keyring too: dates past 9999 are refused, not stored as Invalid Date', async () => {
      storeErrors.length = 0;
      for (const input of [{ expiresIn: '300000y' }, { expiresAt: new Date(Date.UTC(10_000, 0, 1)) }, { expiresIn: 9e15 }]) {
        const error = await keyring.create({ tenantId: TENANT_A, name: 'far', ...input }).catch((e: unknown) => e);
        expect(isKeysmithError(error) && error.code, JSON.stringify(input)).toBe('VALIDATION');
      }
      expect(await keyring.get(TENANT_A, 'a\u0000b')).toBeNull();
      expect(await keyring.getAcrossTenants('\ud800')).toBeNull();
      expect(storeErrors).toEqual([]);
    });

    it('random unicode through the admin API never gives a 5xx or a store error (property)', async () => {
      storeErrors.length = 0;
      let round = 0;
      await fc.assert(
        fc.asyncProperty(randomRequest(id), async (call) => {
          const { name, app } = apps[round++ % apps.length]!;
          const a = await send(app, call);
          expect(a.status, `[${name}] ${JSON.stringify(call)} → ${a.text}`).toBeLessThan(500);
          expect(storeErrors, `[${name}] ${JSON.stringify(call)} → ${a.text}`).toEqual([]);
        }),
        { numRuns: Number(process.env.KEYSMITH_PROPERTY_RUNS ?? runs(60, 120)) },
      );
    }, 120_000);
  });
}
