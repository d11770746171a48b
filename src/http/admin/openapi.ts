import { z } from 'zod';
import { policyOf, type Keyring } from '../../keyring.js';
import { listQuerySchema } from '../../management/management.js';
import { createKeyInputSchema, updateKeyInputSchema } from '../../management/validation.js';
import { CALLER_FIELDS, rotateBodySchema, toggleBodySchema } from './bodies.js';
import { acceptedScopes, narrowToEnum, toComponents, toJsonSchema, type JsonSchema } from './json-schema.js';
import { compileMapping } from './mapping/compile.js';
import { mapOpenApi } from './mapping/openapi.js';
import type { AdminMapping } from './mapping/types.js';
import { KEY_ROUTES, SUPER_ROUTES, type AdminAction } from './routes.js';
import { apiKeyJsonSchema, createdKeyJsonSchema, errorBodyJsonSchema, issueJsonSchema, keyPageJsonSchema, rotatedKeyJsonSchema } from './wire.js';

/** An OpenAPI 3.1 document, as plain JSON data. */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers: { url: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown>; parameters: Record<string, unknown> };
  tags: { name: string; description: string }[];
}

export interface AdminOpenApiOptions {
  /** Where the admin API is mounted, e.g. `"/admin"`; the paths in the document are relative to it. */
  basePath: string;
  /** @default "keysmith admin API" */
  title?: string;
  /** The document's own version (not keysmith's). @default "1" */
  version?: string;
  /** Servers, each with `basePath` appended. @default [{ url: basePath }] (relative: the host that serves the document) */
  servers?: { url: string; description?: string }[];
  /** Document this mapped shape instead of the admin API's own (the `mapping` option of the admin mount). */
  mapping?: AdminMapping;
}

/** The error codes each status answers with (the admin handler and the keyring's typed errors). */
export const ADMIN_ERROR_CODES: Record<number, readonly string[]> = {
  400: ['VALIDATION', 'MALFORMED_JSON', 'INVALID_QUERY', 'REQUEST_ABORTED'],
  401: ['UNAUTHORIZED'],
  403: ['FORBIDDEN', 'ESCALATION', 'CSRF_HEADER_REQUIRED'],
  404: ['NOT_FOUND'],
  405: ['METHOD_NOT_ALLOWED'],
  408: ['REQUEST_TIMEOUT'],
  409: ['VERSION_CONFLICT', 'DUPLICATE_ID'],
  413: ['PAYLOAD_TOO_LARGE'],
  415: ['UNSUPPORTED_MEDIA_TYPE'],
  429: ['RATE_LIMITED'],
  500: ['INTERNAL'],
  503: ['STORE_UNAVAILABLE'],
};

const ERROR_RESPONSES: Record<number, { name: string; description: string; headers?: Record<string, unknown> }> = {
  400: { name: 'BadRequest', description: 'Invalid input: `issues` names each field (`VALIDATION`), or the body is not JSON (`MALFORMED_JSON`)' },
  401: {
    name: 'Unauthorized',
    description: 'Not signed in: `authorize` returned null',
    headers: { 'WWW-Authenticate': { required: true, description: 'RFC 6750 challenge', schema: { type: 'string', pattern: '^Bearer realm="' } } },
  },
  403: {
    name: 'Forbidden',
    description:
      "A super-admin route (`FORBIDDEN`), or more rights than the caller holds (`ESCALATION`, with `issues`), or a change without the mount's CSRF header (`CSRF_HEADER_REQUIRED`)",
  },
  404: { name: 'NotFound', description: "No such key or route. Another tenant's key answers exactly like an unknown one" },
  405: {
    name: 'MethodNotAllowed',
    description: 'The path exists, the method does not (answered for any method not listed on the path)',
    headers: { Allow: { required: true, description: 'The methods of this path', schema: { type: 'string' } } },
  },
  408: { name: 'RequestTimeout', description: 'The body did not arrive within `bodyTimeoutMs` (the connection is closed)' },
  409: { name: 'Conflict', description: 'The key changed since the `version` given (`VERSION_CONFLICT`)' },
  413: { name: 'PayloadTooLarge', description: 'The body is over 64 KiB' },
  415: { name: 'UnsupportedMediaType', description: 'The body is not `application/json` (or `+json`)' },
  429: {
    name: 'TooManyRequests',
    description: 'Rate limited (by a limiter in front of the mount; the handler itself does not answer 429)',
    headers: { 'Retry-After': { required: true, description: 'Seconds to wait', schema: { type: 'string', pattern: '^[0-9]+$' } } },
  },
  500: { name: 'InternalError', description: 'An unexpected error (details go to `onError`, never to the client)' },
  503: { name: 'StoreUnavailable', description: 'The key store is unreachable: nothing was done (fail closed)' },
};

