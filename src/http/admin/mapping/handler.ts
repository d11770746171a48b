import { emptyAnswer, errorAnswer, jsonAnswer, type HttpAnswer, type HttpErrorBody, type HttpIssue } from '../../answer.js';
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES, readJsonBody } from '../../body.js';
import type { HeaderReader } from '../../credentials.js';
import type { ResolvedActor } from '../actor.js';
import { AdminErrorCode, notFoundAnswer, validationAnswer } from '../errors.js';
import { segmentsOf, type AdminAction } from '../routes.js';
import type { CompiledMapping, CompiledRoute } from './compile.js';
import { bodyToInput, issuePathToWire, keyToWire, queryPathToWire, queryToList } from './translate.js';

type Json = Record<string, unknown>;

/** One admin request as the canonical handler takes it (`handleAdminRequest`). */
export interface CanonicalRequest {
  method: string;
  path: string;
  query: string | URLSearchParams;
  header: HeaderReader;
  body: { kind: 'none' } | { kind: 'parsed'; value: unknown };
  actor: ResolvedActor;
}

/** A mapped request as an adapter reads it. */
export interface MappedRequest extends Omit<CanonicalRequest, 'body'> {
  body: Parameters<typeof readJsonBody>[0];
}

const DEFAULT_STATUS: Partial<Record<AdminAction, number>> = { create: 201, rotate: 201, revoke: 204, revokeAny: 204 };
const NEEDS_BODY: ReadonlySet<AdminAction> = new Set(['create', 'update', 'toggle', 'rotate']);

function match(mapping: CompiledMapping, method: string, path: string) {
  const segments = segmentsOf(path);
  if (!segments) return { kind: 'not_found' as const };
  const allow: string[] = [];
  for (const route of mapping.routes) {
    if (route.segments.length !== segments.length) continue;
    const values: { id?: string; tenant?: string } = {};
    let fits = true;
    route.segments.forEach((s, i) => {
      if ('param' in s) values[s.param] = segments[i]!;
      else if (s.literal !== segments[i]) fits = false;
    });
    if (!fits) continue;
    if (route.method === method.toUpperCase()) return { kind: 'route' as const, route, ...values };
    allow.push(route.method);
  }
  return allow.length > 0 ? { kind: 'method_not_allowed' as const, allow } : { kind: 'not_found' as const };
}

/** An error answer with its issue paths in wire names (the rest unchanged). */
function renamed(answer: HttpAnswer, toWire: (path: (string | number)[]) => (string | number)[]): HttpAnswer {
  if (answer.status < 400 || answer.body === null) return answer;
  const parsed = JSON.parse(answer.body) as HttpErrorBody;
  if (!parsed.error?.issues) return answer;
  const issues: HttpIssue[] = parsed.error.issues.map((i) => ({ path: toWire(i.path), message: i.message }));
  return errorAnswer(answer.status, parsed.error.code, parsed.error.message, { headers: answer.headers, issues });
}

/**
 * Serves a mapped API over the canonical admin handler (`serve`): each request is translated to
 * the admin API's own route and body, answered by it with every rule it keeps (authorization
 * already done, tenant isolation, confinement, no escalation, validation), and its answer
 * translated back. Nothing here touches the keyring directly.
 */
