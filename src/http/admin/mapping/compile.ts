import { KeysmithError } from '../../../errors/errors.js';
import { createKeyInputSchema, updateKeyInputSchema } from '../../../management/validation.js';
import { CALLER_FIELDS } from '../bodies.js';
import type { AdminAction } from '../routes.js';
import { apiKeyJsonSchema } from '../wire.js';
import type { AdminMapping, FieldWrites, JsonValue, KeyPath, ListParam, MappedField, MappedQueryParam, MappedRoute, WireCodec } from './types.js';

/** One wire field, checked: where it reads and writes, and in which answers it appears. */
export interface CompiledField {
  wire: string;
  /** The keysmith path; null for a constant. */
  path: string[] | null;
  constant?: JsonValue;
  default?: JsonValue;
  empty?: string | number | boolean;
  codec?: WireCodec;
  /** The actions whose bodies accept it. */
  writes: ReadonlySet<'create' | 'update'>;
  /** The actions whose answers carry it; null: every answer. */
  in: ReadonlySet<AdminAction> | null;
  description?: string;
}

/** One route segment: literal text, or the key id / tenant parameter. */
type Segment = { literal: string } | { param: 'id' | 'tenant' };

export interface CompiledRoute {
  action: AdminAction;
  method: string;
  segments: Segment[];
  route: MappedRoute;
}

export interface CompiledMapping {
  fields: CompiledField[];
  routes: CompiledRoute[];
  params: { id: string; tenant: string };
  query: [string, MappedQueryParam][] | null;
  list: { items: string; total: string | false; page: string | false; limit: string | false };
  created: { key: string | false; token: string };
  unknownFields: 'reject' | 'ignore';
  hideRevoked: boolean;
}

const ACTIONS: readonly AdminAction[] = ['list', 'create', 'get', 'update', 'revoke', 'toggle', 'rotate', 'listAll', 'getAny', 'revokeAny'];
const WITH_ID: ReadonlySet<AdminAction> = new Set(['get', 'update', 'revoke', 'toggle', 'rotate', 'getAny', 'revokeAny']);
const SUPER: ReadonlySet<AdminAction> = new Set(['listAll', 'getAny', 'revokeAny']);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
const LIST_PARAMS: readonly ListParam[] = ['page', 'limit', 'search', 'status', 'includeRevoked', 'includeExpired', 'resource', 'ownerId'];
const READABLE = new Set(Object.keys(apiKeyJsonSchema.shape));
const CREATE_FIELDS = new Set(Object.keys(createKeyInputSchema.shape).filter((f) => !CALLER_FIELDS.includes(f)));
const UPDATE_FIELDS = new Set(Object.keys(updateKeyInputSchema.shape));
const MCP_PATHS = new Set(['mcp', 'mcp.enabled', 'mcp.readOnly', 'mcp.tools', 'mcp.tools.mode', 'mcp.tools.names']);
const NAME = /^[A-Za-z_$][A-Za-z0-9_$.-]{0,63}$/;

/** `createdAt` → `created_at`. */
const snakeCase = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const fail = (message: string): never => {
  throw new KeysmithError('CONFIG', `mapping: ${message}`);
};

/** `'mcp.tools.mode'` → `['mcp', 'tools', 'mode']`; a resource kind or metadata entry is one segment after its field. */
function splitPath(path: string): string[] {
  const dot = path.indexOf('.');
  if (dot === -1) return [path];
  const top = path.slice(0, dot);
  return top === 'mcp' ? path.split('.') : [top, path.slice(dot + 1)];
}

function checkPath(wire: string, from: string): string[] {
  const path = splitPath(from);
  const top = path[0]!;
  const known = READABLE.has(top) || CREATE_FIELDS.has(top) || UPDATE_FIELDS.has(top);
  const ok =
    known &&
    (path.length === 1 ||
      (top === 'mcp' && MCP_PATHS.has(from)) ||
      (top === 'resources' && /^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(path[1]!)) ||
      (top === 'metadata' && path[1]!.length > 0 && !['__proto__', 'constructor', 'prototype'].includes(path[1]!)));
  if (!ok) fail(`field ${JSON.stringify(wire)} maps to unknown key field ${JSON.stringify(from)}`);
  return path;
}

function writesOf(top: string, writes: FieldWrites | undefined): Set<'create' | 'update'> {
  const out = new Set<'create' | 'update'>();
  if (writes === false) return out;
  if (CREATE_FIELDS.has(top) && (writes === undefined || writes === true || writes === 'create')) out.add('create');
  if (UPDATE_FIELDS.has(top) && (writes === undefined || writes === true || writes === 'update')) out.add('update');
  return out;
}

function compileField(wire: string, spec: MappedField): CompiledField {
  if (!NAME.test(wire)) fail(`field name ${JSON.stringify(wire)} is not a plain identifier`);
  if (typeof spec === 'string') return { wire, path: checkPath(wire, spec), writes: writesOf(splitPath(spec)[0]!, undefined), in: null };
  if (typeof spec !== 'object' || spec === null) return fail(`field ${JSON.stringify(wire)}: expected a key path or { from } or { const }`);
  const only = spec.in
    ? new Set(spec.in.map((a) => (ACTIONS.includes(a) ? a : fail(`field ${JSON.stringify(wire)}: unknown action ${JSON.stringify(a)} in "in"`))))
    : null;
  if ('const' in spec) return { wire, path: null, constant: spec.const, writes: new Set(), in: only, description: spec.description };
  const path = checkPath(wire, spec.from);
  const codec = spec.codec;
  if (codec && (typeof codec.read !== 'function' || typeof codec.write !== 'function' || typeof codec.schema?.safeParse !== 'function'))
    fail(`field ${JSON.stringify(wire)}: a codec needs schema, read and write`);
  return {
    wire,
    path,
    default: spec.default,
    empty: spec.empty,
    codec,
    writes: writesOf(path[0]!, spec.writes),
    in: only,
    description: spec.description,
  };
}

