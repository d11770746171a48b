import { KeysmithError } from '../../errors/errors.js';
import type { Keyring } from '../../keyring.js';
import { parseOrThrow, validationError } from '../../management/validation.js';
import { emptyAnswer, errorAnswer, jsonAnswer, type HttpAnswer } from '../answer.js';
import { bearerChallenge, assertRealm } from '../challenge.js';
import { BODY_TIMEOUT_MS, MAX_BODY_BYTES, readJsonBody, type BodySource } from '../body.js';
import type { HeaderReader } from '../credentials.js';
import { resolveActor, type AdminActor, type ResolvedActor } from './actor.js';
import { AdminErrorCode, errorToAnswer, notFoundAnswer } from './errors.js';
import { CALLER_FIELDS, rotateBodySchema, toggleBodySchema } from './bodies.js';
import { consoleAsset, consoleData, consolePathOf, csrfHeaderOf, csrfRefusal } from './console.js';
import { adminOpenApi, type OpenApiDocument } from './openapi.js';
import { compileMapping } from './mapping/compile.js';
import { createMappedHandler } from './mapping/handler.js';
import type { AdminMapping } from './mapping/types.js';
import { matchAdminRoute, type AdminAction } from './routes.js';
import { createdAnswer, keyAnswer, pageAnswer, rotatedAnswer } from './wire.js';
import type { MaybePromise } from '../maybe-promise.js';

export interface AdminOptions<Req> {
  /**
   * Who is calling: `{ actorId, tenantId, superAdmin?, permissions? }`; null when not signed in
   * (401); false when signed in but not allowed to manage keys (403 `FORBIDDEN`).
   */
  authorize: (req: Req) => MaybePromise<AdminActor | null | false>;
  /** Sees unexpected errors and store outages (answered 500 / 503 without details). keysmith never logs. */
  onError?: (error: unknown) => void;
  /** The `realm` of the 401 challenge. @default "admin" */
  realm?: string;
  /**
   * How long a request body may take to arrive, in all, from its first read; a slower one is
   * answered 408 and its connection closed (a client dripping bytes cannot hold a socket).
   * @default 10_000
   */
  bodyTimeoutMs?: number;
  /**
   * `GET <mount>/openapi.json`, the OpenAPI 3.1 document of this mount (see `adminOpenApi`):
   * `'authorized'` behind the same `authorize` as the routes, `'public'` for anyone, `false` off (404).
   * @default 'authorized'
   */
  openapi?: 'authorized' | 'public' | false;
  /**
   * `GET <mount>/console`: a key-management page for the signed-in actor (see docs/console.md),
   * served with a strict Content-Security-Policy. Turning it on also turns `csrfHeader` on unless
   * you set it.
   * @default false
   */
  console?: boolean;
  /**
   * A header every mutating request (POST, PATCH, DELETE) must carry, with any non-empty value;
   * without it the answer is 403 `CSRF_HEADER_REQUIRED`. Turn it on when `authorize` reads a
   * cookie: a cross-site page cannot add a custom header without a CORS preflight, so forged form
   * posts and `fetch` calls are refused. `true` means `X-Keysmith-Client`; a string names your own.
   * @default true when `console` is on, otherwise false
   */
  csrfHeader?: string | boolean;
  /**
   * Serve an existing API's shape instead of the admin API's own routes and fields: its paths,
   * field names, envelopes and status codes (see `AdminMapping` and docs/admin.md, "Matching an
   * existing API's shape"). The rules stay the admin API's; the OpenAPI document follows the mapping.
   */
  mapping?: AdminMapping;
}

/** The admin options every request needs after authorization. */
interface HandlerOptions {
  onError?: (error: unknown) => void;
  bodyTimeoutMs?: number;
}

/** `bodyTimeoutMs` checked once, at construction. @throws KeysmithError CONFIG */
export function bodyTimeoutOf(options: { bodyTimeoutMs?: number }): number {
  const ms = options.bodyTimeoutMs ?? BODY_TIMEOUT_MS;
  if (!Number.isSafeInteger(ms) || ms < 1 || ms > 3_600_000)
    throw new KeysmithError('CONFIG', 'bodyTimeoutMs must be a whole number of milliseconds, 1 to 3,600,000');
  return ms;
}

/** One admin request as an adapter reads it. `path` is relative to the mount point and still percent-encoded. */
export interface AdminHttpRequest {
  method: string;
  path: string;
  /** The raw query string (with or without `?`), or parsed search params. */
  query: string | URLSearchParams;
  header: HeaderReader;
  body: BodySource;
  /** Where the admin API is mounted, as the client sees it (`/admin`); the served document's server URL. */
  basePath?: string;
}

function objectBody(value: unknown, allowEmpty: boolean): Record<string, unknown> {
  if (value === undefined && allowEmpty) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw validationError([{ path: [], message: 'Expected a JSON object' }]);
  }
  const record = value as Record<string, unknown>;
  const extra = CALLER_FIELDS.filter((f) => Object.hasOwn(record, f));
  if (extra.length > 0) {
    throw validationError(extra.map((f) => ({ path: [f], message: `Unrecognized key: "${f}" (it comes from your session)` })));
  }
  return record;
}

