// Two instances of an MCP endpoint in two processes, sharing a real PostgreSQL store and a real
// invalidation channel: a key changed through instance A reaches its sessions on instance B.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ToolListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { postgresStore } from 'keysmith/postgres';
import { PG_URL, serverTarget } from '../support/pg.js';
import { connectClient, eventually, TENANT, toolNames } from './harness.js';

const REDIS_URL = process.env.KEYSMITH_REDIS_URL;
const FIXTURE = join(import.meta.dirname, 'fixtures/fleet-instance.ts');

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!().catch(() => {});
});

/** Starts one instance as a child process and waits for its ready line. */
async function instance(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  cleanup.push(async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
    child.kill('SIGKILL');
  });
  let out = '';
  const collect = (chunk: Buffer) => {
    out += chunk.toString();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance did not start:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (!line) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`instance exited (${code}):\n${out}`)));
  });
  return { url, child };
}

/** A session's standalone event stream, read until the server closes it. */
async function openStream(url: string, token: string, sessionId: string) {
  const res = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, 'mcp-session-id': sessionId, accept: 'text/event-stream', 'mcp-protocol-version': '2025-06-18' },
  });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  const state = { ended: false, text: '' };
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      state.text += new TextDecoder().decode(value);
    }
    state.ended = true;
  })();
  cleanup.push(async () => void (await reader.cancel().catch(() => {})));
  return state;
}

async function fleetScenario(channel: { FLEET_CHANNEL_KIND: 'redis' | 'pg'; FLEET_REDIS_URL?: string }) {
  const db = await serverTarget({ max: 2 });
  cleanup.push(() => db.close());
  const env = { FLEET_PG_URL: PG_URL!, FLEET_TABLE: db.table!, FLEET_CHANNEL: `keysmith_fleet_${randomBytes(4).toString('hex')}`, ...channel };
  const [a, b] = await Promise.all([instance(env), instance(env)]);

  // Keys minted straight into the shared table (no channel needed for a new key).
  const seed = createKeyring({ store: postgresStore({ client: db.pool, table: db.table! }), prefix: 'sk', cache: false });
  const admin = await seed.create({ tenantId: TENANT, name: 'admin', preset: 'full-access' });
  const agent = await seed.create({ tenantId: TENANT, name: 'agent' });
  const adminCall = (method: string, path: string, body?: unknown) =>
    fetch(`${a.url}/admin${path}`, {
      method,
      headers: { authorization: `Bearer ${admin.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });

  // An SDK client session on instance B, and a raw event stream of the same key on B.
  const client = await connectClient(new URL(`${b.url}/mcp`), agent.token);
  cleanup.push(() => client.close());
  let changes = 0;
  client.setNotificationHandler(ToolListChangedNotificationSchema, () => void changes++);
  expect(await toolNames(client)).toEqual(['deploy', 'list_projects', 'read_note', 'whoami', 'write_note']);
  const init = await fetch(`${b.url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${agent.token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }),
  });
  const rawSessionId = init.headers.get('mcp-session-id')!;
  await init.body?.cancel();
  const stream = await openStream(`${b.url}/mcp`, agent.token, rawSessionId);
  await new Promise((r) => setTimeout(r, 200)); // the SDK client's own event stream opens after initialize

  // Narrowed through instance A: B's open session hears it and lists fewer tools at once.
  expect((await adminCall('PATCH', `/keys/${agent.key.id}`, { mcp: { readOnly: true } })).status).toBe(200);
  await eventually(() => changes >= 1, 5_000);
  expect(await toolNames(client)).toEqual(['list_projects', 'read_note', 'whoami']);
  expect(stream.text).toContain('notifications/tools/list_changed');
  expect(stream.ended).toBe(false);

  // Revoked through instance A: B closes every stream of the key and ends its sessions.
  expect((await adminCall('DELETE', `/keys/${agent.key.id}`)).status).toBe(204);
  await eventually(() => stream.ended, 5_000);
  const sessionsOnB = async () => ((await (await fetch(`${b.url}/sessions`)).json()) as { sessions: number }).sessions;
  for (let i = 0; i < 50 && (await sessionsOnB()) > 0; i++) await new Promise((r) => setTimeout(r, 100));
  expect(await sessionsOnB()).toBe(0);
  await expect(client.listTools()).rejects.toMatchObject({ code: 401, message: expect.stringContaining('The API key has been revoked') });
}

describe('an MCP fleet of two processes', () => {
  it.skipIf(!PG_URL)(
    'PostgreSQL LISTEN/NOTIFY: a change made on instance A reaches the sessions on instance B (needs KEYSMITH_PG_URL)',
    async () => {
      await fleetScenario({ FLEET_CHANNEL_KIND: 'pg' });
    },
    120_000,
  );

  it.skipIf(!PG_URL || !REDIS_URL)(
    'Redis pub/sub: a change made on instance A reaches the sessions on instance B (needs KEYSMITH_PG_URL and KEYSMITH_REDIS_URL)',
    async () => {
      await fleetScenario({ FLEET_CHANNEL_KIND: 'redis', FLEET_REDIS_URL: REDIS_URL! });
    },
    120_000,
  );
});
