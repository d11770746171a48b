import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, parseToken, type ApiKeyRecord, type KeyStore } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { FRAMEWORKS } from '../http/apps.js';
import { SCOPES, switchableStore } from '../http/fixture.js';
import { createRecorder, type Recording } from '../support/recorder.js';
import { runMcpScenario } from './leak-mcp.js';
import { runHttpScenario, type ScenarioResult } from './leak-scenario.js';

/**
 * No leaks: a broad run over Express, Fastify, Hono (middleware + admin API) and the MCP HTTP
 * server, with everything that leaves keysmith recorded (test/support/recorder.ts). Afterwards no
 * plaintext token may appear anywhere but in the one 201 body that minted it, and no stored hash
 * (in any encoding) anywhere at all.
 */

/** The one place a token may appear: the body of the create or rotate answer that minted it. */
const mintingAnswer = (r: Recording) => r.kind === 'response' && r.method === 'POST' && r.status === 201 && /\/(keys|rotate)$/.test(r.path ?? '');

/** A stored hash as the encodings a careless log line might use. */
function hashForms(hash: string): string[] {
  const hex = hash.slice(hash.lastIndexOf(':') + 1);
  expect(hex, `stored hash ${hash.slice(0, 12)}…`).toMatch(/^[0-9a-f]{64}$/);
  const bytes = Buffer.from(hex, 'hex');
  return [hash, hex, hex.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url')];
}

async function allRecords(store: KeyStore): Promise<ApiKeyRecord[]> {
  const { items } = await store.list(null, { page: 1, limit: 100_000, includeRevoked: true });
  return items;
}

describe('no secret leaks, across every framework and MCP', () => {
  const rec = createRecorder();
  const stores: KeyStore[] = [];
  const results = new Map<string, ScenarioResult>();
  let mcpTokens: string[] = [];

  beforeAll(async () => {
    rec.install();
    try {
      for (const framework of [...FRAMEWORKS, { name: 'mcp', start: null }]) {
        const inner = memoryStore();
        stores.push(inner);
        const store = switchableStore(inner);
        let now = Date.now();
        const keyring = rec.wrapKeyring(
          createKeyring({
            store,
            prefix: 'sk_test',
            scopes: [...SCOPES, 'deploy:write'],
            clock: () => now,
            onEvent: (e) => rec.onEvent(e),
            pepper: { id: 'p1', secret: 'pepper-for-tests-only' },
          }),
        );
        const ctl = {
          advance: (ms: number) => {
            now += ms;
          },
          storeDown: (down: boolean) => {
            store.down = down;
          },
        };
        if (!framework.start) {
          mcpTokens = await runMcpScenario(keyring, 'tenant_a', ctl, rec);
          continue;
        }
        const app = await framework.start(keyring);
        try {
          results.set(framework.name, await runHttpScenario(app.url, ctl));
        } finally {
          await app.close();
        }
      }
    } finally {
      rec.uninstall();
    }
    await rec.settle();
  }, 60_000);

  afterAll(() => rec.uninstall());

  it('recorded every channel: answers of every status, events, errors', () => {
    const seen = (kind: Recording['kind']) => rec.entries.filter((e) => e.kind === kind).length;
    expect(seen('response')).toBeGreaterThan(120);
    expect(seen('event')).toBeGreaterThan(50);
    expect(seen('error')).toBeGreaterThan(10);
    expect(seen('result')).toBeGreaterThan(50);
    for (const [name, r] of results) {
      expect([...r.statuses].sort(), name).toEqual([200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 429, 503]);
    }
    // The cause chain of a store outage is in the recording (so the hash check below also covers driver errors).
    expect(rec.entries.some((e) => e.kind === 'error' && e.text.includes('STORE_UNAVAILABLE') && e.text.includes('cause → Error: connect ECONNREFUSED'))).toBe(
      true,
    );
  });

  it('a plaintext token appears only in the one 201 body that minted it', () => {
    const minted = [...results.values()].flatMap((r) => r.minted);
    expect(minted.length).toBeGreaterThanOrEqual(3 * 6);
    for (const token of minted) {
      const secret = token.slice(token.length - 38); // secret + checksum, without prefix and id
      for (const needle of [token, secret]) {
        const places = rec.find(needle);
        expect(
          places.filter((p) => !mintingAnswer(p)).map((p) => p.label),
          `${parseToken(token)?.id}`,
        ).toEqual([]);
        expect(places.length, `${parseToken(token)?.id} returned exactly once`).toBe(1);
      }
    }
  });

  it('made-up tokens and MCP tokens (never minted over HTTP) appear nowhere', () => {
    const others = [...[...results.values()].flatMap((r) => r.forged), ...mcpTokens];
    expect(mcpTokens.length).toBeGreaterThanOrEqual(6);
    for (const token of others) {
      expect(
        rec.find(token).map((p) => p.label),
        token.slice(0, 24),
      ).toEqual([]);
      expect(rec.find(token.slice(token.length - 38)).map((p) => p.label)).toEqual([]);
    }
  });

  it('no stored hash appears anywhere, in hex, upper hex, base64 or base64url', async () => {
    const records = (await Promise.all(stores.map(allRecords))).flat();
    expect(records.length).toBeGreaterThan(20);
    for (const record of records) {
      expect(record.hash.startsWith('hmac-sha256:p1:')).toBe(true);
      for (const form of hashForms(record.hash))
        expect(
          rec.find(form).map((p) => p.label),
          record.id,
        ).toEqual([]);
    }
  });

  it('unknown key and wrong secret answer byte for byte the same, in all three frameworks', () => {
    const probes = [...results.values()].flatMap((r) => [r.unknown, r.wrongSecret]);
    expect(probes).toHaveLength(6);
    expect(probes[0]).toMatchObject({ status: 401, contentType: 'application/json; charset=utf-8' });
    expect(probes[0]!.wwwAuthenticate).toContain('error="invalid_token"');
    for (const p of probes) expect(p).toEqual(probes[0]);
  });
});

describe('the recorder itself', () => {
  it('finds a planted secret in every channel it claims to record', async () => {
    const rec = createRecorder();
    const planted = (n: number) => `PLANTED_${n}_SECRET`;
    const keyring = rec.wrapKeyring({
      echo: async (v: string) => ({ v }),
      fail: async (v: string) => {
        throw new Error('outer', { cause: new Error(v) });
      },
    });
    rec.install();
    const { createServer } = await import('node:http');
    const server = createServer((_req, res) => res.writeHead(200, { 'x-echo': planted(1) }).end(planted(2)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as { port: number };
      await (await fetch(`http://127.0.0.1:${port}/`)).arrayBuffer();
      console.warn('log', { nested: planted(3) });
      process.stderr.write(`${planted(4)}\n`);
      await keyring.echo(planted(5));
      await keyring.fail(planted(6)).catch(() => {});
      rec.onEvent({ type: 'x', value: planted(7) });
    } finally {
      rec.uninstall();
      server.close();
    }
    await rec.settle();
    const kinds = [1, 2, 3, 4, 5, 6, 7].map((n) => rec.find(planted(n)).map((e) => e.kind)[0]);
    expect(kinds).toEqual(['response', 'response', 'console', 'stderr', 'result', 'error', 'event']);
    // Uninstalled: nothing more is recorded.
    const before = rec.entries.length;
    console.info(planted(8));
    expect(rec.entries.length).toBe(before);
  });
});