const NO_STORE = { 'Cache-Control': { required: true, description: 'Key material is never cached', schema: { const: 'no-store' } } };

interface ActionDoc {
  operationId: string;
  summary: string;
  tag: 'keys' | 'super-admin';
  query?: true;
  body?: { schema: string; required: boolean };
  success: { status: number; description: string; schema?: string };
  errors: number[];
}

const COMMON = [401, 403, 404, 405, 429, 500, 503];
const WITH_BODY = [400, ...COMMON, 408, 413, 415];

/** One entry per action: TypeScript refuses a new route until it is documented here. */
const ACTIONS: Record<AdminAction, ActionDoc> = {
  list: {
    operationId: 'listKeys',
    summary: 'List keys (redacted), newest first',
    tag: 'keys',
    query: true,
    success: { status: 200, description: 'One page of keys', schema: 'KeyPage' },
    errors: [400, ...COMMON],
  },
  create: {
    operationId: 'createKey',
    summary: 'Create a key; the plaintext token is in this answer only',
    tag: 'keys',
    body: { schema: 'CreateKeyRequest', required: true },
    success: { status: 201, description: 'The key and its token (shown once)', schema: 'CreatedKey' },
    errors: [...WITH_BODY, 409],
  },
  get: {
    operationId: 'getKey',
    summary: 'One key (revoked ones too, for audit)',
    tag: 'keys',
    success: { status: 200, description: 'The key', schema: 'ApiKey' },
    errors: COMMON,
  },
  update: {
    operationId: 'updateKey',
    summary: 'Change a live key; send `version` to refuse a concurrent change',
    tag: 'keys',
    body: { schema: 'UpdateKeyRequest', required: true },
    success: { status: 200, description: 'The key as changed', schema: 'ApiKey' },
    errors: [...WITH_BODY, 409],
  },
  revoke: {
    operationId: 'revokeKey',
    summary: 'Revoke a key (final; the record stays for audit)',
    tag: 'keys',
    success: { status: 204, description: 'Revoked' },
    errors: COMMON,
  },
  toggle: {
    operationId: 'setKeyEnabled',
    summary: 'Pause or resume a key: `{ enabled }` sets it, an empty body flips it',
    tag: 'keys',
    body: { schema: 'ToggleKeyRequest', required: false },
    success: { status: 200, description: 'The key as changed', schema: 'ApiKey' },
    errors: [...WITH_BODY, 409],
  },
  rotate: {
    operationId: 'rotateKey',
    summary: 'A new key and token with the same permissions; the old token works for `graceMs`',
    tag: 'keys',
    body: { schema: 'RotateKeyRequest', required: false },
    success: { status: 201, description: 'The new key and token (shown once), and the old key', schema: 'RotatedKey' },
    errors: [...WITH_BODY, 409],
  },
  listAll: {
    operationId: 'listAllKeys',
    summary: 'List the keys of every tenant',
    tag: 'super-admin',
    query: true,
    success: { status: 200, description: 'One page of keys', schema: 'KeyPage' },
    errors: [400, ...COMMON],
  },
  getAny: {
    operationId: 'getAnyKey',
    summary: 'One key of any tenant',
    tag: 'super-admin',
    success: { status: 200, description: 'The key', schema: 'ApiKey' },
    errors: COMMON,
  },
  revokeAny: {
    operationId: 'revokeAnyKey',
    summary: 'Revoke a key of any tenant',
    tag: 'super-admin',
    success: { status: 204, description: 'Revoked' },
    errors: COMMON,
  },
};

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });

