// A small Hono service (on Node) protected by keysmith: `npx tsx examples/hono/server.ts`
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createKeyring, type KeyStore } from 'keysmith';
import { apiKeyAuth, adminApp, authorizeWithKey, type KeysmithEnv } from 'keysmith/hono';
import { defaultStore } from '../default-store.js';

/** Starts the demo; `store` defaults to the embedded database (examples/default-store.ts). */
export async function start({ port = 3000, host = '127.0.0.1', store }: { port?: number; host?: string; store?: KeyStore } = {}) {
  const keyring = createKeyring({ store: store ?? (await defaultStore()), prefix: 'sk_demo', scopes: ['notes:read', 'notes:write', 'keys:manage'] });
  // Demo keys for one tenant. In a real app your sign-up flow or an admin mints these.
  const admin = await keyring.create({ tenantId: 'acme', name: 'demo admin', scopes: ['keys:manage', 'notes:read', 'notes:write'] });
  const reader = await keyring.create({ tenantId: 'acme', name: 'demo reader', scopes: ['notes:read'], resources: { project: ['apollo'] } });

  const app = new Hono<KeysmithEnv>();
  app.get('/health', (c) => c.json({ ok: true }));
  // Every /api route needs a valid key; each route adds what it needs on top (no second lookup).
  app.use('/api/*', apiKeyAuth(keyring));
  app.get('/api/notes', apiKeyAuth(keyring, { scopes: ['notes:read'] }), (c) => c.json({ tenant: c.get('apiKey').key.tenantId, notes: [] }));
  app.post('/api/notes', apiKeyAuth(keyring, { scopes: ['notes:write'] }), (c) => c.json({ created: true }, 201));
  app.get(
    '/api/projects/:projectId/notes',
    apiKeyAuth(keyring, { scopes: ['notes:read'], resource: (c) => ({ kind: 'project', id: c.req.param('projectId') ?? '' }) }),
    (c) => c.json({ project: c.req.param('projectId'), notes: [] }),
  );
  // The admin API, for keys holding keys:manage (swap authorize for your own session check).
  app.route('/admin', adminApp(keyring, { authorize: authorizeWithKey(keyring) }));

  const server = serve({ fetch: app.fetch, port, hostname: host }) as Server;
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return { url, adminToken: admin.token, readerToken: reader.token, close: () => new Promise<void>((r) => server.close(() => r())) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, adminToken, readerToken } = await start({ port: Number(process.env.PORT ?? 3000) });
  // Demo only: these keys exist in this process's in-memory database and die with it.
  console.log(`Hono demo on ${url}
  admin key (keys:manage): ${adminToken}
  reader key (notes:read, project apollo): ${readerToken}

  curl -H "Authorization: Bearer ${readerToken}" ${url}/api/notes
  curl -H "Authorization: Bearer ${adminToken}" -H "content-type: application/json" -d '{"name":"ci","scopes":["notes:read"]}' ${url}/admin/keys`);
}