/** Query parameters as a plain object; a repeated parameter is a validation error, not a silent pick. */
function queryObject(query: string | URLSearchParams): Record<string, string> {
  const params = typeof query === 'string' ? new URLSearchParams(query.startsWith('?') ? query.slice(1) : query) : query;
  const out: Record<string, string> = {};
  for (const [k, v] of params) {
    if (Object.hasOwn(out, k)) throw validationError([{ path: [k], message: 'Given more than once' }]);
    out[k] = v;
  }
  return out;
}

const NEEDS_BODY: ReadonlySet<AdminAction> = new Set(['create', 'update', 'toggle', 'rotate']);

/**
 * The admin API over one resolved request: routing, tenant isolation, body rules, and the
 * keyring call. Framework-neutral; each adapter only reads the request and sends the answer.
 */
export async function handleAdminRequest(
  keyring: Keyring,
  request: AdminHttpRequest & { actor: ResolvedActor },
  options: HandlerOptions = {},
): Promise<HttpAnswer> {
  const route = matchAdminRoute(request.method, request.path);
  if (route.kind === 'not_found') return errorAnswer(404, AdminErrorCode.NOT_FOUND, 'No such route');
  if (route.kind === 'method_not_allowed')
    return errorAnswer(405, AdminErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed', { headers: { allow: route.allow.join(', ') } });
  const { actor } = request;
  if (route.superOnly && !actor.superAdmin) return errorAnswer(403, AdminErrorCode.FORBIDDEN, 'Only a super-admin may do this');
  // Another tenant answers exactly like a missing key, so tenant ids cannot be probed either.
  if (route.tenantId !== null && route.tenantId !== actor.tenantId && !actor.superAdmin) return notFoundAnswer();
  const tenantId = route.tenantId ?? actor.tenantId;
  const id = route.id ?? '';
  const caller = { actorId: actor.actorId, actor: actor.permissions };
  const confined = actor.resource;
  /** A key a confined actor may not see looks exactly like a missing one. */
  const outOfReach = (key: { resources: Record<string, string[]> } | null): boolean =>
    confined !== null && !(key && Object.hasOwn(key.resources, confined.kind) && key.resources[confined.kind]!.includes(confined.id));

  try {
    let body: unknown;
    if (NEEDS_BODY.has(route.action)) {
      const read = await readJsonBody(request.body, request.header, MAX_BODY_BYTES, options.bodyTimeoutMs ?? BODY_TIMEOUT_MS);
      if (!read.ok) return read.answer;
      body = read.value;
    }

    if (confined && route.id !== null && outOfReach(await keyring.get(tenantId, id))) return notFoundAnswer();

    switch (route.action) {
      case 'create': {
        const input = objectBody(body, false);
        // A confined actor's keys are limited to its resource unless the body says otherwise (then the no-escalation rule judges it).
        if (confined) {
          const resources = input.resources;
          const given = typeof resources === 'object' && resources !== null && !Array.isArray(resources) ? (resources as Record<string, unknown>) : undefined;
          if (resources === undefined || (given && !Object.hasOwn(given, confined.kind))) input.resources = { ...given, [confined.kind]: [confined.id] };
        }
        return createdAnswer(await keyring.create({ ...(input as object), tenantId, ...caller } as Parameters<Keyring['create']>[0]));
      }
      case 'list': {
        const query = queryObject(request.query);
        if (confined) {
          const own = `${confined.kind}:${confined.id}`;
          if (query.resource !== undefined && query.resource !== own) return errorAnswer(403, AdminErrorCode.FORBIDDEN, `You may only list the keys of ${own}`);
          query.resource = own;
        }
        return pageAnswer(await keyring.list(tenantId, query));
      }
      case 'get': {
        const key = await keyring.get(tenantId, id);
        return key ? keyAnswer(key) : notFoundAnswer();
      }
      case 'update':
        return keyAnswer(await keyring.update(tenantId, id, { ...objectBody(body, false), ...caller }));
      case 'revoke':
        await keyring.revoke(tenantId, id, { by: actor.actorId, actor: actor.permissions });
        return emptyAnswer(204);
      case 'toggle': {
        const { enabled, target } = parseOrThrow(toggleBodySchema, objectBody(body, true));
        const mcpOnly = target === 'mcp';
        if (enabled !== undefined)
          return keyAnswer(await (mcpOnly ? keyring.setMcpEnabled(tenantId, id, enabled, caller) : keyring.setEnabled(tenantId, id, enabled, caller)));
        const current = await keyring.get(tenantId, id);
        if (!current || current.revokedAt) return notFoundAnswer();
        // Pin the version: two concurrent toggles give one flip and one 409, never a silent double flip.
        const flip = mcpOnly ? { mcp: { enabled: !current.mcp.enabled } } : { enabled: !current.enabled };
        return keyAnswer(await keyring.update(tenantId, id, { ...flip, version: current.version, ...caller }));
      }
      case 'rotate': {
        const { graceMs, version } = parseOrThrow(rotateBodySchema, objectBody(body, true));
        return rotatedAnswer(await keyring.rotate(tenantId, id, { graceMs, version, ...caller }));
      }
      case 'listAll':
        return pageAnswer(await keyring.listAcrossTenants(queryObject(request.query)));
      case 'getAny': {
        const key = await keyring.getAcrossTenants(id);
        return key ? keyAnswer(key) : notFoundAnswer();
      }
      case 'revokeAny': {
        const key = await keyring.getAcrossTenants(id);
        if (!key) return notFoundAnswer();
        await keyring.revoke(key.tenantId, id, { by: actor.actorId, actor: actor.permissions });
        return emptyAnswer(204);
      }
    }
  } catch (error) {
    return errorToAnswer(error, options.onError);
  }
}

/**
 * The whole admin request cycle: authorize first (so anonymous callers learn nothing, not even
 * which routes exist), then `handleAdminRequest`.
 */
export function createAdminHandler<Req>(keyring: Keyring, options: AdminOptions<Req>) {
  if (!keyring || typeof keyring.create !== 'function') throw new KeysmithError('CONFIG', 'The admin API needs a keyring');
  if (typeof options?.authorize !== 'function') throw new KeysmithError('CONFIG', 'The admin API needs authorize(request)');
  const realm = assertRealm(options.realm ?? 'admin');
  const handlerOptions: HandlerOptions = { onError: options.onError, bodyTimeoutMs: bodyTimeoutOf(options) };
  const unauthorized = () =>
    errorAnswer(401, AdminErrorCode.UNAUTHORIZED, 'Sign in to manage API keys', { headers: { 'www-authenticate': bearerChallenge(realm) } });

  const docs = options.openapi ?? 'authorized';
  if (docs !== 'authorized' && docs !== 'public' && docs !== false) throw new KeysmithError('CONFIG', "openapi must be 'authorized', 'public' or false");
  const mapping = options.mapping === undefined ? undefined : compileMapping(options.mapping);
  const mapped = mapping && createMappedHandler(mapping, (request) => handleAdminRequest(keyring, request, handlerOptions), handlerOptions);
  const forbidden = () => errorAnswer(403, AdminErrorCode.FORBIDDEN, 'You may not manage API keys');
  let document: OpenApiDocument | undefined;
  /** The document, built once per mount; only the server URL follows the request. */
  const documentAnswer = (http: AdminHttpRequest): HttpAnswer => {
    if (http.method.toUpperCase() !== 'GET') return errorAnswer(405, AdminErrorCode.METHOD_NOT_ALLOWED, 'Method not allowed', { headers: { allow: 'GET' } });
    document ??= adminOpenApi(keyring, { basePath: '', mapping: options.mapping });
    const url = http.basePath ? http.basePath.replace(/\/+$/, '') || '/' : '/';
    return jsonAnswer(200, { ...document, servers: [{ url }] });
  };

  if (options.console !== undefined && typeof options.console !== 'boolean') throw new KeysmithError('CONFIG', 'console must be true or false');
  const consoleOn = options.console === true;
  // The console page calls the admin API's own routes, which a mapped mount does not serve.
  if (consoleOn && mapping) throw new KeysmithError('CONFIG', "console: true needs the admin API's own routes; mount the console without a mapping");
  const csrfHeader = csrfHeaderOf(options);

  return async (req: Req, http: AdminHttpRequest): Promise<HttpAnswer> => {
    const isDocument = docs !== false && /^\/?openapi\.json$/.test(http.path);
    if (isDocument && docs === 'public') return documentAnswer(http);
    const consolePath = consoleOn ? consolePathOf(http.path) : null;
    if (consolePath === 'page' || consolePath === 'script' || consolePath === 'style') return consoleAsset(consolePath, http.method, http.basePath);
    const refused = csrfRefusal(http.method, http.header, csrfHeader);
    if (refused) return refused;
    let actor: ResolvedActor | null;
    try {
      const who = await options.authorize(req);
      if (who === false) return forbidden();
      actor = resolveActor(who);
    } catch (error) {
      return errorToAnswer(error, options.onError);
    }
    if (!actor) return unauthorized();
    if (isDocument) return documentAnswer(http);
    if (consolePath) {
      try {
        return await consoleData(keyring, consolePath, { method: http.method, query: http.query, actor, csrfHeader });
      } catch (error) {
        return errorToAnswer(error, options.onError);
      }
    }
    if (mapped) return mapped({ ...http, actor }).catch((error: unknown) => errorToAnswer(error, options.onError));
    return handleAdminRequest(keyring, { ...http, actor }, handlerOptions);
  };
}
