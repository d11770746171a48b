import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Validator } from '@seriousme/openapi-schema-validator';
import express from 'express';
import fc from 'fast-check';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createKeyring, type Keyring } from 'keysmith';
import { adminRouter } from 'keysmith/express';
import { keysmithAdmin } from 'keysmith/fastify';
import { adminApp } from 'keysmith/hono';
import type { AdminActor, AdminMapping, OpenApiDocument } from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';
import { createContract, type Exchange } from '../openapi/contract.js';

const alice: AdminActor = { actorId: 'alice', tenantId: 't1' };
const authorize = (who: unknown) => (who === 'alice' ? alice : null);

/** The admin API with `mapping`, mounted at /m in each framework. */
const MOUNTS: { name: string; start(keyring: Keyring, mapping: AdminMapping): Promise<{ url: string; close(): Promise<void> }> }[] = [
  {
    name: 'express',
    async start(keyring, mapping) {
      const app = express();
      app.use('/m', adminRouter(keyring, { authorize: (req) => authorize(req.headers['x-actor']), mapping }));
      const server = app.listen(0, '127.0.0.1');
      await new Promise((r) => server.once('listening', r));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/m`, close: () => new Promise((r) => server.close(() => r())) };
    },
  },
  {
    name: 'fastify',
    async start(keyring, mapping) {
      const app = Fastify();
      // biome-ignore lint/nursery/noMisusedPromises: Fastify's register takes async plugins by design
      await app.register(keysmithAdmin, { keyring, authorize: (request) => authorize(request.headers['x-actor']), mapping, prefix: '/m' });
      return { url: `${await app.listen({ port: 0, host: '127.0.0.1' })}/m`, close: () => app.close() };
    },
  },
  {
    name: 'hono',
    async start(keyring, mapping) {
      const app = new Hono();
      app.route('/m', adminApp(keyring, { authorize: (c) => authorize(c.req.header('x-actor')), mapping }));
      const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
      await new Promise((r) => (server.listening ? r(null) : server.once('listening', r)));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/m`, close: () => new Promise((r) => server.close(() => r())) };
    },
  },
];

/** Wire names that cannot collide with each other or with the kept `id` / `created_at`. */
const wireName = fc.stringMatching(/^w[A-Z][a-z0-9]{1,8}$/);

/** A random API shape: field names, nesting, case, routes, parameter names, methods, statuses, envelopes, token placement. */
const shapes = fc
  .record({
    names: fc.uniqueArray(wireName, { minLength: 11, maxLength: 11 }),
    collection: fc.stringMatching(/^[a-z][a-z-]{0,10}[a-z]$/),
    inTenant: fc.boolean(),
    updateMethod: fc.constantFrom('PATCH' as const, 'PUT' as const, 'POST' as const),
    createStatus: fc.constantFrom(200, 201),
    revokeAnswer: fc.constantFrom('empty', 'message'),
    snake: fc.boolean(),
    flatCreated: fc.boolean(),
    total: fc.boolean(),
  })
  .map(({ names, collection, inTenant, updateMethod, createStatus, revokeAnswer, snake, flatCreated, total }) => {
    const [name, scopes, readOnly, project, note, status, items, count, token, key, idParam] = names as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const base = `${inTenant ? '/orgs/:org' : ''}/${collection}`;
    const one = `${base}/:${idParam}`;
    const mapping: AdminMapping = {
      params: { id: idParam, tenant: 'org' },
      routes: {
        create: { method: 'POST', path: base, status: createStatus },
        list: { method: 'GET', path: base },
        get: { method: 'GET', path: one },
        update: { method: updateMethod, path: one },
        revoke: revokeAnswer === 'message' ? { method: 'DELETE', path: one, status: 200, body: { message: 'revoked' } } : { method: 'DELETE', path: one },
      },
      keep: ['id', 'createdAt'],
      case: snake ? 'snake' : 'camel',
      fields: {
        [name]: 'name',
        [scopes]: 'scopes',
        [readOnly]: 'mcp.readOnly',
        [project]: { from: 'resources.project', default: [] },
        [note]: { from: 'metadata.note', default: '' },
        [status]: 'status',
      },
      list: { items, total: total ? count : false, page: false, limit: false },
      created: { key: flatCreated ? false : key, token },
    };
    return {
      mapping,
      n: { name, scopes, readOnly, project, note, status, items, count, token, key },
      flatCreated,
      total,
      base,
      snake,
    };
  });

type Json = Record<string, unknown>;

