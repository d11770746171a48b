// What keysmith's verification middleware costs per request in each framework: the same hello
// route with and without apiKeyAuth, measured with autocannon over 127.0.0.1, variants
// alternated round by round so drift hits all alike. Run: npx tsx bench/http-overhead.ts
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { apiKeyAuth as expressAuth } from 'keysmith/express';
import { keysmithPlugin } from 'keysmith/fastify';
import { apiKeyAuth as honoAuth } from 'keysmith/hono';
import type { MeasuredRow } from './lib/rows.js';

/** One table line; the same fields as the other suites' rows. */
export interface HttpOverheadRow extends MeasuredRow {
  /** Server event-loop busy time per request (µs): steadier than req/s on a shared machine. */
  serverUsPerReq: number;
}

export interface HttpOverheadOptions {
  /** Seconds per measured run of one variant. @default 2 */
  durationSec?: number;
  /** Rounds; each round runs every variant once, in turn. The median is reported. @default 5 */
  rounds?: number;
  /** Concurrent connections. @default 16 */
  connections?: number;
}

const SECTION = 'HTTP middleware overhead (hello route, autocannon, 127.0.0.1)';

interface Target {
  url: string;
  close(): Promise<void>;
}

const listening = async (server: Server): Promise<string> => {
  if (!server.listening) await new Promise((r) => server.once('listening', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** The control: a middleware that only checks the header is there, to separate "any middleware" from keysmith. */
const NOOP = 'a no-op middleware reading Authorization';

async function expressTarget(keyring: Keyring): Promise<Target> {
  const app = express();
  app.get('/hello', (_req, res) => void res.send('hello'));
  app.get(
    '/noop/hello',
    (req, res, next) => (req.headers.authorization ? next() : void res.status(401).end()),
    (_req, res) => void res.send('hello'),
  );
  app.get('/api/hello', expressAuth(keyring, { scopes: ['bench:read'] }), (_req, res) => void res.send('hello'));
  const server = app.listen(0, '127.0.0.1');
  return { url: await listening(server), close: () => new Promise((r) => server.close(() => r())) };
}

async function fastifyTarget(keyring: Keyring): Promise<Target> {
  const app = Fastify();
  await app.register(keysmithPlugin, { keyring });
  app.get('/hello', async () => 'hello');
  app.get('/noop/hello', { preHandler: async (request, reply) => (request.headers.authorization ? undefined : reply.code(401).send()) }, async () => 'hello');
  app.get('/api/hello', { preHandler: app.requireApiKey({ scopes: ['bench:read'] }) }, async () => 'hello');
  return { url: await app.listen({ port: 0, host: '127.0.0.1' }), close: () => app.close() };
}

async function honoTarget(keyring: Keyring): Promise<Target> {
  const app = new Hono();
  app.get('/hello', (c) => c.text('hello'));
  app.get(
    '/noop/hello',
    async (c, next) => (c.req.header('authorization') ? next() : c.text('', 401)),
    (c) => c.text('hello'),
  );
  app.get('/api/hello', honoAuth(keyring, { scopes: ['bench:read'] }), (c) => c.text('hello'));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
  return { url: await listening(server), close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * One autocannon run. The load generator runs in a worker thread, so it does not share the
 * server's event loop; the server's busy time comes from this thread's event-loop utilization.
 */
async function load(url: string, token: string, durationSec: number, connections: number) {
  const before = performance.eventLoopUtilization();
  const result = await autocannon({ url, duration: durationSec, connections, workers: 1, headers: { authorization: `Bearer ${token}` } });
  const elu = performance.eventLoopUtilization(before);
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`bench: ${url} answered ${result.non2xx} non-2xx and ${result.errors} errors`);
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, usPerReq: (elu.active * 1000) / Math.max(1, result.requests.total) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function httpOverheadSuite(options: HttpOverheadOptions = {}): Promise<HttpOverheadRow[]> {
  const { durationSec = 2, rounds = 5, connections = 16 } = options;
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_bench' });
  const { token } = await keyring.create({ tenantId: 'bench', name: 'bench', scopes: ['bench:read'] });
  const frameworks = [
    { id: 'express', name: 'Express 5', target: await expressTarget(keyring) },
    { id: 'fastify', name: 'Fastify 5', target: await fastifyTarget(keyring) },
    { id: 'hono', name: 'Hono (node-server)', target: await honoTarget(keyring) },
  ];
  // Every variant sends the same request (with the Authorization header), so only the server differs.
  const variants = frameworks.flatMap((f) => [
    { id: `http.${f.id}.plain`, name: `${f.name}: no middleware`, url: `${f.target.url}/hello` },
    { id: `http.${f.id}.noop`, name: `${f.name}: ${NOOP}`, url: `${f.target.url}/noop/hello` },
    { id: `http.${f.id}.keysmith`, name: `${f.name}: apiKeyAuth (scope check)`, url: `${f.target.url}/api/hello` },
  ]);
  const samples = new Map(variants.map((v) => [v.id, [] as Awaited<ReturnType<typeof load>>[]]));
  try {
    for (const v of variants) await load(v.url, token, 1, connections); // warm-up (JIT, caches)
    for (let round = 0; round < rounds; round++) {
      for (const v of variants) samples.get(v.id)!.push(await load(v.url, token, durationSec, connections));
    }
  } finally {
    for (const f of frameworks) await f.target.close();
  }
  const rows: HttpOverheadRow[] = variants.map((v) => {
    const s = samples.get(v.id)!;
    const pick = (f: (x: (typeof s)[number]) => number) => median(s.map(f));
    return {
      id: v.id,
      section: SECTION,
      name: v.name,
      opsPerSec: pick((x) => x.rps),
      p50Us: pick((x) => x.p50) * 1000,
      p99Us: pick((x) => x.p99) * 1000,
      serverUsPerReq: pick((x) => x.usPerReq),
    };
  });
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of rows) {
    if (r.id.endsWith('.plain')) continue;
    const plain = byId.get(r.id.replace(/\.(noop|keysmith)$/, '.plain'))!;
    const pct = ((plain.opsPerSec - r.opsPerSec) / plain.opsPerSec) * 100;
    const us = r.serverUsPerReq - plain.serverUsPerReq;
    r.note = `${pct.toFixed(1)}% fewer req/s, +${us.toFixed(1)} µs server time per request vs no middleware`;
  }
  return rows;
}

export function formatRows(rows: HttpOverheadRow[]): string {
  const lines = [SECTION, '', '| case | req/s | server µs/req | p50 µs | p99 µs | overhead |', '|---|---:|---:|---:|---:|---|'];
  for (const r of rows)
    lines.push(`| ${r.name} | ${Math.round(r.opsPerSec)} | ${r.serverUsPerReq.toFixed(1)} | ${r.p50Us.toFixed(0)} | ${r.p99Us.toFixed(0)} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatRows(await httpOverheadSuite()));
}
