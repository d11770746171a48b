import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { AuthenticatedKey } from 'keysmith/http';
import { apiKeyAuth as expressAuth, adminRouter } from 'keysmith/express';
import { keysmithPlugin, keysmithAdmin } from 'keysmith/fastify';
import { apiKeyAuth as honoAuth, adminApp } from 'keysmith/hono';
import { makeClient } from './admin-client.js';
import { createFixture } from './fixture.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function listen(server: Server): Promise<string> {
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  closers.push(() => new Promise((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const alice = () => ({ actorId: 'alice', tenantId: 'tenant_a' });

describe('framework specifics', () => {
  it('express: the admin API still works behind a global express.json(), and keeps its media-type rule', async () => {
    const fx = await createFixture();
    const app = express();
    app.use(express.json());
    app.use('/admin', adminRouter(fx.keyring, { authorize: alice }));
    const admin = makeClient(await listen(app.listen(0, '127.0.0.1')));
    const created = await admin({ method: 'POST', path: '/admin/keys', body: { name: 'parsed upstream', scopes: ['docs:read'] } });
    expect(created.status, created.text).toBe(201);
    expect((await admin({ method: 'POST', path: '/admin/keys', raw: JSON.stringify({ name: 'x' }), headers: { 'content-type': 'text/plain' } })).status).toBe(
      415,
    );
  });

  it('express: req.apiKey is typed by declaration merging', async () => {
    const fx = await createFixture();
    const app = express();
    app.get('/me', expressAuth(fx.keyring), (req, res) => {
      expectTypeOf(req.apiKey).toEqualTypeOf<AuthenticatedKey | undefined>();
      res.json({ tenant: req.apiKey?.key.tenantId });
    });
    const base = await listen(app.listen(0, '127.0.0.1'));
    const res = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${fx.t.reader}` } });
    expect(await res.json()).toEqual({ tenant: 'tenant_a' });
  });

  it("fastify: keysmithAdmin's body rules stay inside its scope; request.apiKey is null on open routes", async () => {
    const fx = await createFixture();
    const app = Fastify();
    await app.register(keysmithPlugin, { keyring: fx.keyring });
    app.post('/echo', async (request) => ({ apiKey: request.apiKey, body: request.body }));
    app.get('/me', { preHandler: app.requireApiKey() }, async (request) => {
      expectTypeOf(request.apiKey).toEqualTypeOf<AuthenticatedKey | null>();
      return { id: request.apiKey?.key.id };
    });
    // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
    await app.register(keysmithAdmin, { keyring: fx.keyring, authorize: alice, prefix: '/admin' });
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    const echo = await fetch(`${base}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
    expect(await echo.json()).toEqual({ apiKey: null, body: { a: 1 } });
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${fx.t.reader}` } });
    expect(await me.json()).toEqual({ id: fx.ids.reader });
    const admin = makeClient(base);
    expect((await admin({ method: 'POST', path: '/admin/keys', body: { name: 'x' } })).status).toBe(201);
    // No content-type at all: our parser still answers, with our shape.
    const bare = await admin({ method: 'POST', path: '/admin/keys', raw: '{"name":"x"}' });
    expect([bare.status, bare.json.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });

  it('fastify: a bad option fails at startup, not on the first request', async () => {
    const fx = await createFixture();
    const app = Fastify();
    await app.register(keysmithPlugin, { keyring: fx.keyring });
    expect(() => app.requireApiKey({ query: 'docs:read OR' })).toThrow(/Invalid permission query/);
    await app.close();
  });

  it('hono: c.get("apiKey") is typed from the middleware; a body read upstream still reaches the admin API', async () => {
    const fx = await createFixture();
    const app = new Hono();
    app.get('/me', honoAuth(fx.keyring), (c) => {
      expectTypeOf(c.get('apiKey')).toEqualTypeOf<AuthenticatedKey>();
      return c.json({ id: c.get('apiKey').key.id });
    });
    app.use('/admin/*', async (c, next) => {
      if (c.req.method === 'POST') await c.req.json().catch(() => null); // e.g. an audit middleware
      await next();
    });
    app.route('/admin', adminApp(fx.keyring, { authorize: alice }));
    const base = await listen(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
    const me = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${fx.t.reader}` } });
    expect(await me.json()).toEqual({ id: fx.ids.reader });
    const admin = makeClient(base);
    const created = await admin({ method: 'POST', path: '/admin/keys', body: { name: 'read upstream' } });
    expect(created.status, created.text).toBe(201);
    expect(
      (await admin({ method: 'POST', path: '/admin/keys', raw: JSON.stringify({ name: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } }))
        .status,
    ).toBe(413);
  });
});
