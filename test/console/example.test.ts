import { describe, expect, it } from 'vitest';
import { start } from '../../examples/console/server.js';

describe('examples/console/server.ts', () => {
  it('signs in with a cookie, serves the console, and its API calls need the CSRF header', async () => {
    const { url, close } = await start({ port: 0 });
    try {
      expect((await fetch(`${url}/admin/console/session`)).status).toBe(401);
      const login = await fetch(`${url}/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'user=alice',
        redirect: 'manual',
      });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/admin/console');
      const setCookie = login.headers.get('set-cookie')!;
      expect(setCookie).toMatch(/HttpOnly; SameSite=Strict/);
      const cookie = setCookie.split(';')[0]!;
      const page = await fetch(`${url}/admin/console`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(await (await fetch(`${url}/admin/console/session`, { headers: { cookie } })).json()).toMatchObject({ actorId: 'alice', tenantId: 'acme' });
      const body = JSON.stringify({ name: 'ci', scopes: ['notes:read'] });
      const json = { cookie, 'content-type': 'application/json' };
      expect((await fetch(`${url}/admin/keys`, { method: 'POST', headers: json, body })).status).toBe(403);
      const created = await fetch(`${url}/admin/keys`, { method: 'POST', headers: { ...json, 'x-keysmith-client': '1' }, body });
      expect(created.status).toBe(201);
      const { token } = (await created.json()) as { token: string };
      expect((await fetch(`${url}/api/notes`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await close();
    }
  });
});
