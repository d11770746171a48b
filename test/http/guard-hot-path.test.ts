import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { apiKeyAuth as expressAuth } from 'keysmith/express';
import { keysmithPlugin } from 'keysmith/fastify';
import { apiKeyAuth as honoAuth, type KeysmithEnv } from 'keysmith/hono';
import { createAuthenticator, requestViewAccess, type AuthenticatedKey, type RequestView } from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';

/**
 * What the guard's lean hot path (no WeakMap, no frozen object, no per-request closures, a lazy
 * `ip`) must keep: the address is read only for a key with an allowlist and still enforced there;
 * a nested guard trusts only a key its own keyring attached, with the permissions it verified.
 */

interface Probe {
  /** How many times the guard asked for the client's address. */
  ipReads: number;
  /** The address the `ip` option reports. */
  address: string;
}

/** Routes: /one (one guard), /nested (outer guard, then an app middleware `tamper` may run, then docs:write), /foreign (a key attached by hand). */
type Start = (keyring: Keyring, probe: Probe) => Promise<{ url: string; close(): Promise<void> }>;

/** A look-alike of an attached key, with every scope, set by the application before the guard. */
const forged = (): AuthenticatedKey => ({
  key: { id: 'forged', tenantId: 'tenant_a' } as AuthenticatedKey['key'],
  permissions: { scopes: ['docs:read', 'docs:write'], resources: {} } as unknown as AuthenticatedKey['permissions'],
});

/** The widening an application bug (or a careless middleware) might do to the attached key. */
function tamper(apiKey: AuthenticatedKey | null | undefined): void {
  if (!apiKey) return;
  try {
    (apiKey as { permissions: unknown }).permissions = { ...apiKey.permissions, scopes: ['docs:read', 'docs:write'] };
  } catch {
    // a frozen object refuses, which is fine too
  }
}

const listening = async (server: Server) => {
  await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
};

const startExpress: Start = async (keyring, probe) => {
  const app = express();
  const ip = () => {
    probe.ipReads++;
    return probe.address;
  };
  app.get('/one', expressAuth(keyring, { ip }), (req, res) => void res.json({ id: req.apiKey?.key.id }));
  app.get(
    '/nested',
    expressAuth(keyring, { ip }),
    (req, _res, next) => {
      tamper(req.apiKey);
      next();
    },
    expressAuth(keyring, { ip, scopes: ['docs:write'] }),
    (_req, res) => void res.json({ ok: true }),
  );
  app.get(
    '/foreign',
    (req, _res, next) => {
      req.apiKey = forged();
      next();
    },
    expressAuth(keyring, { ip, scopes: ['docs:write'] }),
    (_req, res) => void res.json({ ok: true }),
  );
  return listening(app.listen(0, '127.0.0.1'));
};