/** The request schemas, narrowed to what this keyring accepts: its scopes, roles and presets as enums. */
function requestSchemas(keyring: Keyring): Record<string, JsonSchema> {
  const schemas = toComponents(
    { CreateKeyRequest: createKeyInputSchema, UpdateKeyRequest: updateKeyInputSchema, ToggleKeyRequest: toggleBodySchema, RotateKeyRequest: rotateBodySchema },
    'input',
  );
  const { vocabulary, presets, roleNames } = policyOf(keyring);
  for (const schema of Object.values(schemas)) {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    // The tenant and the creator come from the session: the handler refuses them in a body.
    for (const field of CALLER_FIELDS) delete properties[field];
    if (Array.isArray(schema.required)) schema.required = schema.required.filter((f: string) => !CALLER_FIELDS.includes(f));
    if (vocabulary && properties.scopes) narrowToEnum(properties.scopes.items as JsonSchema, acceptedScopes(vocabulary));
    if (properties.roles) narrowToEnum(properties.roles.items as JsonSchema, roleNames);
    if (properties.preset) narrowToEnum(properties.preset, Object.keys(presets));
  }
  return schemas;
}

/** `GET /keys` query parameters, one per field of the list query schema. */
function listParameters(): Record<string, unknown> {
  const schema = toJsonSchema(listQuerySchema, 'input');
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(
    Object.entries(properties).map(([name, s]) => {
      const { description, ...rest } = s;
      const param: Record<string, unknown> = { name, in: 'query', required: false, schema: rest };
      if (typeof description === 'string') param.description = description;
      // Lists travel comma-separated: `status=active,paused`.
      if (rest.type === 'array') Object.assign(param, { style: 'form', explode: false });
      return [`list.${name}`, param];
    }),
  );
}

function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ERROR_RESPONSES).map(([status, { name, description, headers }]) => {
      const codes = ADMIN_ERROR_CODES[Number(status)]!;
      const body = z.strictObject({
        error: z.strictObject({ code: z.enum(codes as [string, ...string[]]), message: z.string(), issues: z.array(issueJsonSchema).optional() }),
      });
      return [name, { description, headers: { ...headers, ...NO_STORE }, content: json(toJsonSchema(body, 'output')) }];
    }),
  );
}

function operation(action: AdminAction, tenantScoped: boolean, path: string): Record<string, unknown> {
  const doc = ACTIONS[action];
  const parameters: unknown[] = [];
  if (tenantScoped) parameters.push(ref('parameters', 'tenantId'));
  if (path.includes('{id}')) parameters.push(ref('parameters', 'id'));
  if (doc.query) for (const name of Object.keys(listParameters())) parameters.push(ref('parameters', name));
  const success = doc.success.schema
    ? { description: doc.success.description, headers: NO_STORE, content: json(ref('schemas', doc.success.schema)) }
    : { description: doc.success.description, headers: NO_STORE };
  const responses: Record<string, unknown> = { [doc.success.status]: success };
  for (const status of [...doc.errors].sort()) responses[status] = ref('responses', ERROR_RESPONSES[status]!.name);
  return {
    operationId: tenantScoped ? `${doc.operationId}ForTenant` : doc.operationId,
    summary: doc.summary,
    tags: [tenantScoped ? 'tenants' : doc.tag],
    ...(parameters.length ? { parameters } : {}),
    ...(doc.body ? { requestBody: { required: doc.body.required, content: json(ref('schemas', doc.body.schema)) } } : {}),
    responses,
  };
}

