import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createKeyring, type Keyring } from 'keysmith';
import { adminRouter, authorizeWithKey as expressKeyAdmin } from 'keysmith/express';
import { keysmithAdmin, authorizeWithKey as fastifyKeyAdmin } from 'keysmith/fastify';
import { adminApp, authorizeWithKey as honoKeyAdmin } from 'keysmith/hono';
import type { AdminActor } from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';

/** The keyring's vocabulary, so the page shows scopes as a checklist. */
const SCOPES = ['docs:read', 'docs:write', 'billing:read', 'billing:write', 'keys:manage'] as const;

export const newKeyring = (): Keyring => createKeyring({ store: memoryStore(), prefix: 'sk_test', scopes: [...SCOPES], roles: { Reader: ['docs:read'] } });

/**
 * The console's sign-in in these tests: a session cookie naming an actor, as a real app's login
 * would set. `admin` is a tenant admin; `viewer` only holds docs:read (no escalation past it);
 * `root` is a super-admin.
 */
const ACTORS: Record<string, AdminActor> = {
  admin: { actorId: 'alice', tenantId: 'acme' },
  viewer: { actorId: 'victor', tenantId: 'acme', scopes: ['docs:read'] },
  root: { actorId: 'root', tenantId: 'ops', superAdmin: true },
};

/** The actor of a request's `session` cookie, or null (401). */
function actorOfCookie(cookie: string | undefined): AdminActor | null {
  const match = /(?:^|;\s*)session=([a-z]+)/.exec(cookie ?? '');
  return match && Object.hasOwn(ACTORS, match[1]!) ? ACTORS[match[1]!]! : null;
}

/**
 * An application's own page embedding the element: it loads the console script from the `/admin`
 * mount and points the element at `/key-admin`, a mount authorized by a `keys:manage` key in a
 * header (the page gives the element that header in script).
 */
const HOST_PAGE =
  '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Host app</title>' +
  '<script type="module" src="/admin/console/console.js"></script></head>' +
  '<body><main><h1>Host app</h1><keysmith-console base-url="/key-admin"></keysmith-console></main></body></html>';

export interface ConsoleApp {
  url: string;
  close(): Promise<void>;
}

/** Extra admin options a test gives the `/admin` mount. */
interface MountOptions {
  console?: boolean;
  csrfHeader?: string | boolean;
}

type Start = (keyring: Keyring, options: MountOptions) => Promise<ConsoleApp>;

const listening = async (server: Server): Promise<ConsoleApp> => {
  await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
};

const startExpress: Start = async (keyring, options) => {
  const app = express();
  app.use('/admin', adminRouter(keyring, { authorize: (req) => actorOfCookie(req.headers.cookie), ...options }));
  app.use('/key-admin', adminRouter(keyring, { authorize: expressKeyAdmin(keyring), console: true }));
  app.get('/host', (_req, res) => void res.type('html').send(HOST_PAGE));
  return listening(app.listen(0, '127.0.0.1'));
};

const startFastify: Start = async (keyring, options) => {
  const app = Fastify();
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: (request) => actorOfCookie(request.headers.cookie), prefix: '/admin', ...options });
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: fastifyKeyAdmin(keyring), prefix: '/key-admin', console: true });
  app.get('/host', async (_request, reply) => reply.type('text/html; charset=utf-8').send(HOST_PAGE));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { ...(await listening(app.server)), close: () => app.close() };
};

const startHono: Start = async (keyring, options) => {
  const app = new Hono();
  app.route('/admin', adminApp(keyring, { authorize: (c) => actorOfCookie(c.req.header('cookie')), ...options }));
  app.route('/key-admin', adminApp(keyring, { authorize: honoKeyAdmin(keyring), console: true }));
  app.get('/host', (c) => c.html(HOST_PAGE));
  return listening(serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server);
};

/** The same `/admin` mount (cookie sessions), `/key-admin` mount (keys:manage keys) and `/host` page, in each framework. */
export const FRAMEWORKS: { name: 'express' | 'fastify' | 'hono'; start: Start }[] = [
  { name: 'express', start: startExpress },
  { name: 'fastify', start: startFastify },
  { name: 'hono', start: startHono },
];