const startFastify: Start = async (keyring, probe) => {
  const app = Fastify();
  const ip = () => {
    probe.ipReads++;
    return probe.address;
  };
  await app.register(keysmithPlugin, { keyring, defaults: { ip } });
  app.get('/one', { preHandler: app.requireApiKey() }, async (request) => ({ id: request.apiKey?.key.id }));
  app.get(
    '/nested',
    {
      preHandler: [
        app.requireApiKey(),
        async (request) => {
          tamper(request.apiKey);
        },
        app.requireApiKey({ scopes: ['docs:write'] }),
      ],
    },
    async () => ({ ok: true }),
  );
  app.get(
    '/foreign',
    {
      preHandler: [
        async (request) => {
          request.apiKey = forged();
        },
        app.requireApiKey({ scopes: ['docs:write'] }),
      ],
    },
    async () => ({ ok: true }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  return listening(app.server);
};

const startHono: Start = async (keyring, probe) => {
  const app = new Hono<KeysmithEnv>();
  const ip = () => {
    probe.ipReads++;
    return probe.address;
  };
  app.get('/one', honoAuth(keyring, { ip }), (c) => c.json({ id: c.get('apiKey').key.id }));
  app.get(
    '/nested',
    honoAuth(keyring, { ip }),
    async (c, next) => {
      tamper(c.get('apiKey'));
      await next();
    },
    honoAuth(keyring, { ip, scopes: ['docs:write'] }),
    (c) => c.json({ ok: true }),
  );
  app.get(
    '/foreign',
    async (c, next) => {
      c.set('apiKey', forged());
      await next();
    },
    honoAuth(keyring, { ip, scopes: ['docs:write'] }),
    (c) => c.json({ ok: true }),
  );
  return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
};

const FRAMEWORKS: [string, Start][] = [
  ['express', startExpress],
  ['fastify', startFastify],
  ['hono', startHono],
];

const get = async (url: string, token?: string) => {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = (await res.json()) as { error?: { code: string } };
  return { status: res.status, code: body.error?.code };
};

describe.each(FRAMEWORKS)('%s guard: lean hot path, same answers', (_name, start) => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read', 'docs:write'] });
  const probe: Probe = { ipReads: 0, address: '10.1.2.3' };
  const app = start(keyring, probe);
  afterAll(async () => (await app).close());

  it('reads the client address only for a key with an allowlist, and enforces it there', async () => {
    const { url } = await app;
    const open = await keyring.create({ tenantId: 'tenant_a', name: 'open', scopes: ['docs:read'] });
    const locked = await keyring.create({ tenantId: 'tenant_a', name: 'locked', scopes: ['docs:read'], ipAllowlist: ['10.0.0.0/8'] });

    probe.ipReads = 0;
    expect(await get(`${url}/one`, open.token)).toEqual({ status: 200, code: undefined });
    expect(await get(`${url}/one`, open.token)).toEqual({ status: 200, code: undefined });
    expect(probe.ipReads).toBe(0);

    probe.address = '10.1.2.3';
    expect(await get(`${url}/one`, locked.token)).toEqual({ status: 200, code: undefined });
    expect(probe.ipReads).toBe(1);
    probe.address = '192.168.0.9';
    expect(await get(`${url}/one`, locked.token)).toEqual({ status: 403, code: 'FORBIDDEN_ADDRESS' });
    expect(probe.ipReads).toBe(2);
    probe.address = '10.1.2.3';
  });

  it('a nested guard re-checks the permissions its keyring verified, not what the application changed', async () => {
    const { url } = await app;
    const reader = await keyring.create({ tenantId: 'tenant_a', name: 'reader', scopes: ['docs:read'] });
    const writer = await keyring.create({ tenantId: 'tenant_a', name: 'writer', scopes: ['docs:write'], remaining: 3 });
    expect(await get(`${url}/nested`, reader.token)).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    expect(await get(`${url}/nested`, writer.token)).toEqual({ status: 200, code: undefined });
    // The inner guard refined the outer one's key: one credit spent, not two.
    expect((await keyring.get('tenant_a', writer.key.id))?.remaining).toBe(2);
  });

  it('a key object attached by anything but a guard of this keyring is not trusted: the request needs its own key', async () => {
    const { url } = await app;
    expect(await get(`${url}/foreign`)).toMatchObject({ status: 401 });
    const reader = await keyring.create({ tenantId: 'tenant_a', name: 'reader2', scopes: ['docs:read'] });
    expect(await get(`${url}/foreign`, reader.token)).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
  });
});

describe.each(FRAMEWORKS)('%s guard with failedAttempts: the lazy address still feeds the throttle', (_name, start) => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read'], failedAttempts: { limit: 2, windowMs: 60_000 } });
  const probe: Probe = { ipReads: 0, address: '10.9.9.9' };
  const app = start(keyring, probe);
  afterAll(async () => (await app).close());

  it('guesses from one address are counted and then refused; another address is not', async () => {
    const { url } = await app;
    const { token } = await keyring.create({ tenantId: 'tenant_a', name: 'k', scopes: ['docs:read'] });
    const wrong = `${token.slice(0, -4)}AAAA`;
    expect((await get(`${url}/one`, wrong)).status).toBe(401);
    expect((await get(`${url}/one`, wrong)).status).toBe(401);
    expect(await get(`${url}/one`, token)).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    probe.address = '10.8.8.8';
    expect(await get(`${url}/one`, token)).toEqual({ status: 200, code: undefined });
    expect(probe.ipReads).toBeGreaterThan(0);
  });
});

