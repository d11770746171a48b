// What the MCP guard costs: a tools/call round trip with and without guardMcpServer, in process
// (InMemoryTransport: the guard's share is visible) and over Streamable HTTP on 127.0.0.1 (what a
// client sees). Run: npx tsx bench/mcp-roundtrip.ts
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { guardMcpServer, mcpTokenVerifier } from 'keysmith/mcp';
import { z } from 'zod';
import type { MeasuredRow } from './lib/rows.js';

/** One table line; the same fields as the other suites' rows. */
export type McpRoundtripRow = MeasuredRow;

export interface McpRoundtripOptions {
  /** Length of one measured round per case. @default 1000 */
  roundMs?: number;
  /** Rounds per case, interleaved across cases; the median rate is reported. @default 3 */
  rounds?: number;
}

const SECTION = 'MCP tools/call round trip (one call at a time)';

function buildServer(keyring: Keyring | null): McpServer {
  const server = new McpServer({ name: 'bench', version: '1.0.0' });
  if (keyring) guardMcpServer(server, keyring, { toolScopes: { echo: ['bench:read'] }, toolResources: { projectId: 'project' } });
  server.registerTool('echo', { inputSchema: { projectId: z.string() }, annotations: { readOnlyHint: true } }, ({ projectId }) => ({
    content: [{ type: 'text', text: projectId }],
  }));
  for (let i = 0; i < 20; i++) server.registerTool(`filler_${i}`, { description: 'a tool the list carries' }, () => ({ content: [] }));
  return server;
}

async function inMemoryClient(keyring: Keyring | null, authInfo: AuthInfo): Promise<Client> {
  const server = buildServer(keyring);
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  const send = clientSide.send.bind(clientSide);
  clientSide.send = (message, options) => send(message, { ...options, authInfo });
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  return client;
}

async function httpServer(keyring: Keyring, guarded: boolean) {
  const app = express();
  app.use(express.json());
  const transports = new Map<string, StreamableHTTPServerTransport>();
  app.all('/mcp', requireBearerAuth({ verifier: mcpTokenVerifier(keyring) }), async (req, res) => {
    const id = req.headers['mcp-session-id'];
    const existing = typeof id === 'string' ? transports.get(id) : undefined;
    if (existing) return void (await existing.handleRequest(req, res, req.body));
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (sid) => void transports.set(sid, transport),
    });
    await buildServer(guarded ? keyring : null).connect(transport);
    await transport.handleRequest(req, res, req.body);
  });
  const http: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: new URL(`http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`),
    close: async () => {
      for (const t of transports.values()) await t.close().catch(() => {});
      http.closeAllConnections();
      await new Promise<void>((r) => http.close(() => r()));
    },
  };
}

async function httpClient(url: URL, token: string): Promise<Client> {
  const client = new Client({ name: 'bench', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(url, { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  return client;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? NaN;

/** Runs the four cases with interleaved rounds, so a noisy spell hits them alike. */
export async function mcpRoundtripSuite(options: McpRoundtripOptions = {}): Promise<McpRoundtripRow[]> {
  const { roundMs = 1000, rounds = 3 } = options;
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
  const { token } = await keyring.create({ tenantId: 'bench', name: 'bench', scopes: ['bench:read'], resources: { project: ['p1'] } });
  const authInfo = await mcpTokenVerifier(keyring).verifyAccessToken(token);
  const plainHttp = await httpServer(keyring, false);
  const guardedHttp = await httpServer(keyring, true);
  const cases = [
    { id: 'mcp.mem', name: 'in process, no guard', client: await inMemoryClient(null, authInfo) },
    { id: 'mcp.mem.guard', name: 'in process, guardMcpServer', client: await inMemoryClient(keyring, authInfo) },
    { id: 'mcp.http', name: 'Streamable HTTP + mcpTokenVerifier, no guard', client: await httpClient(plainHttp.url, token) },
    { id: 'mcp.http.guard', name: 'Streamable HTTP + mcpTokenVerifier + guardMcpServer', client: await httpClient(guardedHttp.url, token) },
  ];
  const call = (client: Client) => client.callTool({ name: 'echo', arguments: { projectId: 'p1' } });
  for (const c of cases) if ((await call(c.client)).isError) throw new Error(`bench setup: ${c.id} refused the call`);

  const rates = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  const latencies = new Map<string, number[]>(cases.map((c) => [c.id, []]));
  for (let round = -1; round < rounds; round++) {
    for (const c of cases) {
      const start = performance.now();
      let n = 0;
      while (performance.now() - start < (round < 0 ? roundMs / 2 : roundMs)) {
        const t0 = performance.now();
        await call(c.client);
        if (round >= 0) latencies.get(c.id)!.push(performance.now() - t0);
        n++;
      }
      if (round >= 0) rates.get(c.id)!.push((n / (performance.now() - start)) * 1000); // round -1 is warm-up
    }
  }
  for (const c of cases) await c.client.close();
  await plainHttp.close();
  await guardedHttp.close();

  return cases.map((c) => {
    const sorted = latencies.get(c.id)!.sort((a, b) => a - b);
    const base = c.id.endsWith('.guard') ? median(rates.get(c.id.slice(0, -'.guard'.length))!) : null;
    const ops = median(rates.get(c.id)!);
    return {
      id: c.id,
      section: SECTION,
      name: c.name,
      opsPerSec: ops,
      p50Us: percentile(sorted, 50) * 1000,
      p99Us: percentile(sorted, 99) * 1000,
      ...(base ? { note: `${Math.round((ops / base) * 100)}% of the unguarded rate` } : {}),
    };
  });
}

export function formatRows(rows: McpRoundtripRow[]): string {
  const lines = [`${SECTION}`, '', '| case | calls/s | p50 µs | p99 µs | note |', '|---|---:|---:|---:|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${Math.round(r.opsPerSec)} | ${r.p50Us.toFixed(0)} | ${r.p99Us.toFixed(0)} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(formatRows(await mcpRoundtripSuite()));
}