function compileRoute(action: AdminAction, route: MappedRoute, params: CompiledMapping['params']): CompiledRoute {
  const where = `route ${action}`;
  if (!ACTIONS.includes(action)) fail(`unknown action ${JSON.stringify(action)}`);
  if (!METHODS.has(route?.method)) fail(`${where}: method must be one of ${[...METHODS].join(', ')}`);
  if (typeof route.path !== 'string' || !route.path.startsWith('/')) fail(`${where}: path must start with "/"`);
  const parts = route.path.split('/').filter((p) => p !== '');
  const segments: Segment[] = parts.map((p) => {
    if (!p.startsWith(':')) return { literal: p };
    const name = p.slice(1);
    if (name === params.id) return { param: 'id' };
    if (name === params.tenant) return { param: 'tenant' };
    return fail(`${where}: unknown parameter ":${name}" (the key id is ":${params.id}", the tenant ":${params.tenant}")`);
  });
  const count = (param: 'id' | 'tenant') => segments.filter((s) => 'param' in s && s.param === param).length;
  if (count('id') !== (WITH_ID.has(action) ? 1 : 0)) fail(`${where}: ${WITH_ID.has(action) ? 'needs' : 'takes no'} ":${params.id}"`);
  if (count('tenant') > (SUPER.has(action) ? 0 : 1))
    fail(`${where}: ${SUPER.has(action) ? 'acts across tenants, so takes no tenant' : 'has more than one tenant'}`);
  if (route.status !== undefined && !(Number.isInteger(route.status) && route.status >= 200 && route.status <= 299))
    fail(`${where}: status must be a 2xx code`);
  if (route.target !== undefined && (action !== 'toggle' || !['key', 'mcp'].includes(route.target)))
    fail(`${where}: target is for toggle only ('key' or 'mcp')`);
  if (route.soft !== undefined && action !== 'revoke') fail(`${where}: soft is for revoke only`);
  return { action, method: route.method, segments, route };
}

function compileQuery(query: AdminMapping['query']): CompiledMapping['query'] {
  if (query === undefined) return null;
  return Object.entries(query).map(([wire, spec]) => {
    const param = typeof spec === 'string' ? { to: spec } : spec;
    if (!LIST_PARAMS.includes(param?.to)) fail(`query ${JSON.stringify(wire)}: "to" must be one of ${LIST_PARAMS.join(', ')}`);
    return [wire, param];
  });
}

/**
 * Checks a mapping once, when the admin API is built, and prepares it for requests.
 * @throws KeysmithError CONFIG naming the first problem
 */
export function compileMapping(mapping: AdminMapping): CompiledMapping {
  if (typeof mapping !== 'object' || mapping === null) fail('expected an object');
  const params = { id: mapping.params?.id ?? 'id', tenant: mapping.params?.tenant ?? 'tenantId' };
  if (params.id === params.tenant) fail('params.id and params.tenant must differ');
  const routes = Object.entries(mapping.routes ?? {}).map(([action, route]) => compileRoute(action as AdminAction, route, params));
  if (routes.length === 0) fail('routes: map at least one action');
  const shapes = routes.map((r) => `${r.method} ${r.segments.map((s) => ('literal' in s ? s.literal : ':')).join('/')}`);
  const twice = shapes.find((s, i) => shapes.indexOf(s) !== i);
  if (twice) fail(`two routes answer ${twice}`);
  if (mapping.case !== undefined && mapping.case !== 'camel' && mapping.case !== 'snake') fail("case must be 'camel' or 'snake'");
  const kept = (mapping.keep ?? []).map((from): [string, KeyPath] => [mapping.case === 'snake' ? snakeCase(from) : from, from]);
  const fields = [...kept, ...Object.entries(mapping.fields ?? {})].map(([wire, spec]) => compileField(wire, spec));
  if (fields.length === 0) fail('fields: map at least one field');
  const names = fields.map((f) => f.wire);
  const twiceNamed = names.find((n, i) => names.indexOf(n) !== i);
  if (twiceNamed) fail(`two fields are named ${JSON.stringify(twiceNamed)}`);
  if (routes.some((r) => r.action === 'create') && !fields.some((f) => f.path?.length === 1 && f.path[0] === 'name' && f.writes.has('create')))
    fail('a create route needs a field for "name" (every key has one)');
  const created = { key: mapping.created?.key ?? 'key', token: mapping.created?.token ?? 'token' };
  if (created.key === false && fields.some((f) => f.wire === created.token)) fail(`created.token ${JSON.stringify(created.token)} is also a field name`);
  const list = { items: 'items', total: 'total' as string | false, page: 'page' as string | false, limit: 'limit' as string | false, ...mapping.list };
  return {
    fields,
    routes,
    params,
    query: compileQuery(mapping.query),
    list,
    created,
    unknownFields: mapping.unknownFields ?? 'reject',
    hideRevoked: mapping.hideRevoked === true,
  };
}