function pathOf(tail: string[]): string {
  return '/' + tail.map((s) => (s === ':id' ? '{id}' : s)).join('/');
}

/**
 * The OpenAPI 3.1 document of the admin API, generated from the zod schemas the handler validates
 * with: every route (the caller's tenant, `/tenants/{tenantId}/…`, the super-admin's `/admin/keys…`),
 * every body and query, every answer with its status and headers, and this keyring's scopes, roles
 * and presets as enums. Serve it, render it with any OpenAPI viewer, or generate clients from it.
 *
 * @example
 * const doc = adminOpenApi(keyring, { basePath: '/admin', title: 'Acme keys' });
 */
export function adminOpenApi(keyring: Keyring, options: AdminOpenApiOptions): OpenApiDocument {
  const basePath = options.basePath === '/' ? '' : options.basePath.replace(/\/+$/, '');
  const paths: OpenApiDocument['paths'] = {};
  for (const route of KEY_ROUTES) {
    for (const tenantScoped of [false, true]) {
      const path = (tenantScoped ? '/tenants/{tenantId}' : '') + pathOf(route.tail);
      paths[path] = Object.fromEntries(Object.entries(route.methods).map(([method, action]) => [method.toLowerCase(), operation(action, tenantScoped, path)]));
    }
  }
  for (const route of SUPER_ROUTES) {
    const path = pathOf(route.tail);
    paths[path] = Object.fromEntries(Object.entries(route.methods).map(([method, action]) => [method.toLowerCase(), operation(action, false, path)]));
  }
  paths['/openapi.json'] = {
    get: {
      operationId: 'getOpenApiDocument',
      summary: 'This document',
      tags: ['meta'],
      responses: {
        200: { description: 'The OpenAPI document of this mount', content: json({ type: 'object' }) },
        401: ref('responses', 'Unauthorized'),
        405: ref('responses', 'MethodNotAllowed'),
      },
    },
  };
  const responseSchemas = toComponents(
    { ApiKey: apiKeyJsonSchema, CreatedKey: createdKeyJsonSchema, RotatedKey: rotatedKeyJsonSchema, KeyPage: keyPageJsonSchema, Error: errorBodyJsonSchema },
    'output',
  );
  const document: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'keysmith admin API',
      version: options.version ?? '1',
      description:
        'Create, list, pause, rotate and revoke API keys. Every route acts on the tenant of the signed-in caller; `/tenants/{tenantId}/…` addresses one tenant (a super-admin any, others only their own) and `/admin/keys…` every tenant (super-admins only). Who is signed in is decided by the application (`authorize`).',
    },
    servers: options.servers ? options.servers.map((s) => ({ ...s, url: s.url.replace(/\/+$/, '') + basePath })) : [{ url: basePath === '' ? '/' : basePath }],
    tags: [
      { name: 'keys', description: "The signed-in caller's own tenant" },
      { name: 'tenants', description: 'One tenant by id (super-admins any, others only their own)' },
      { name: 'super-admin', description: 'Every tenant (super-admins only; others get 403)' },
      { name: 'meta', description: 'This document' },
    ],
    paths,
    components: {
      schemas: { ...responseSchemas, ...requestSchemas(keyring) },
      responses: errorResponses(),
      parameters: {
        tenantId: { name: 'tenantId', in: 'path', required: true, schema: { type: 'string', minLength: 1 } },
        id: { name: 'id', in: 'path', required: true, description: "The key's id", schema: { type: 'string', minLength: 1 } },
        ...listParameters(),
      },
    },
  };
  if (!options.mapping) return document;
  const mapped = mapOpenApi(document, compileMapping(options.mapping));
  mapped.info.description = 'Create, list, pause, rotate and revoke API keys, in the shape of this API. Who is signed in is decided by the application.';
  return mapped;
}
