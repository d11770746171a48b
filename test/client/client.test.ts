import { describe, expect, it } from 'vitest';
import { AdminApiError, createAdminClient, isKeysmithError } from 'keysmith/client';
import { TENANT_A, TENANT_B } from '../http/fixture.js';
import { useAllFrameworks } from '../http/running.js';

/** keysmith/client against the test apps of Express, Fastify and Hono over real HTTP (sessions from x-actor). */
describe('keysmith/client on three frameworks', () => {
  const running = useAllFrameworks();
  const as = (url: string, actor: string) => createAdminClient({ baseUrl: `${url}/admin`, headers: { 'x-actor': actor, 'X-Keysmith-Client': '1' } });

  it('create → list → update → rotate → revoke round trip', async () => {
    for (const { name, app, fx } of running) {
      const admin = as(app.url, 'alice');
      const { key, token } = await admin.create({ name: 'client-made', scopes: ['docs:read'], expiresIn: '30d', metadata: { via: 'client' } });
      expect(key, name).toMatchObject({ tenantId: TENANT_A, name: 'client-made', scopes: ['docs:read'], createdBy: 'alice', status: 'active', version: 1 });
      expect(typeof key.expiresAt).toBe('string');
      expect((await fx.keyring.verify(token)).valid).toBe(true);
      const page = await admin.list({ search: 'client-made', limit: 10, status: ['active'] });
      expect(page.items.map((k) => k.id)).toEqual([key.id]);
      expect(page).toMatchObject({ page: 1, limit: 10, total: 1 });
      expect((await admin.get(key.id)).id).toBe(key.id);
      const updated = await admin.update(key.id, { name: 'renamed', scopes: ['docs:read', 'docs:write'], version: 1 });
      expect(updated).toMatchObject({ name: 'renamed', scopes: ['docs:read', 'docs:write'], version: 2 });
      const paused = await admin.setEnabled(key.id, false);
      expect(paused).toMatchObject({ enabled: false, status: 'paused' });
      expect((await admin.setEnabled(key.id, true)).enabled).toBe(true);
      const rotated = await admin.rotate(key.id, { graceMs: 60_000 });
      expect(rotated.key.id).not.toBe(key.id);
      expect(rotated.previous.id).toBe(key.id);
      expect((await fx.keyring.verify(rotated.token)).valid).toBe(true);
      await expect(admin.revoke(rotated.key.id)).resolves.toBeUndefined();
      expect((await fx.keyring.verify(rotated.token)).valid).toBe(false);
      await expect(admin.revoke(rotated.key.id)).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
    }
  });

  it('super-admin calls: forTenant, listAll, getAny, revokeAny', async () => {
    for (const { app } of running) {
      const root = as(app.url, 'root');
      const { key } = await root.forTenant(TENANT_B).create({ name: 'made for b' });
      expect(key.tenantId).toBe(TENANT_B);
      expect((await root.forTenant(TENANT_B).list({ limit: 100 })).items.map((k) => k.id)).toContain(key.id);
      expect((await root.listAll({ limit: 100 })).items.some((k) => k.tenantId === TENANT_A)).toBe(true);
      expect((await root.getAny(key.id)).tenantId).toBe(TENANT_B);
      await root.revokeAny(key.id);
      expect((await root.getAny(key.id)).revokedAt).not.toBeNull();
      // Others get 403 on the super-admin routes.
      await expect(as(app.url, 'alice').listAll()).rejects.toMatchObject({ code: 'FORBIDDEN', status: 403 });
    }
  });

  it('errors are KeysmithErrors with the server code and field issues: 400, 404, 401', async () => {
    for (const { app, fx } of running) {
      const admin = as(app.url, 'alice');
      const bad = await admin.create({ name: 'x', scopes: ['launch:missiles'] }).catch((e: unknown) => e);
      expect(bad).toBeInstanceOf(AdminApiError);
      expect(isKeysmithError(bad)).toBe(true);
      expect(bad).toMatchObject({ status: 400, code: 'VALIDATION', issues: [{ path: ['scopes', 0], message: 'Unknown scope "launch:missiles"' }] });
      await expect(admin.get(fx.ids.tenantB!)).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND', message: 'No such key' });
      await expect(admin.list({ limit: 1000 })).rejects.toMatchObject({ status: 400, code: 'VALIDATION', issues: [{ path: ['limit'] }] });
      const anonymous = createAdminClient({ baseUrl: `${app.url}/admin` });
      await expect(anonymous.list()).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('headers may be a function (per request) and fetch can be given', async () => {
    const { app } = running[0]!;
    const seen: string[] = [];
    const admin = createAdminClient({
      baseUrl: new URL(`${app.url}/admin/`),
      headers: async () => ({ 'x-actor': 'alice' }),
      fetch: (input, init) => {
        seen.push(`${init?.method} ${String(input)} ${new Headers(init?.headers).get('x-actor')}`);
        return fetch(input, init);
      },
    });
    await admin.list({ includeRevoked: true });
    expect(seen).toEqual([`GET ${app.url}/admin/keys?includeRevoked=true alice`]);
  });
});
