// A small Express service protected by keysmith: `npx tsx examples/express/server.ts`
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { createKeyring, type KeyStore } from 'keysmith';
import { apiKeyAuth, adminRouter, authorizeWithKey } from 'keysmith/express';
import { defaultStore } from '../default-store.js';

/** Starts the demo; `store` defaults to the embedded database (examples/default-store.ts). */
export async function start({ port = 3000, host = '127.0.0.1', store }: { port?: number; host?: string; store?: KeyStore } = {}) {
  const keyring = createKeyring({ store: store ?? (await defaultStore()), prefix: 'sk_demo', scopes: ['notes:read', 'notes:write', 'keys:manage'] });
  // Demo keys for one tenant. In a real app your sign-up flow or an admin mints these.
  const admin = await keyring.create({ tenantId: 'acme', name: 'demo admin', scopes: ['keys:manage', 'notes:read', 'notes:write'] });
  const reader = await keyring.create({ tenantId: 'acme', name: 'demo reader', scopes: ['notes:read'], resources: { project: ['apollo'] } });

  const app = express();
  app.get('/health', (_req, res) => void res.json({ ok: true }));
  // Every /api route needs a valid key; each route adds what it needs on top (no second lookup).
  app.use('/api', apiKeyAuth(keyring));
  app.get('/api/notes', apiKeyAuth(keyring, { scopes: ['notes:read'] }), (req, res) => void res.json({ tenant: req.apiKey?.key.tenantId, notes: [] }));
  app.post('/api/notes', apiKeyAuth(keyring, { scopes: ['notes:write'] }), (_req, res) => void res.status(201).json({ created: true }));
  app.get(
    '/api/projects/:projectId/notes',
    apiKeyAuth(keyring, { scopes: ['notes:read'], resource: (req) => ({ kind: 'project', id: String(req.params.projectId) }) }),
    (req, res) => void res.json({ project: req.params.projectId, notes: [] }),
  );
  // The admin API, for keys holding keys:manage (swap authorize for your own session check).
  app.use('/admin', adminRouter(keyring, { authorize: authorizeWithKey(keyring) }));

  const server = app.listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return { url, adminToken: admin.token, readerToken: reader.token, close: () => new Promise<void>((r) => server.close(() => r())) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, adminToken, readerToken } = await start({ port: Number(process.env.PORT ?? 3000) });
  // Demo only: these keys exist in this process's in-memory database and die with it.
  console.log(`Express demo on ${url}
  admin key (keys:manage): ${adminToken}
  reader key (notes:read, project apollo): ${readerToken}

  curl -H "Authorization: Bearer ${readerToken}" ${url}/api/notes
  curl -H "Authorization: Bearer ${adminToken}" -H "content-type: application/json" -d '{"name":"ci","scopes":["notes:read"]}' ${url}/admin/keys`);
}
