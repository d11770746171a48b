import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from 'keysmith/http';
import { makeClient, type AdminAnswer, type AdminCall } from '../http/admin-client.js';
import { ADMIN_CASES } from '../http/admin-cases.js';
import { useAllFrameworks } from '../http/running.js';
import { createContract, type Contract, type Verdict } from './contract.js';

/**
 * The contract: every request of the shared admin table, on Express, Fastify and Hono over real
 * HTTP, is checked against the OpenAPI document the server itself serves. Every answer must be
 * one the document describes; every request the document forbids must be refused (4xx).
 */

const MOUNTS = ['/admin', '/key-admin'];

/**
 * 400s for requests the document allows: only for rules JSON Schema cannot state. (403 ESCALATION
 * depends on the caller's own rights, not on the request's shape.)
 */
const SEMANTIC = [/^Must be in the future$/, /^Give expiresAt or expiresIn, not both$/];

async function bodyText(call: AdminCall): Promise<[AdminCall, string | undefined]> {
  if (call.body !== undefined) return [call, JSON.stringify(call.body)];
  if (call.raw === undefined) return [call, undefined];
  if (typeof call.raw === 'string') return [call, call.raw];
  if (call.raw instanceof ReadableStream) {
    const [sent, kept] = call.raw.tee();
    return [{ ...call, raw: sent }, await new Response(kept).text()];
  }
  throw new Error('raw bodies here are strings or streams');
}

describe('OpenAPI contract: the admin table on three frameworks, every exchange checked against the served document', () => {
  const running = useAllFrameworks();
  const contracts = new Map<string, Contract>();
  const seen = new Set<string>();
  let refusedValid: string[] = [];

  beforeAll(async () => {
    for (const { name, app } of running) {
      const res = await fetch(`${app.url}/admin/openapi.json`, { headers: { 'x-actor': 'alice' } });
      expect(res.status).toBe(200);
      const doc = (await res.json()) as OpenApiDocument;
      expect(doc.servers).toEqual([{ url: '/admin' }]);
      contracts.set(name, createContract(doc));
    }
  });

  for (const c of ADMIN_CASES) {
    it(c.name, async () => {
      const violations: string[] = [];
      refusedValid = [];
      for (const { name, app, fx } of running) {
        const contract = contracts.get(name)!;
        const send = makeClient(app.url);
        const admin = async (original: AdminCall): Promise<AdminAnswer> => {
          const [call, body] = await bodyText(original);
          const answer = await send(call);
          const url = new URL(call.path, 'http://x');
          const mount = MOUNTS.find((m) => url.pathname === m || url.pathname.startsWith(`${m}/`))!;
          const headers: Record<string, string> = Object.fromEntries(Object.entries(call.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
          if (call.body !== undefined) headers['content-type'] ??= 'application/json';
          const verdict: Verdict = contract.check({
            method: call.method ?? 'GET',
            path: url.pathname.slice(mount.length) || '/',
            query: url.searchParams,
            headers,
            body,
            status: answer.status,
            responseHeaders: answer.headers,
            responseText: answer.text,
          });
          const label = `[${name}] ${call.method ?? 'GET'} ${call.path} → ${answer.status}`;
          if (verdict.operationId) seen.add(verdict.operationId);
          for (const issue of verdict.responseIssues) violations.push(`${label}: answer ${issue}`);
          // What the document forbids, the server refuses.
          if (verdict.requestIssues.length > 0 && !(answer.status >= 400 && answer.status < 500)) {
            violations.push(`${label}: accepted a request the document forbids (${verdict.requestIssues.join('; ')})`);
          }
          // A request the document allows is refused as invalid only for rules JSON Schema cannot state.
          if (verdict.requestIssues.length === 0 && answer.status === 400) {
            const messages: string[] = (answer.json?.error?.issues ?? [{ message: answer.json?.error?.message }]).map((i: { message: string }) => i.message);
            const unexplained = messages.filter((m) => !SEMANTIC.some((re) => re.test(m)));
            if (unexplained.length > 0) refusedValid.push(`${label}: ${unexplained.join('; ')}`);
          }
          return answer;
        };
        await c.run({ framework: name, fx, admin, same: () => undefined });
      }
      expect(violations).toEqual([]);
      expect(refusedValid).toEqual([]);
    });
  }

  it('the table exercised every operation of the own tenant and the super-admin', () => {
    const operations = [...contracts.values()][0]!.operations().filter((o) => !o.endsWith('ForTenant') && o !== 'getOpenApiDocument');
    expect(operations.filter((o) => !seen.has(o))).toEqual([]);
  });

  it('what the document forbids the server refuses: generated bodies one field off a valid one', async () => {
    const fields = [
      'name',
      'scopes',
      'roles',
      'preset',
      'resources',
      'mcp',
      'expiresAt',
      'expiresIn',
      'ownerId',
      'ipAllowlist',
      'remaining',
      'refill',
      'rateLimits',
      'metadata',
      'colour',
      'enabled',
      'version',
    ];
    for (const { name, app, fx } of running) {
      const contract = contracts.get(name)!;
      const send = makeClient(app.url);
      const { key } = await fx.keyring.create({ tenantId: 'tenant_a', name: 'to-patch', scopes: ['docs:read'] });
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...fields), fc.jsonValue({ maxDepth: 2 }), fc.boolean(), async (field, value, patch) => {
          const body = patch ? { [field]: value } : { name: 'generated', scopes: ['docs:read'], [field]: value };
          const [template, method, path] = patch ? ['/keys/{id}', 'patch', `/admin/keys/${key.id}`] : ['/keys', 'post', '/admin/keys'];
          const issues = contract.bodyIssues(template, method, body);
          const answer = await send({ method: method.toUpperCase(), path, as: 'alice', body });
          if (issues.length > 0) {
            expect(answer.status, `${name} ${method} ${JSON.stringify(body)}: ${issues.join('; ')} → ${answer.text}`).toBe(400);
            expect(answer.json.error.code).toBe('VALIDATION');
          } else {
            expect([200, 201, 400, 409], `${name} ${method} ${JSON.stringify(body)} → ${answer.text}`).toContain(answer.status);
          }
        }),
        { numRuns: 60 },
      );
    }
  });
});
