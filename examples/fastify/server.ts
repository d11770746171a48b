// A small Fastify service protected by keysmith: `npx tsx examples/fastify/server.ts`
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { createKeyring, type KeyStore } from 'keysmith';
import { keysmithPlugin, keysmithAdmin, authorizeWithKey } from 'keysmith/fastify';
import { defaultStore } from '../default-store.js';

/** Starts the demo; `store` defaults to the embedded database (examples/default-store.ts). */
export async function start({ port = 3000, host = '127.0.0.1', store }: { port?: number; host?: string; store?: KeyStore } = {}) {
  const keyring = createKeyring({ store: store ?? (await defaultStore()), prefix: 'sk_demo', scopes: ['notes:read', 'notes:write', 'keys:manage'] });
  // Demo keys for one tenant. In a real app your sign-up flow or an admin mints these.
  const admin = await keyring.create({ tenantId: 'acme', name: 'demo admin', scopes: ['keys:manage', 'notes:read', 'notes:write'] });
  const reader = await keyring.create({ tenantId: 'acme', name: 'demo reader', scopes: ['notes:read'], resources: { project: ['apollo'] } });

  const app = Fastify();
  await app.register(keysmithPlugin, { keyring });
  app.get('/health', async () => ({ ok: true }));
  app.get('/api/notes', { preHandler: app.requireApiKey({ scopes: ['notes:read'] }) }, async (request) => ({
    tenant: request.apiKey?.key.tenantId,
    notes: [],
  }));
  app.post('/api/notes', { preHandler: app.requireApiKey({ scopes: ['notes:write'] }) }, async (_request, reply) => reply.code(201).send({ created: true }));
  app.get<{ Params: { projectId: string } }>(
    '/api/projects/:projectId/notes',
    {
      preHandler: app.requireApiKey({
        scopes: ['notes:read'],
        resource: (request) => ({ kind: 'project', id: String((request.params as { projectId?: string }).projectId) }),
      }),
    },
    async (request) => ({ project: request.params.projectId, notes: [] }),
  );
  // The admin API, for keys holding keys:manage (swap authorize for your own session check).
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  await app.register(keysmithAdmin, { keyring, authorize: authorizeWithKey(keyring), prefix: '/admin' });

  const url = await app.listen({ port, host });
  return { url, adminToken: admin.token, readerToken: reader.token, close: () => app.close() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url, adminToken, readerToken } = await start({ port: Number(process.env.PORT ?? 3000) });
  // Demo only: these keys exist in this process's in-memory database and die with it.
  console.log(`Fastify demo on ${url}
  admin key (keys:manage): ${adminToken}
  reader key (notes:read, project apollo): ${readerToken}

  curl -H "Authorization: Bearer ${readerToken}" ${url}/api/notes
  curl -H "Authorization: Bearer ${adminToken}" -H "content-type: application/json" -d '{"name":"ci","scopes":["notes:read"]}' ${url}/admin/keys`);
}
