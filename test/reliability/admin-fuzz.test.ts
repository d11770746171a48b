import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { FRAMEWORKS, type RunningApp } from '../http/apps.js';
import { SCOPES, TENANT_A, TENANT_B } from '../http/fixture.js';
import { hostileRequest, type HostileRequest } from './hostile-input.js';

/**
 * Hostile admin-API requests over real HTTP against Express, Fastify and Hono: the answer is only
 * ever 2xx or 4xx (never 5xx), a 4xx always has keysmith's JSON error shape, and a 4xx leaves the
 * store exactly as it was (every record, dates as ISO, compared as JSON).
 */

const RUNS = Number(process.env.KEYSMITH_FUZZ_RUNS ?? 200);

/** The whole store as JSON: every tenant, revoked keys included. */
async function snapshot(store: ReturnType<typeof memoryStore>): Promise<string> {
  const { items } = await store.list(null, { page: 1, limit: 1_000_000, includeRevoked: true });
  return JSON.stringify(items.sort((a, b) => (a.id < b.id ? -1 : 1)));
}

/**
 * One request on its own connection (node:http, no agent), so a case can never poison the next
 * through a reused keep-alive connection (keep-alive.test.ts tests reuse on its own), and the
 * path leaves exactly as generated (a URL would normalize `..` and `%2e`).
 */
function send(base: string, req: HostileRequest): Promise<{ status: number; text: string; contentType: string | null }> {
  const headers: Record<string, string> = {};
  if (req.as) headers['x-actor'] = req.as;
  if (req.contentType) headers['content-type'] = req.contentType;
  const bytes = req.body === undefined ? null : typeof req.body === 'string' ? Buffer.from(req.body) : Buffer.from(req.body);
  // Chunked: no Content-Length, so the server must enforce its own limit while reading.
  if (bytes && !req.chunked) headers['content-length'] = String(bytes.byteLength);
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    // The path goes out as generated (a URL string would normalize `..`); only non-ASCII is escaped.
    const r = request(
      { hostname, port, path: `/admin${req.path.replace(/[^\u0021-\u007e]/gu, encodeURIComponent)}`, method: req.method, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString('utf8'), contentType: res.headers['content-type'] ?? null }),
        );
        res.on('error', reject);
      },
    );
    r.setTimeout(10_000, () => r.destroy(new Error('no answer within 10 s'))); // a hang is a wrong answer too
    // The server may answer (413) and stop reading before the whole body is written: not an error.
    r.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' || error.code === 'ECONNRESET' ? undefined : reject(error)));
    if (bytes) for (let i = 0; i < bytes.byteLength; i += 16_384) r.write(bytes.subarray(i, i + 16_384));
    r.end();
  });
}

/** keysmith's one error shape: `{ error: { code, message, issues? } }` and nothing else. */
function assertErrorShape(text: string, where: string): void {
  const body = JSON.parse(text) as { error?: Record<string, unknown> };
  expect(Object.keys(body), where).toEqual(['error']);
  const error = body.error!;
  expect(typeof error.code === 'string' && /^[A-Z_]+$/.test(error.code), where).toBe(true);
  expect(typeof error.message, where).toBe('string');
  expect(
    Object.keys(error).every((k) => ['code', 'message', 'issues'].includes(k)),
    where,
  ).toBe(true);
  if (error.issues !== undefined) {
    expect(Array.isArray(error.issues), where).toBe(true);
    for (const issue of error.issues as { path: unknown; message: unknown }[]) {
      expect(Array.isArray(issue.path) && typeof issue.message === 'string', where).toBe(true);
    }
  }
}

/**
 * Fastify's router refuses a path with a broken percent-escape (`%ZZ`) before any plugin runs,
 * with its own 400 body (`FST_ERR_BAD_URL`); only the application's `frameworkErrors` option can
 * reshape it. Express and Hono hand such paths to keysmith, which answers 404 in its own shape.
 */
function fastifyBadUrl(framework: string, req: HostileRequest, answer: { status: number; text: string }): boolean {
  if (framework !== 'fastify' || answer.status !== 400 || !answer.text.includes('"FST_ERR_BAD_URL"')) return false;
  const path = req.path.split('?')[0]!;
  expect(() => decodeURIComponent(path), `${path} → FST_ERR_BAD_URL`).toThrow();
  return true;
}

const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();

for (const framework of FRAMEWORKS) {
  describe(`hostile admin requests: ${framework.name}`, () => {
    const store = memoryStore();
    let keyring: Keyring;
    let app: RunningApp;
    const ids: string[] = [];
    const seen = new Map<number, number>();

    beforeAll(async () => {
      keyring = createKeyring({ store, prefix: 'sk_test', scopes: [...SCOPES], cache: false });
      for (let i = 0; i < 4; i++)
        ids.push((await keyring.create({ tenantId: TENANT_A, name: `live ${i}`, scopes: ['docs:read'], remaining: i === 0 ? 10 : null })).key.id);
      const revoked = (await keyring.create({ tenantId: TENANT_A, name: 'revoked' })).key.id;
      await keyring.revoke(TENANT_A, revoked);
      ids.push(revoked, (await keyring.create({ tenantId: TENANT_B, name: 'other tenant', scopes: ['docs:read'] })).key.id);
      app = await framework.start(keyring);
    });
    afterAll(async () => app?.close());

    it(`${RUNS} random requests: 2xx or 4xx only; every 4xx has the error shape and changes nothing`, async () => {
      await fc.assert(
        fc.asyncProperty(hostileRequest(ids), async (req) => {
          const before = await snapshot(store);
          const answer = await send(app.url, req);
          const where = `${req.method} ${req.path.slice(0, 120)} as ${req.as} (${typeof req.body === 'string' ? req.body.length : req.body?.byteLength} bytes${req.chunked ? ', chunked' : ''}) → ${answer.status} ${answer.text.slice(0, 300)}`;
          seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
          expect(answer.status >= 200 && answer.status < 500, where).toBe(true);
          if (answer.status >= 400) {
            if (fastifyBadUrl(framework.name, req, answer)) return; // see fastifyBadUrl; no keysmith code ran
            expect(answer.contentType, where).toBe('application/json; charset=utf-8');
            assertErrorShape(answer.text, where);
            expect(await snapshot(store), `store changed by a ${answer.status}: ${where}`).toBe(before);
          }
        }),
        { numRuns: RUNS },
      );
      if (process.env.KEYSMITH_FUZZ_VERBOSE) console.log(framework.name, JSON.stringify([...seen].sort()));
      // The generator reaches past validation: successes and the main refusals all occur.
      for (const status of [200, 201, 400, 404]) expect(seen.get(status) ?? 0, `status ${status} in ${JSON.stringify([...seen])}`).toBeGreaterThan(0);
    }, 60_000);
  });
}

describe('after every hostile request', () => {
  it('Object.prototype is untouched (no pollution through __proto__ or constructor keys)', () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).scopes).toBeUndefined();
  });
});
