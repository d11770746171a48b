// The server half of bench/http-cpu.ts, run as a child process pinned to one core (taskset -c 1).
// It serves every variant on ephemeral 127.0.0.1 ports and, on request over IPC, reports its own
// CPU time (process.cpuUsage: user and system µs), so the parent can charge each run its server CPU.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import bearerAuthPlugin from '@fastify/bearer-auth';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { createKeyring } from 'keysmith';
import { apiKeyAuth as expressAuth } from 'keysmith/express';
import { keysmithPlugin } from 'keysmith/fastify';
import { apiKeyAuth as honoAuth, withApiKey } from 'keysmith/hono';
import { memoryStore } from 'keysmith/memory';

/** What the parent learns once the servers listen. */
export interface Ready {
  type: 'ready';
  token: string;
  /** Base URL of each framework's server. */
  urls: Record<'express' | 'fastify' | 'hono', string>;
}

const listening = async (server: Server): Promise<string> => {
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_bench' });
const { token } = await keyring.create({ tenantId: 'bench', name: 'bench', scopes: ['bench:read'] });

// Routes, the same in each framework: /hello (plain), /noop/hello (reads Authorization),
// /api/hello (keysmith, scope check), /peer/hello (the framework's own static bearer check);
// Hono also /wrapped/hello (keysmith's withApiKey around the handler, no middleware chain).
// Plain Express 5 costs several times a bare node:http handler here (in one run ~130 µs against
// ~31 µs CPU/request, Node 20), and that is Express, not this setup: app.handle swaps the prototype
// of every req and res (Object.setPrototypeOf), after which V8 gives such an object a new hidden
// class for each property added to it (req.next, req.baseUrl, req.params, res.locals…; no shared
// transition, checked with %HaveSameMap). A bare node:http handler doing only the two swaps went
// from 31 to ~165 µs/request, mostly in GC. NODE_ENV only matters to Express for views and error
// pages, req.query is parsed only when read, and res.send's ETag and freshness check (~10–20 µs)
// are paid by every Express variant alike, so they cancel in the differences this bench reports.
const ex = express();
ex.get('/hello', (_req, res) => void res.send('hello'));
ex.get(
  '/noop/hello',
  (req, res, next) => (req.headers.authorization ? next() : void res.status(401).end()),
  (_req, res) => void res.send('hello'),
);
ex.get('/api/hello', expressAuth(keyring, { scopes: ['bench:read'] }), (_req, res) => void res.send('hello'));
const expressServer = ex.listen(0, '127.0.0.1');

const fa = Fastify();
await fa.register(keysmithPlugin, { keyring });
fa.get('/hello', async () => 'hello');
fa.get('/noop/hello', { preHandler: async (request, reply) => (request.headers.authorization ? undefined : reply.code(401).send()) }, async () => 'hello');
fa.get('/api/hello', { preHandler: fa.requireApiKey({ scopes: ['bench:read'] }) }, async () => 'hello');
await fa.register(
  // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
  async (peer) => {
    await peer.register(bearerAuthPlugin, { keys: new Set([token]) });
    peer.get('/hello', async () => 'hello');
  },
  { prefix: '/peer' },
);

const ho = new Hono();
ho.get('/hello', (c) => c.text('hello'));
ho.get(
  '/noop/hello',
  async (c, next) => (c.req.header('authorization') ? next() : c.text('', 401)),
  (c) => c.text('hello'),
);
ho.get('/api/hello', honoAuth(keyring, { scopes: ['bench:read'] }), (c) => c.text('hello'));
ho.get(
  '/wrapped/hello',
  withApiKey(keyring, { scopes: ['bench:read'] }, (c) => c.text('hello')),
);
ho.get('/peer/hello', bearerAuth({ token }), (c) => c.text('hello'));
const honoServer = serve({ fetch: ho.fetch, port: 0, hostname: '127.0.0.1' }) as Server;

const ready: Ready = {
  type: 'ready',
  token,
  urls: {
    express: await listening(expressServer),
    fastify: await fa.listen({ port: 0, host: '127.0.0.1' }),
    hono: await listening(honoServer),
  },
};

process.on('message', (message: { type: string; id?: number }) => {
  if (message.type === 'cpu') {
    const { user, system } = process.cpuUsage();
    process.send!({ type: 'cpu', id: message.id, us: user + system, user, system });
  } else if (message.type === 'gc') {
    globalThis.gc?.();
    process.send!({ type: 'gc', id: message.id });
  } else if (message.type === 'exit') {
    process.exit(0);
  }
});
process.send!(ready);