export function createMappedHandler(
  mapping: CompiledMapping,
  serve: (request: CanonicalRequest) => Promise<HttpAnswer>,
  options: { bodyTimeoutMs?: number } = {},
) {
  return async (request: MappedRequest): Promise<HttpAnswer> => {
    const found = match(mapping, request.method, request.path);
    if (found.kind === 'not_found') return errorAnswer(404, AdminErrorCode.NOT_FOUND, 'No such route');
    if (found.kind === 'method_not_allowed')
      return errorAnswer(405, AdminErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed', { headers: { allow: found.allow.join(', ') } });
    const { route, id, tenant } = found;
    const { actor } = request;
    // The rule of /tenants/:tenantId: another tenant looks exactly like a missing key.
    if (tenant !== undefined && tenant !== actor.tenantId && !actor.superAdmin) return notFoundAnswer();
    const action = route.action;
    const superRoute = action === 'listAll' || action === 'getAny' || action === 'revokeAny';
    const keys = `${superRoute ? '/admin' : tenant === undefined ? '' : `/tenants/${encodeURIComponent(tenant)}`}/keys${id === undefined ? '' : `/${encodeURIComponent(id)}`}`;
    const header: HeaderReader = (name) =>
      name.toLowerCase() === 'content-type' ? 'application/json' : name.toLowerCase() === 'content-length' ? undefined : request.header(name);
    const forward = (method: string, path: string, value?: unknown, query: string | URLSearchParams = '') =>
      serve({ method, path, query, header, actor, body: value === undefined ? { kind: 'none' } : { kind: 'parsed', value } });
    /** The key as it is now, through the canonical GET (so every reach rule applies), or the answer refusing it. */
    const currentKey = async (): Promise<Json | HttpAnswer> => {
      const got = await forward('GET', keys);
      if (got.status !== 200 || got.body === null) return got;
      const key = JSON.parse(got.body) as Json;
      return mapping.hideRevoked && key.status === 'revoked' ? notFoundAnswer() : key;
    };
    const isAnswer = (v: Json | HttpAnswer): v is HttpAnswer => typeof v.status === 'number' && 'headers' in v;

    let body: unknown;
    if (NEEDS_BODY.has(action)) {
      const read = await readJsonBody(request.body, request.header, MAX_BODY_BYTES, options.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
      if (!read.ok) return read.answer;
      body = read.value;
    }

    let answer: HttpAnswer;
    let given: ReadonlySet<string> = new Set();
    switch (action) {
      case 'create': {
        const t = bodyToInput(mapping, body, 'create');
        if (!t.ok) return validationAnswer(t.issues);
        given = t.given;
        answer = await forward('POST', keys, t.input);
        break;
      }
      case 'update': {
        const current = await currentKey();
        if (isAnswer(current)) return current;
        const t = bodyToInput(mapping, body, 'update', current);
        if (!t.ok) return validationAnswer(t.issues);
        given = t.given;
        // Pinned to the version merged with: a change in between is a 409, never overwritten.
        answer = await forward('PATCH', keys, { version: current.version, ...t.input });
        break;
      }
      case 'get':
      case 'getAny': {
        const current = await currentKey();
        answer = isAnswer(current) ? current : jsonAnswer(200, current);
        break;
      }
      case 'toggle': {
        // The route's target, unless the body names one (any other body is the canonical handler's to refuse).
        const target = route.route.target;
        const plain = body === undefined || (typeof body === 'object' && body !== null && !Array.isArray(body));
        answer = await forward('POST', `${keys}/toggle-active`, target && plain ? { target, ...(body as object | undefined) } : body);
        break;
      }
      case 'rotate':
        answer = await forward('POST', `${keys}/rotate`, body);
        break;
      case 'revoke':
      case 'revokeAny': {
        if (!route.route.soft) {
          answer = await forward('DELETE', keys);
          break;
        }
        const current = await currentKey();
        if (isAnswer(current)) return current;
        if (current.status === 'revoked' || current.enabled !== true) return notFoundAnswer();
        // Pinned to the version seen: of two concurrent soft revokes, one pauses and the other gets 409.
        answer = await forward('PATCH', keys, { enabled: false, version: current.version });
        break;
      }
      case 'list':
      case 'listAll': {
        const params = typeof request.query === 'string' ? new URLSearchParams(request.query.replace(/^\?/, '')) : request.query;
        const t = queryToList(mapping, params);
        if (!t.ok) return validationAnswer(t.issues);
        answer = await forward('GET', keys, undefined, t.query);
        if (answer.status >= 400) return renamed(answer, (p) => queryPathToWire(mapping, p));
        break;
      }
    }
    if (answer.status >= 400) return renamed(answer, (p) => issuePathToWire(mapping, p, given));
    return render(mapping, route, answer);
  };
}

/** A successful canonical answer in the mapped shape, with the route's status and fixed body. */
function render(mapping: CompiledMapping, route: CompiledRoute, answer: HttpAnswer): HttpAnswer {
  const { action } = route;
  const status = route.route.status ?? DEFAULT_STATUS[action] ?? 200;
  if (route.route.body !== undefined) return jsonAnswer(status, route.route.body);
  if (answer.body === null || status === 204) return emptyAnswer(status);
  const value = JSON.parse(answer.body) as Json;
  const wire = (key: unknown) => keyToWire(mapping, key as Json, action);
  if (action === 'list' || action === 'listAll') {
    const { items, total, page, limit } = mapping.list;
    const out: Json = { [items]: (value.items as unknown[]).map(wire) };
    if (total !== false) out[total] = value.total;
    if (page !== false) out[page] = value.page;
    if (limit !== false) out[limit] = value.limit;
    return jsonAnswer(status, out);
  }
  if (action === 'create' || action === 'rotate') {
    const { key, token } = mapping.created;
    const out: Json = key === false ? { ...wire(value.key), [token]: value.token } : { [key]: wire(value.key), [token]: value.token };
    if (action === 'rotate') out.previous = wire(value.previous);
    return jsonAnswer(status, out);
  }
  return jsonAnswer(status, wire(value));
}