describe('admin mapping: random API shapes round-trip in Express, Fastify and Hono, as their OpenAPI documents say', () => {
  for (const mount of MOUNTS) {
    it(`${mount.name}: create → get → list → update → revoke, invalid bodies 400 with the wire names, never the token`, async () => {
      await fc.assert(
        fc.asyncProperty(shapes, async ({ mapping, n, flatCreated, total, base, snake }) => {
          const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read', 'docs:write'] });
          const app = await mount.start(keyring, mapping);
          try {
            const doc = (await (await fetch(`${app.url}/openapi.json`, { headers: { 'x-actor': 'alice' } })).json()) as OpenApiDocument;
            const valid = await new Validator().validate(doc as never);
            expect(valid.errors ?? []).toEqual([]);
            const contract = createContract(doc);
            const collection = base.replace(':org', 't1');
            /** Sends one request; checks the exchange against the served document. */
            const send = async (method: string, path: string, body?: unknown, allowedByDoc = true) => {
              const headers: Record<string, string> = { 'x-actor': 'alice', ...(body === undefined ? {} : { 'content-type': 'application/json' }) };
              const res = await fetch(app.url + path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
              const text = await res.text();
              const [p, q] = path.split('?');
              const exchange: Exchange = {
                method,
                path: p!,
                query: new URLSearchParams(q ?? ''),
                headers,
                body: body === undefined ? undefined : JSON.stringify(body),
                status: res.status,
                responseHeaders: res.headers,
                responseText: text,
              };
              const verdict = contract.check(exchange);
              expect(verdict.responseIssues, `${method} ${path} → ${res.status} ${text}`).toEqual([]);
              if (allowedByDoc) expect(verdict.requestIssues, `${method} ${path}`).toEqual([]);
              else expect(verdict.requestIssues.length, `the document refuses ${method} ${path} ${JSON.stringify(body)}`).toBeGreaterThan(0);
              return { status: res.status, text, json: text ? (JSON.parse(text) as Json) : undefined };
            };

            const created = await send('POST', collection, {
              [n.name]: 'k1',
              [n.scopes]: ['docs:read'],
              [n.readOnly]: true,
              [n.project]: ['p1'],
              [n.note]: 'hi',
            });
            expect(created.status, created.text).toBe(mapping.routes.create!.status);
            const tokenValue = created.json![n.token] as string;
            expect(tokenValue).toMatch(/^sk_/);
            const key = (flatCreated ? created.json : created.json![n.key]) as Json;
            expect(key).toMatchObject({
              [n.name]: 'k1',
              [n.scopes]: ['docs:read'],
              [n.readOnly]: true,
              [n.project]: ['p1'],
              [n.note]: 'hi',
              [n.status]: 'active',
            });
            const createdAt = snake ? 'created_at' : 'createdAt';
            expect(typeof key[createdAt]).toBe('string');
            const id = key.id as string;

            const got = await send('GET', `${collection}/${id}`);
            expect(got.json).toEqual(flatCreated ? Object.fromEntries(Object.entries(key).filter(([k]) => k !== n.token)) : key);
            const listed = await send('GET', collection);
            expect(Object.keys(listed.json!).sort()).toEqual([n.items, ...(total ? [n.count] : [])].sort());
            expect((listed.json![n.items] as Json[]).map((k) => k.id)).toEqual([id]);

            const updated = await send(mapping.routes.update!.method, `${collection}/${id}`, { [n.name]: 'k2', [n.readOnly]: false });
            expect(updated.status, updated.text).toBe(200);
            // Only what was sent changed: the project list and the note stayed.
            expect(updated.json).toMatchObject({ [n.name]: 'k2', [n.readOnly]: false, [n.project]: ['p1'], [n.note]: 'hi', [n.scopes]: ['docs:read'] });

            // Invalid bodies: 400 VALIDATION, each issue under the wire name, and the document refuses them too.
            const invalid: [unknown, (string | number)[]][] = [
              [{ [n.name]: 42 }, [n.name]],
              [{ [n.readOnly]: 'yes' }, [n.readOnly]],
              [{ [n.scopes]: ['docs:read', 'nope:nope'] }, [n.scopes, 1]],
              [{ wUnknown: 1 }, ['wUnknown']],
              [{ [n.project]: 'p1' }, [n.project]],
            ];
            for (const [body, path] of invalid) {
              for (const [method, at] of [
                ['POST', collection],
                [mapping.routes.update!.method, `${collection}/${id}`],
              ] as const) {
                const sent = method === 'POST' ? { [n.name]: 'x', ...(body as object) } : body;
                const refused = await send(method, at, sent, false);
                expect(refused.status, `${method} ${JSON.stringify(sent)}: ${refused.text}`).toBe(400);
                const error = refused.json!.error as { code: string; issues: { path: unknown[] }[] };
                expect(error.code).toBe('VALIDATION');
                expect(error.issues.map((i) => i.path)).toContainEqual(path);
              }
            }
            expect((await send('POST', collection, [1], false)).status).toBe(400);

            const revoked = await send('DELETE', `${collection}/${id}`);
            expect(revoked.status).toBe(mapping.routes.revoke!.status ?? 204);
            expect((await send('DELETE', `${collection}/${id}`)).status).toBe(404);
            expect((await send('GET', `${collection}/${id}`)).json).toMatchObject({ [n.status]: 'revoked' });
            // The token was in the create answer only.
            for (const path of [`${collection}/${id}`, collection, `${collection}?${n.count}=1`]) expect((await fetch(app.url + path)).status).toBe(401);
            expect(JSON.stringify([got, listed, updated])).not.toContain(tokenValue.slice(-30));
          } finally {
            await app.close();
          }
        }),
        { numRuns: 5 },
      );
    }, 180_000);
  }
});
