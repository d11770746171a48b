import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import type { Keyring } from 'keysmith';
import type { AdminActor } from 'keysmith/http';
import { adminRouter, apiKeyAuth as expressAuth } from 'keysmith/express';
import { keysmithAdmin, keysmithPlugin } from 'keysmith/fastify';
import { adminApp, apiKeyAuth as honoAuth } from 'keysmith/hono';
import { TENANT } from './soak-keys.js';

/**
 * The soak's service, the same in each framework:
 *   GET /docs     needs docs:read (every soak key has it)
 *   GET /write    needs docs:write (no soak key has it: 403)
 *   /admin/*      the admin API; the `x-actor: ops` header signs in as the soak tenant's admin
 */
export interface SoakApp {
  name: string;
  url: string;
  close(): Promise<void>;
}

const actor = (header: unknown): AdminActor | null => (header === 'ops' ? { actorId: 'ops', tenantId: TENANT } : null);

const listening = async (server: Server): Promise<string> => {
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

async function expressApp(keyring: Keyring): Promise<SoakApp> {
  const app = express();
  app.get('/docs', expressAuth(keyring, { scopes: ['docs:read'] }), (_req, res) => void res.send('ok'));
  app.get('/write', expressAuth(keyring, { scopes: ['docs:write'] }), (_req, res) => void res.send('ok'));
  app.use('/admin', adminRouter(keyring, { authorize: (req) => actor(req.headers['x-actor']) }));
  const server = app.listen(0, '127.0.0.1');
  return { name: 'express', url: await listening(server), close: () => new Promise((r) => server.close(() => r())) };
}

async function fastifyApp(keyring: Keyring): Promise<SoakApp> {
  const app = Fastify();
  await app.register(keysmithPlugin, { keyring });
  app.get('/docs', { preHandler: app.requireApiKey({ scopes: ['docs:read'] }) }, async () => 'ok');
  app.get('/write', { preHandler: app.requireApiKey({ scopes: ['docs:write'] }) }, async () => 'ok');
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: (request) => actor(request.headers['x-actor']), prefix: '/admin' });
  return { name: 'fastify', url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

async function honoApp(keyring: Keyring): Promise<SoakApp> {
  const app = new Hono();
  app.get('/docs', honoAuth(keyring, { scopes: ['docs:read'] }), (c) => c.text('ok'));
  app.get('/write', honoAuth(keyring, { scopes: ['docs:write'] }), (c) => c.text('ok'));
  app.route('/admin', adminApp(keyring, { authorize: (c) => actor(c.req.header('x-actor')) }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  return { name: 'hono', url: await listening(server), close: () => new Promise((r) => server.close(() => r())) };
}

export const SOAK_FRAMEWORKS: { name: string; start: (keyring: Keyring) => Promise<SoakApp> }[] = [
  { name: 'express', start: expressApp },
  { name: 'fastify', start: fastifyApp },
  { name: 'hono', start: honoApp },
];