describe('the guard answers a cache hit synchronously', () => {
  const view = (token: string): RequestView => ({ header: (name) => (name === 'authorization' ? `Bearer ${token}` : undefined), ip: undefined });

  it('authenticateNow returns the outcome itself for a cached key, a promise when the store must be read', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read'] });
    const auth = createAuthenticator<RequestView>(keyring, { scopes: ['docs:read'] }, requestViewAccess);
    const { token } = await keyring.create({ tenantId: 'tenant_a', name: 'k', scopes: ['docs:read'] });
    keyring.invalidate();
    const first = auth.authenticateNow(view(token));
    expect(first).toBeInstanceOf(Promise); // a cache miss reads the store
    expect(await first).toMatchObject({ ok: true });
    const second = auth.authenticateNow(view(token));
    expect(second).not.toBeInstanceOf(Promise);
    expect(second).toMatchObject({ ok: true, apiKey: { key: { name: 'k' } } });
    // A refusal from the cache is synchronous too, with the same answer as through verify.
    const refused = createAuthenticator<RequestView>(keyring, { scopes: ['docs:write'] }, requestViewAccess).authenticateNow(view(token));
    expect(refused).not.toBeInstanceOf(Promise);
    expect(refused).toMatchObject({ ok: false, answer: { status: 403 } });
    expect(await auth.authenticate(view(token))).toMatchObject({ ok: true });
  });

  it('a key with rate limits or credits still goes through the limiter and the store', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read'] });
    const auth = createAuthenticator<RequestView>(keyring, {}, requestViewAccess);
    const { token } = await keyring.create({ tenantId: 'tenant_a', name: 'k', scopes: ['docs:read'], remaining: 1 });
    await auth.authenticate(view(token)); // cached now, one credit spent
    const spent = auth.authenticateNow(view(token));
    expect(spent).toBeInstanceOf(Promise);
    expect(await spent).toMatchObject({ ok: false, answer: { status: 429 } });
  });
});

describe.each(FRAMEWORKS)('%s guard: an application wrapping keyring.verify', (_name, start) => {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read', 'docs:write'] });
  const app = start(keyring, { ipReads: 0, address: '10.1.2.3' });
  afterAll(async () => (await app).close());

  it('is called for every request, even when it wraps verify after the guard was built', async () => {
    const { url } = await app;
    const { token } = await keyring.create({ tenantId: 'tenant_a', name: 'wrapped', scopes: ['docs:read'] });
    expect(await get(`${url}/one`, token)).toEqual({ status: 200, code: undefined }); // cached from here on
    const original = keyring.verify;
    let calls = 0;
    keyring.verify = (t, o) => {
      calls++;
      return original(t, o);
    };
    try {
      expect(await get(`${url}/one`, token)).toEqual({ status: 200, code: undefined });
      expect(await get(`${url}/one`, 'sk_nope')).toMatchObject({ status: 401 });
      expect(calls).toBe(2);
    } finally {
      keyring.verify = original;
    }
  });
});

describe('fastify requireApiKey called from an application hook', () => {
  it('returns a promise when called without done, and attaches the key or answers the refusal', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read', 'docs:write'] });
    const app = Fastify();
    await app.register(keysmithPlugin, { keyring });
    const guard = app.requireApiKey({ scopes: ['docs:write'] });
    app.get(
      '/own',
      {
        preHandler: async (request, reply) => {
          const pending = guard(request, reply);
          expect(pending).toBeInstanceOf(Promise);
          await pending;
          if (reply.sent) return reply;
        },
      },
      async (request) => ({ id: request.apiKey?.key.id }),
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const writer = await keyring.create({ tenantId: 'tenant_a', name: 'w', scopes: ['docs:write'] });
      const reader = await keyring.create({ tenantId: 'tenant_a', name: 'r', scopes: ['docs:read'] });
      const ok = await fetch(`${url}/own`, { headers: { authorization: `Bearer ${writer.token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ id: writer.key.id });
      expect(await get(`${url}/own`, reader.token)).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
      expect((await get(`${url}/own`)).status).toBe(401);
    } finally {
      await app.close();
    }
  });
});
