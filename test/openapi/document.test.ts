import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { adminOpenApi, type AdminActor, type OpenApiDocument } from 'keysmith/http';
import { adminRouter } from 'keysmith/express';
import { keysmithAdmin } from 'keysmith/fastify';
import { adminApp } from 'keysmith/hono';
import { memoryStore } from 'keysmith/memory';
import { createContract } from './contract.js';

type Mode = 'authorized' | 'public' | false;
const alice: AdminActor = { actorId: 'alice', tenantId: 't1' };
const authorize = (header: string | string[] | undefined) => (header === 'alice' ? alice : null);

/** One admin mount per framework at `mount` (Express takes a parameter in it), with the given openapi mode. */
const MOUNTS: { name: string; start(keyring: Keyring, openapi: Mode): Promise<{ url: string; base: string; close(): Promise<void> }> }[] = [
  {
    name: 'express',
    async start(keyring, openapi) {
      const app = express();
      app.use('/orgs/:org/admin', adminRouter(keyring, { authorize: (req) => authorize(req.headers['x-actor']), openapi }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        base: '/orgs/acme/admin',
        close: () => new Promise((r) => server.close(() => r())),
      };
    },
  },
  {
    name: 'fastify',
    async start(keyring, openapi) {
      const app = Fastify();
      // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
      await app.register(keysmithAdmin, { keyring, authorize: (request) => authorize(request.headers['x-actor']), openapi, prefix: '/orgs/:org/admin' });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      return { url, base: '/orgs/acme/admin', close: () => app.close() };
    },
  },
  {
    name: 'hono',
    async start(keyring, openapi) {
      const app = new Hono();
      app.route('/orgs/:org/admin', adminApp(keyring, { authorize: (c) => authorize(c.req.header('x-actor')), openapi }));
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
      await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        base: '/orgs/acme/admin',
        close: () => new Promise((r) => server.close(() => r())),
      };
    },
  },
];

const plain = () => createKeyring({ store: memoryStore(), prefix: 'sk' });
const configured = () =>
  createKeyring({
    store: memoryStore(),
    prefix: 'sk',
    scopes: ['docs:read', 'docs:write', 'billing:invoices:read'],
    roles: { Reader: ['docs:read'], Editor: { scopes: ['docs:write'], inherits: ['Reader'] } },
    presets: { 'ci-bot': { scopes: ['docs:read'] } },
  });

