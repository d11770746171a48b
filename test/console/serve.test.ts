import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyring } from 'keysmith';
import { adminRouter } from 'keysmith/express';
import { CONSOLE_CSP } from '../../src/http/admin/console.js';
import { FRAMEWORKS, newKeyring, type ConsoleApp } from './servers.js';

const admin = { cookie: 'session=admin' };
const viewer = { cookie: 'session=viewer' };
const json = { 'content-type': 'application/json' };
const csrf = { 'x-keysmith-client': '1' };

describe.each(FRAMEWORKS)('console mount on $name', ({ start }) => {
  let keyring: Keyring;
  let on: ConsoleApp;
  let off: ConsoleApp;
  let named: ConsoleApp;
  beforeAll(async () => {
    keyring = newKeyring();
    on = await start(keyring, { console: true });
    off = await start(keyring, {});
    named = await start(keyring, { console: true, csrfHeader: 'X-From-Console' });
  });
  afterAll(async () => {
    await Promise.all([on.close(), off.close(), named.close()]);
  });

  it('is off by default: /console is no route (404 signed in, 401 signed out) and changes need no CSRF header', async () => {
    expect((await fetch(`${off.url}/admin/console`, { headers: admin })).status).toBe(404);
    expect((await fetch(`${off.url}/admin/console`)).status).toBe(401);
    expect((await fetch(`${off.url}/admin/console/console.js`, { headers: admin })).status).toBe(404);
    const res = await fetch(`${off.url}/admin/keys`, { method: 'POST', headers: { ...admin, ...json }, body: JSON.stringify({ name: 'plain' }) });
    expect(res.status).toBe(201);
  });

  it('serves the page with a strict CSP, no inline code, never cached, never framed', async () => {
    const res = await fetch(`${on.url}/admin/console`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(CONSOLE_CSP).toContain("script-src 'self'");
    expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
    expect(CONSOLE_CSP).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/admin/console/console.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="/admin/console/console.css">');
    expect(html).toContain('<keysmith-console base-url="/admin">');
    // Every script has a src, nothing is styled inline, nothing is loaded from elsewhere.
    expect(html.match(/<script\b[^>]*>/g)!.every((tag) => /\ssrc="\/admin\//.test(tag))).toBe(true);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=|https?:\/\//);
  });

  it('serves its script and stylesheet with the same headers; other methods get 405', async () => {
    const js = await fetch(`${on.url}/admin/console/console.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('no-store');
    const code = await js.text();
    expect(code).toContain('keysmith-console');
    // No eval, no Function constructor, nothing fetched from another origin.
    expect(code).not.toMatch(/\beval\(|new Function\(|https?:\/\/[a-z]/);
    const css = await fetch(`${on.url}/admin/console/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const post = await fetch(`${on.url}/admin/console`, { method: 'POST', headers: { ...admin, ...csrf } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('tells the page who is signed in and the keyring vocabulary, behind authorize', async () => {
    expect((await fetch(`${on.url}/admin/console/session`)).status).toBe(401);
    const res = await fetch(`${on.url}/admin/console/session`, { headers: viewer });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      actorId: 'victor',
      tenantId: 'acme',
      superAdmin: false,
      limited: true,
      scopes: ['docs:read', 'docs:write', 'billing:read', 'billing:write', 'keys:manage'],
      roles: ['Reader'],
      presets: expect.arrayContaining(['read-only', 'full-access']),
      csrfHeader: 'x-keysmith-client',
    });
  });

  it('refuses a change without the CSRF header: a cross-site form post or fetch carries the cookie but cannot add it', async () => {
    const { key } = await keyring.create({ tenantId: 'acme', name: 'target', scopes: ['docs:read'] });
    // What a forged HTML form sends: the victim's cookie, a form body, no custom header.
    const form = { ...admin, 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' };
    for (const [method, path, body] of [
      ['POST', `/admin/keys/${key.id}/toggle-active`, ''],
      ['POST', `/admin/keys/${key.id}/rotate`, ''],
      ['POST', '/admin/keys', 'name=forged'],
    ] as const) {
      const res = await fetch(`${on.url}${path}`, { method, headers: form, body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'CSRF_HEADER_REQUIRED', message: expect.stringContaining('x-keysmith-client') } });
    }
    // A cross-site fetch with a JSON body (it would need a preflight the API never grants, and still has no header).
    for (const [method, path, body] of [
      ['POST', '/admin/keys', JSON.stringify({ name: 'forged' })],
      ['PATCH', `/admin/keys/${key.id}`, JSON.stringify({ scopes: ['docs:write'] })],
      ['DELETE', `/admin/keys/${key.id}`, undefined],
    ] as const) {
      expect((await fetch(`${on.url}${path}`, { method, headers: { ...admin, ...json }, body })).status, `${method} ${path}`).toBe(403);
    }
    // Nothing happened.
    const after = await keyring.get('acme', key.id);
    expect(after).toMatchObject({ enabled: true, revokedAt: null, scopes: ['docs:read'], version: key.version });
    expect((await keyring.list('acme', { search: 'forged' })).total).toBe(0);
    // The page's own calls carry it and go through; reads never need it.
    expect((await fetch(`${on.url}/admin/keys?search=target`, { headers: admin })).status).toBe(200);
    const paused = await fetch(`${on.url}/admin/keys/${key.id}/toggle-active`, {
      method: 'POST',
      headers: { ...admin, ...json, ...csrf },
      body: '{"enabled":false}',
    });
    expect(paused.status).toBe(200);
    // The header alone is not enough: bodies must still be JSON.
    const formWithHeader = await fetch(`${on.url}/admin/keys`, { method: 'POST', headers: { ...form, ...csrf }, body: 'name=x' });
    expect(formWithHeader.status).toBe(415);
  });

  it('uses the header the mount names, and an empty value does not count', async () => {
    const create = (headers: Record<string, string>) =>
      fetch(`${named.url}/admin/keys`, { method: 'POST', headers: { ...admin, ...json, ...headers }, body: JSON.stringify({ name: 'named' }) });
    expect((await create(csrf)).status).toBe(403);
    expect((await create({ 'x-from-console': '' })).status).toBe(403);
    expect((await create({ 'x-from-console': '1' })).status).toBe(201);
    expect(await (await fetch(`${named.url}/admin/console/session`, { headers: admin })).json()).toMatchObject({ csrfHeader: 'x-from-console' });
  });

  it('says which listed keys a limited actor may change (the no-escalation rule), and nothing of another tenant', async () => {
    const mine = await keyring.create({ tenantId: 'acme', name: 'reader', scopes: ['docs:read'] });
    const wider = await keyring.create({ tenantId: 'acme', name: 'writer', scopes: ['docs:write'] });
    const other = await keyring.create({ tenantId: 'globex', name: 'theirs', scopes: [] });
    const ask = async (cookie: Record<string, string>, query: string) =>
      (await (await fetch(`${on.url}/admin/console/manageable?${query}`, { headers: cookie })).json()) as { ids: string[] };
    const ids = `ids=${mine.key.id},${wider.key.id},${other.key.id},nope`;
    expect((await ask(viewer, ids)).ids).toEqual([mine.key.id]);
    expect((await ask(admin, ids)).ids).toEqual([mine.key.id, wider.key.id]);
    expect((await ask(viewer, `${ids}&tenant=globex`)).ids).toEqual([]);
    expect((await ask({ cookie: 'session=root' }, `${ids}&tenant=globex`)).ids).toEqual([other.key.id]);
    expect((await fetch(`${on.url}/admin/console/manageable?${ids}`)).status).toBe(401);
  });
});

describe('console options', () => {
  it('refuses a csrfHeader that proves nothing (one a cross-site request sends anyway) or is not a header name', () => {
    const keyring = newKeyring();
    for (const csrfHeader of ['Content-Type', 'cookie', 'Origin', 'Sec-Fetch-Site', 'bad header', ''])
      expect(() => adminRouter(keyring, { authorize: () => null, csrfHeader }), csrfHeader).toThrow(/csrfHeader/);
    expect(() => adminRouter(keyring, { authorize: () => null, console: 'yes' as unknown as boolean })).toThrow(/console/);
    expect(() => adminRouter(keyring, { authorize: () => null, console: true, csrfHeader: false })).not.toThrow();
  });
});
