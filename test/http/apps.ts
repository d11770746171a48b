import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { apiKeyAuth as expressAuth, adminRouter, authorizeWithKey as expressKeyAdmin } from 'keysmith/express';
import { keysmithPlugin, keysmithAdmin, authorizeWithKey as fastifyKeyAdmin } from 'keysmith/fastify';
import { apiKeyAuth as honoAuth, adminApp, authorizeWithKey as honoKeyAdmin, withApiKey, type KeysmithEnv } from 'keysmith/hono';
import type { Keyring } from 'keysmith';
import { actorFor } from './actors.js';

export interface RunningApp {
  url: string;
  /** The node:http server underneath (to count its open connections). */
  server: Server;
  close(): Promise<void>;
}

/** Admin options a test may add to the `/admin` mount (the same in every framework). */
interface AdminExtras {
  bodyTimeoutMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * The same service in each framework:
 *   GET  /hello                      public
 *   /api/*                           apiKeyAuth(keyring); /api/whoami, GET /api/docs (+docs:read), POST /api/docs (+docs:write)
 *   GET  /v/all                      scopes docs:read AND docs:write
 *   GET  /v/any                      anyScopes docs:write | admin:read
 *   GET  /v/query                    query "docs:read AND (admin:read OR admin:write)"
 *   GET  /v/projects/:projectId      docs:read + resource project=:projectId
 *   GET  /v/header                   key in x-api-key (or Authorization)
 *   /admin/*                         admin API, sessions from x-actor
 *   /key-admin/*                     admin API, authorized by a keys:manage key
 */
export type AppFactory = (keyring: Keyring, admin?: AdminExtras) => Promise<RunningApp>;

const QUERY = 'docs:read AND (admin:read OR admin:write)';
const whoami = (k: { key: { id: string; tenantId: string }; permissions: { scopes: string[] } }) => ({
  id: k.key.id,
  tenantId: k.key.tenantId,
  scopes: k.permissions.scopes,
});

const startExpress: AppFactory = async (keyring, admin = {}) => {
  const app = express();
  app.get('/hello', (_req, res) => void res.send('hello'));
  app.use('/api', expressAuth(keyring));
  app.get('/api/whoami', (req, res) => void res.json(req.apiKey ? whoami(req.apiKey) : null));
  app.get('/api/docs', expressAuth(keyring, { scopes: ['docs:read'] }), (_req, res) => void res.json({ docs: [] }));
  app.post('/api/docs', expressAuth(keyring, { scopes: ['docs:write'] }), (_req, res) => void res.status(201).json({ ok: true }));
  app.get('/v/all', expressAuth(keyring, { scopes: ['docs:read', 'docs:write'] }), (_req, res) => void res.json({ ok: true }));
  app.get('/v/any', expressAuth(keyring, { anyScopes: ['docs:write', 'admin:read'] }), (_req, res) => void res.json({ ok: true }));
  app.get('/v/query', expressAuth(keyring, { query: QUERY }), (_req, res) => void res.json({ ok: true }));
  app.get(
    '/v/projects/:projectId',
    expressAuth(keyring, { scopes: ['docs:read'], resource: (req) => ({ kind: 'project', id: String(req.params.projectId) }) }),
    (req, res) => void res.json({ project: req.params.projectId }),
  );
  app.get('/v/header', expressAuth(keyring, { header: 'x-api-key' }), (_req, res) => void res.json({ ok: true }));
  app.use('/admin', adminRouter(keyring, { authorize: (req) => actorFor(req.headers['x-actor']), ...admin }));
  app.use('/key-admin', adminRouter(keyring, { authorize: expressKeyAdmin(keyring) }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, close: () => new Promise((r) => server.close(() => r())) };
};

const startFastify: AppFactory = async (keyring, admin = {}) => {
  const app = Fastify();
  await app.register(keysmithPlugin, { keyring });
  app.get('/hello', async () => 'hello');
  await app.register(
    // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
    async (api) => {
      api.addHook('preHandler', api.requireApiKey());
      api.get('/whoami', async (request) => (request.apiKey ? whoami(request.apiKey) : null));
      api.get('/docs', { preHandler: api.requireApiKey({ scopes: ['docs:read'] }) }, async () => ({ docs: [] }));
      api.post('/docs', { preHandler: api.requireApiKey({ scopes: ['docs:write'] }) }, async (_request, reply) => reply.code(201).send({ ok: true }));
    },
    { prefix: '/api' },
  );
  app.get('/v/all', { preHandler: app.requireApiKey({ scopes: ['docs:read', 'docs:write'] }) }, async () => ({ ok: true }));
  app.get('/v/any', { preHandler: app.requireApiKey({ anyScopes: ['docs:write', 'admin:read'] }) }, async () => ({ ok: true }));
  app.get('/v/query', { preHandler: app.requireApiKey({ query: QUERY }) }, async () => ({ ok: true }));
  app.get<{ Params: { projectId: string } }>(
    '/v/projects/:projectId',
    {
      preHandler: app.requireApiKey({
        scopes: ['docs:read'],
        resource: (request) => ({ kind: 'project', id: (request.params as { projectId: string }).projectId }),
      }),
    },
    async (request) => ({ project: request.params.projectId }),
  );
  app.get('/v/header', { preHandler: app.requireApiKey({ header: 'x-api-key' }) }, async () => ({ ok: true }));
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: (request) => actorFor(request.headers['x-actor']), prefix: '/admin', ...admin });
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: fastifyKeyAdmin(keyring), prefix: '/key-admin' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, server: app.server, close: () => app.close() };
};