describe('adminOpenApi: the document', () => {
  it('passes a maintained OpenAPI 3.1 validator, with and without a vocabulary', async () => {
    for (const keyring of [plain(), configured()]) {
      const doc = adminOpenApi(keyring, { basePath: '/admin', title: 'Acme keys', servers: [{ url: 'https://api.example.com/' }] });
      const result = await new Validator().validate(doc as never);
      expect(result.errors ?? [], JSON.stringify(result.errors)).toEqual([]);
      expect(result.valid).toBe(true);
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.info.title).toBe('Acme keys');
      expect(doc.servers).toEqual([{ url: 'https://api.example.com/admin' }]);
    }
    expect(adminOpenApi(plain(), { basePath: '/admin/' }).servers).toEqual([{ url: '/admin' }]);
  });

  it('has every route, in the tenant, per-tenant and super-admin forms, each with its statuses', () => {
    const doc = adminOpenApi(plain(), { basePath: '/admin' });
    const ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([m, op]) => [`${m.toUpperCase()} ${path}`, op as { responses: Record<string, unknown> }] as const),
    );
    expect(ops.map(([k]) => k).sort()).toEqual(
      [
        'GET /keys',
        'POST /keys',
        'GET /keys/{id}',
        'PATCH /keys/{id}',
        'DELETE /keys/{id}',
        'POST /keys/{id}/toggle-active',
        'POST /keys/{id}/rotate',
        'GET /tenants/{tenantId}/keys',
        'POST /tenants/{tenantId}/keys',
        'GET /tenants/{tenantId}/keys/{id}',
        'PATCH /tenants/{tenantId}/keys/{id}',
        'DELETE /tenants/{tenantId}/keys/{id}',
        'POST /tenants/{tenantId}/keys/{id}/toggle-active',
        'POST /tenants/{tenantId}/keys/{id}/rotate',
        'GET /admin/keys',
        'GET /admin/keys/{id}',
        'DELETE /admin/keys/{id}',
        'GET /openapi.json',
      ].sort(),
    );
    const statuses = (key: string) => Object.keys(ops.find(([k]) => k === key)![1].responses);
    expect(statuses('POST /keys')).toEqual(['201', '400', '401', '403', '404', '405', '408', '409', '413', '415', '429', '500', '503']);
    expect(statuses('DELETE /keys/{id}')).toEqual(['204', '401', '403', '404', '405', '429', '500', '503']);
    expect(doc.components.responses.Unauthorized).toMatchObject({ headers: { 'WWW-Authenticate': { required: true } } });
    expect(doc.components.responses.MethodNotAllowed).toMatchObject({ headers: { Allow: { required: true } } });
    expect(doc.components.responses.TooManyRequests).toMatchObject({ headers: { 'Retry-After': { required: true } } });
    // The error body of a 400 carries field issues.
    expect(JSON.stringify(doc.components.responses.BadRequest)).toContain('"issues"');
  });

  it("states the keyring's scopes, roles and presets as enums, and leaves the session's fields out of bodies", () => {
    const doc = adminOpenApi(configured(), { basePath: '/admin' });
    const create = doc.components.schemas.CreateKeyRequest as { properties: Record<string, any>; required: string[]; additionalProperties: boolean };
    expect(create.additionalProperties).toBe(false);
    expect(create.required).toEqual(['name']);
    for (const field of ['tenantId', 'createdBy', 'actor', 'actorId']) expect(create.properties).not.toHaveProperty(field);
    const scopes: string[] = create.properties.scopes.items.enum;
    expect(scopes).toEqual(
      expect.arrayContaining(['docs:read', 'docs:write', 'billing:invoices:read', '*', 'docs:*', '*:read', 'billing:*', 'billing:*:read']),
    );
    expect(scopes).not.toContain('launch:missiles');
    expect(create.properties.roles.items.enum).toEqual(['Reader', 'Editor']);
    expect(create.properties.preset.enum).toEqual(['read-only', 'full-access', 'ci-bot']);
    const update = doc.components.schemas.UpdateKeyRequest as { properties: Record<string, any> };
    // Nullable in an update (null clears the preset); the string branch is the enum.
    expect(update.properties.preset.anyOf).toEqual([{ type: 'string', enum: ['read-only', 'full-access', 'ci-bot'] }, { type: 'null' }]);
    // Without a vocabulary any well-formed scope goes; without roles none does.
    const open = adminOpenApi(plain(), { basePath: '/admin' }).components.schemas.CreateKeyRequest as { properties: Record<string, any> };
    expect(open.properties.scopes.items).toEqual({ type: 'string' });
    expect(open.properties.roles.items).toEqual({ not: {} });
  });

  it('every wildcard the enum lists is one the keyring accepts, and the keyring refuses what it leaves out', async () => {
    const keyring = configured();
    const scopes: string[] = (adminOpenApi(keyring, { basePath: '' }).components.schemas.CreateKeyRequest as any).properties.scopes.items.enum;
    for (const scope of scopes) await expect(keyring.create({ tenantId: 't', name: scope, scopes: [scope] }), scope).resolves.toBeDefined();
    for (const scope of ['docs', 'docs:read:*', '*:*:*:*', 'billing:read'])
      await expect(keyring.create({ tenantId: 't', name: scope, scopes: [scope] }), scope).rejects.toThrow();
  });

  it('the contract checker catches a drifted answer (it can fail)', () => {
    const doc = structuredClone(adminOpenApi(plain(), { basePath: '' })) as OpenApiDocument;
    const contract = createContract(doc);
    const exchange = {
      method: 'GET',
      path: '/keys/abc',
      query: new URLSearchParams(),
      headers: {},
      body: undefined,
      status: 200,
      responseHeaders: new Headers({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }),
      responseText: JSON.stringify({ id: 'abc', hash: 'sha256:00' }),
    };
    const verdict = contract.check(exchange);
    expect(verdict.operationId).toBe('getKey');
    expect(verdict.responseIssues.join('\n')).toContain('must NOT have additional properties');
    expect(contract.check({ ...exchange, status: 418 }).responseIssues).toEqual(['status 418 not documented for getKey']);
    expect(
      contract.check({
        ...exchange,
        status: 401,
        responseHeaders: new Headers({ 'content-type': 'application/json' }),
        responseText: '{"error":{"code":"UNAUTHORIZED","message":"x"}}',
      }).responseIssues,
    ).toEqual(['header WWW-Authenticate: missing', 'header Cache-Control: missing']);
  });
});

describe('GET <mount>/openapi.json on every framework', () => {
  for (const { name, start } of MOUNTS) {
    it(`${name}: behind authorize by default, public on request, off with false; the server URL is the mount as requested`, async () => {
      const keyring = configured();
      for (const mode of ['authorized', 'public', false] as const) {
        const app = await start(keyring, mode);
        try {
          const url = `${app.url}${app.base}/openapi.json`;
          const anonymous = await fetch(url);
          const signedIn = await fetch(url, { headers: { 'x-actor': 'alice' } });
          if (mode === false) {
            expect(anonymous.status).toBe(401);
            expect(signedIn.status).toBe(404);
            continue;
          }
          expect(anonymous.status).toBe(mode === 'public' ? 200 : 401);
          if (mode === 'authorized') expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="admin"');
          expect(signedIn.status).toBe(200);
          expect(signedIn.headers.get('content-type')).toBe('application/json; charset=utf-8');
          const doc = (await signedIn.json()) as OpenApiDocument;
          expect(doc.servers).toEqual([{ url: app.base }]);
          expect({ ...doc, servers: [] }).toEqual({ ...adminOpenApi(keyring, { basePath: '' }), servers: [] });
          expect((await new Validator().validate(doc as never)).valid).toBe(true);
          const post = await fetch(url, { method: 'POST', headers: { 'x-actor': 'alice' } });
          expect(post.status).toBe(405);
          expect(post.headers.get('allow')).toBe('GET');
        } finally {
          await app.close();
        }
      }
    });
  }

  it('refuses an unknown openapi mode when the mount is built', () => {
    expect(() => adminRouter(plain(), { authorize: () => null, openapi: 'yes' as never })).toThrow(/openapi must be/);
  });
});
