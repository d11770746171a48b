import { toJsonSchema, type JsonSchema } from '../json-schema.js';
import { KEY_ROUTES, SUPER_ROUTES, type AdminAction } from '../routes.js';
import type { CompiledField, CompiledMapping } from './compile.js';

/** The parts of an OpenAPI document this file reads and writes (the full type is `OpenApiDocument`). */
interface Document {
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; responses: Record<string, unknown>; parameters: Record<string, unknown> };
}

const DEFAULT_STATUS: Partial<Record<AdminAction, number>> = { create: 201, rotate: 201, revoke: 204, revokeAny: 204 };
const json = (schema: unknown) => ({ 'application/json': { schema } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Each action's operation in the canonical document: its method and path there. */
function canonicalOperations(base: Document): Map<AdminAction, Record<string, unknown>> {
  const out = new Map<AdminAction, Record<string, unknown>>();
  for (const route of [...KEY_ROUTES, ...SUPER_ROUTES]) {
    const path = `/${route.tail.map((s) => (s === ':id' ? '{id}' : s)).join('/')}`;
    for (const [method, action] of Object.entries(route.methods)) out.set(action, base.paths[path]![method.toLowerCase()] as Record<string, unknown>);
  }
  return out;
}

/** The schema at a key path inside an object schema (a resource kind: the record's value schema). */
function schemaAt(root: JsonSchema | undefined, path: readonly string[]): JsonSchema {
  let at = root;
  for (const segment of path) {
    if (!at) break;
    const object = Array.isArray(at.anyOf) ? (at.anyOf as JsonSchema[]).find((b) => b.type === 'object') : at;
    const properties = object?.properties as Record<string, JsonSchema> | undefined;
    at = properties?.[segment] ?? (typeof object?.additionalProperties === 'object' ? (object.additionalProperties as JsonSchema) : {});
  }
  return structuredClone(at ?? {});
}

function fieldSchema(field: CompiledField, root: JsonSchema | undefined, io: 'input' | 'output'): JsonSchema {
  let schema: JsonSchema;
  if (field.path === null) schema = { const: field.constant };
  else if (field.codec) schema = toJsonSchema(field.codec.schema, io);
  else schema = schemaAt(root, field.path);
  if (field.empty !== undefined) {
    // The empty value stands for null both ways.
    const branches = Array.isArray(schema.anyOf) ? (schema.anyOf as JsonSchema[]).filter((b) => b.type !== 'null') : [schema];
    schema = { anyOf: [...branches, { const: field.empty }] };
  }
  if (field.default !== undefined && io === 'output') schema.default = field.default;
  if (field.description) schema.description = field.description;
  return schema;
}

/** The key object of `action`'s answers: exactly the fields that answer carries. */
function keySchema(mapping: CompiledMapping, apiKey: JsonSchema | undefined, action: AdminAction, token?: string): JsonSchema {
  const fields = mapping.fields.filter((f) => (!f.in || f.in.has(action)) && (f.path === null || f.path[0] !== 'expiresIn'));
  const properties: Record<string, JsonSchema> = Object.fromEntries(fields.map((f) => [f.wire, fieldSchema(f, apiKey, 'output')]));
  if (token) properties[token] = { type: 'string', description: 'The plaintext token. Shown once: store it now, it cannot be read again.' };
  return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
}

function requestSchema(mapping: CompiledMapping, canonical: JsonSchema | undefined, action: 'create' | 'update'): JsonSchema {
  const fields = mapping.fields.filter((f) => f.writes.has(action));
  const required = ((canonical?.required as string[] | undefined) ?? []).filter((name) => name !== 'tenantId');
  const schema: JsonSchema = {
    type: 'object',
    properties: Object.fromEntries(fields.map((f) => [f.wire, fieldSchema(f, canonical, 'input')])),
    required: fields.filter((f) => !f.codec && f.path?.length === 1 && required.includes(f.path[0]!)).map((f) => f.wire),
  };
  if (mapping.unknownFields === 'reject') schema.additionalProperties = false;
  return schema;
}

function answerSchema(mapping: CompiledMapping, apiKey: JsonSchema | undefined, action: AdminAction): JsonSchema {
  if (action === 'list' || action === 'listAll') {
    const { items, total, page, limit } = mapping.list;
    const properties: Record<string, JsonSchema> = { [items]: { type: 'array', items: keySchema(mapping, apiKey, action) } };
    if (total !== false) properties[total] = { type: 'integer', minimum: 0, description: 'Keys matching the query, over all pages' };
    if (page !== false) properties[page] = { type: 'integer', minimum: 1 };
    if (limit !== false) properties[limit] = { type: 'integer', minimum: 1 };
    return { type: 'object', properties, required: Object.keys(properties), additionalProperties: false };
  }
  if (action === 'create' || action === 'rotate') {
    const { key, token } = mapping.created;
    const schema =
      key === false
        ? keySchema(mapping, apiKey, action, token)
        : {
            type: 'object',
            properties: { [key]: keySchema(mapping, apiKey, action), [token]: { type: 'string', description: 'The plaintext token. Shown once.' } },
            required: [key, token],
            additionalProperties: false,
          };
    if (action === 'rotate') {
      (schema.properties as Record<string, JsonSchema>).previous = keySchema(mapping, apiKey, action);
      (schema.required as string[]).push('previous');
    }
    return schema;
  }
  return keySchema(mapping, apiKey, action);
}

function queryParameters(mapping: CompiledMapping, base: Document): unknown[] {
  const canonical = (to: string) => base.components.parameters[`list.${to}`] as { schema: JsonSchema; description?: string };
  if (mapping.query === null)
    return Object.keys(base.components.parameters)
      .filter((n) => n.startsWith('list.'))
      .map((n) => ({ $ref: `#/components/parameters/${n}` }));
  return mapping.query.map(([name, spec]) => {
    const schema: JsonSchema = spec.values ? { type: 'string', enum: Object.keys(spec.values) } : structuredClone(canonical(spec.to).schema);
    if (spec.default !== undefined) schema.default = spec.default;
    const notes = [spec.description ?? canonical(spec.to).description, spec.ignore?.length ? `${spec.ignore.join(', ')}: as if not given` : undefined];
    const description = notes.filter(Boolean).join('. ');
    return { name, in: 'query', required: false, schema, ...(description ? { description } : {}) };
  });
}

/**
 * The admin API's OpenAPI document redrawn for a mapping: the mapped routes with their parameter
 * names, bodies and answers in wire names, and the same error answers. Schemas of the canonical
 * shape that the mapping does not use are left out.
 */
export function mapOpenApi<D extends Document>(base: D, mapping: CompiledMapping): D {
  const operations = canonicalOperations(base);
  const {
    ApiKey: apiKey,
    CreateKeyRequest: create,
    UpdateKeyRequest: update,
    Error: error,
    ToggleKeyRequest: toggle,
    RotateKeyRequest: rotate,
  } = base.components.schemas;
  const schemas: Record<string, JsonSchema> = { Error: error! };
  const paths: Document['paths'] = { '/openapi.json': base.paths['/openapi.json']! };
  for (const { action, method, segments, route } of mapping.routes) {
    const canonical = operations.get(action)!;
    const name = String(canonical.operationId).replace(/^./, (c) => c.toUpperCase());
    const path = `/${segments.map((s) => ('literal' in s ? s.literal : `{${s.param === 'id' ? mapping.params.id : mapping.params.tenant}}`)).join('/')}`;
    const parameters: unknown[] = segments.flatMap((s) =>
      'param' in s
        ? [
            {
              name: s.param === 'id' ? mapping.params.id : mapping.params.tenant,
              in: 'path',
              required: true,
              description: s.param === 'id' ? "The key's id" : 'The tenant (a super-admin any, others only their own)',
              schema: { type: 'string', minLength: 1 },
            },
          ]
        : [],
    );
    if (action === 'list' || action === 'listAll') parameters.push(...queryParameters(mapping, base));
    let requestBody: unknown;
    if (action === 'create' || action === 'update') {
      schemas[`${name}Request`] = requestSchema(mapping, action === 'create' ? create : update, action);
      requestBody = { required: true, content: json(ref(`${name}Request`)) };
    } else if (action === 'toggle' || action === 'rotate') {
      schemas[action === 'toggle' ? 'ToggleKeyRequest' : 'RotateKeyRequest'] = (action === 'toggle' ? toggle : rotate)!;
      requestBody = (canonical as { requestBody?: unknown }).requestBody;
    }
    const status = route.status ?? DEFAULT_STATUS[action] ?? 200;
    const { [String(DEFAULT_STATUS[action] ?? 200)]: success, ...errors } = canonical.responses as Record<string, { description: string; headers?: unknown }>;
    let content: unknown;
    if (route.body !== undefined) content = json({ const: route.body });
    else if (status !== 204 && action !== 'revoke' && action !== 'revokeAny') {
      schemas[`${name}Answer`] = answerSchema(mapping, apiKey, action);
      content = json(ref(`${name}Answer`));
    }
    const operation: Record<string, unknown> = {
      ...canonical,
      parameters,
      responses: { [status]: { description: success!.description, headers: success!.headers, ...(content ? { content } : {}) }, ...errors },
    };
    if (requestBody) operation.requestBody = requestBody;
    else delete operation.requestBody;
    if (parameters.length === 0) delete operation.parameters;
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation };
  }
  const parameters = mapping.query === null ? Object.fromEntries(Object.entries(base.components.parameters).filter(([n]) => n.startsWith('list.'))) : {};
  return { ...base, paths, components: { ...base.components, schemas, parameters } };
}