const startHono: AppFactory = async (keyring, admin = {}) => {
  // Typed Variables: c.get('apiKey') is an AuthenticatedKey, no cast.
  const app = new Hono<KeysmithEnv>();
  app.get('/hello', (c) => c.text('hello'));
  app.use('/api/*', honoAuth(keyring));
  app.get('/api/whoami', (c) => c.json(whoami(c.get('apiKey'))));
  app.get('/api/docs', honoAuth(keyring, { scopes: ['docs:read'] }), (c) => c.json({ docs: [] }));
  app.post('/api/docs', honoAuth(keyring, { scopes: ['docs:write'] }), (c) => c.json({ ok: true }, 201));
  app.get('/v/all', honoAuth(keyring, { scopes: ['docs:read', 'docs:write'] }), (c) => c.json({ ok: true }));
  app.get('/v/any', honoAuth(keyring, { anyScopes: ['docs:write', 'admin:read'] }), (c) => c.json({ ok: true }));
  app.get('/v/query', honoAuth(keyring, { query: QUERY }), (c) => c.json({ ok: true }));
  app.get(
    '/v/projects/:projectId',
    honoAuth(keyring, { scopes: ['docs:read'], resource: (c) => ({ kind: 'project', id: c.req.param('projectId') ?? '' }) }),
    (c) => c.json({ project: c.req.param('projectId') }),
  );
  app.get('/v/header', honoAuth(keyring, { header: 'x-api-key' }), (c) => c.json({ ok: true }));
  app.route('/admin', adminApp(keyring, { authorize: (c) => actorFor(c.req.header('x-actor')), ...admin }));
  app.route('/key-admin', adminApp(keyring, { authorize: honoKeyAdmin(keyring) }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, close: () => new Promise((r) => server.close(() => r())) };
};

/** The Hono service with every /v/* route guarded by `withApiKey` (a handler wrapper) instead of the middleware. */
const startHonoWithApiKey: AppFactory = async (keyring, admin = {}) => {
  const app = new Hono<KeysmithEnv>();
  app.get('/hello', (c) => c.text('hello'));
  app.use('/api/*', honoAuth(keyring));
  app.get('/api/whoami', (c) => c.json(whoami(c.get('apiKey'))));
  app.get(
    '/api/docs',
    withApiKey(keyring, { scopes: ['docs:read'] }, (c) => c.json({ docs: [] })),
  );
  app.post(
    '/api/docs',
    withApiKey(keyring, { scopes: ['docs:write'] }, (c) => c.json({ ok: true }, 201)),
  );
  app.get(
    '/v/all',
    withApiKey(keyring, { scopes: ['docs:read', 'docs:write'] }, (c) => c.json({ ok: true })),
  );
  app.get(
    '/v/any',
    withApiKey(keyring, { anyScopes: ['docs:write', 'admin:read'] }, (c) => c.json({ ok: true })),
  );
  app.get(
    '/v/query',
    withApiKey(keyring, { query: QUERY }, (c) => c.json({ ok: true })),
  );
  app.get(
    '/v/projects/:projectId',
    withApiKey(keyring, { scopes: ['docs:read'], resource: (c) => ({ kind: 'project', id: c.req.param('projectId') ?? '' }) }, (c) =>
      c.json({ project: c.req.param('projectId') }),
    ),
  );
  app.get(
    '/v/header',
    withApiKey(keyring, { header: 'x-api-key' }, (c) => c.json({ ok: true })),
  );
  app.route('/admin', adminApp(keyring, { authorize: (c) => actorFor(c.req.header('x-actor')), ...admin }));
  app.route('/key-admin', adminApp(keyring, { authorize: honoKeyAdmin(keyring) }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, close: () => new Promise((r) => server.close(() => r())) };
};

/** Guard variants beyond one per framework, for the middleware table only. */
export const HONO_WITH_API_KEY = { name: 'hono withApiKey', start: startHonoWithApiKey };

export const FRAMEWORKS: { name: string; start: AppFactory }[] = [
  { name: 'express', start: startExpress },
  { name: 'fastify', start: startFastify },
  { name: 'hono', start: startHono },
];
