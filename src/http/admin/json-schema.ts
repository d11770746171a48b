import { z } from 'zod';
import { covers, isValidScope } from '../../permissions/scopes.js';
import { MAX_METADATA_BYTES, metadataSchema } from '../../management/validation.js';

/** A JSON Schema (2020-12, the dialect of OpenAPI 3.1) as plain data. */
export type JsonSchema = { [keyword: string]: unknown };

/** Marks a branch no JSON value can take (a JS `Date`): dropped by `simplify`. */
const NEVER = 'x-keysmith-never';

type Override = NonNullable<NonNullable<Parameters<typeof z.toJSONSchema>[1]>['override']>;
type Ctx = Parameters<Override>[0];

function defOf(schema: unknown): { type: string; in?: unknown; out?: unknown } {
  return (schema as { _zod: { def: { type: string; in?: unknown; out?: unknown } } })._zod.def;
}

/**
 * What zod cannot say in JSON Schema by itself, said once for every schema keysmith validates with:
 * a `Date` input cannot arrive as JSON (only its ISO string branch stays), metadata is a JSON object
 * of bounded size, and a preprocessed value (`status=active,paused`) is documented as what it must
 * become.
 */
function override(io: 'input' | 'output'): Override {
  return (ctx: Ctx) => {
    const def = defOf(ctx.zodSchema);
    const js = ctx.jsonSchema as JsonSchema;
    if (ctx.zodSchema === metadataSchema) {
      for (const k of Object.keys(js)) delete js[k];
      Object.assign(js, {
        type: 'object',
        description: `Your own JSON data, at most ${MAX_METADATA_BYTES} bytes (no "__proto__", "constructor" or "prototype" keys)`,
      });
    } else if (def.type === 'date') {
      js[NEVER] = true;
    } else if (def.type === 'pipe' && io === 'input' && def.in && defOf(def.in).type === 'transform') {
      for (const k of Object.keys(js)) delete js[k];
      Object.assign(js, toJsonSchema(def.out as z.ZodType, 'input'));
    }
  };
}

/** Drops never-branches from `anyOf` (one left: inlined) and the per-schema `$schema`/`$id`. */
function simplify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(simplify);
  if (typeof value !== 'object' || value === null) return value;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(value)) if (k !== '$schema' && k !== '$id') out[k] = simplify(v);
  if (Array.isArray(out.anyOf)) {
    const branches = (out.anyOf as JsonSchema[]).filter((b) => b[NEVER] !== true);
    if (branches.length === 1 && Object.keys(out).length === 1) return branches[0];
    out.anyOf = branches;
  }
  return out;
}

/** The JSON Schema of one zod schema as JSON sends it (`input`: what a request may hold; `output`: what a response holds). */
export function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  return simplify(z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', override: override(io) })) as JsonSchema;
}

/** Several schemas at once, as `#/components/schemas/<name>` (shared ones referenced, not repeated). */
export function toComponents(schemas: Record<string, z.ZodType>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: out } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    override: override(io),
    uri: (id) => `#/components/schemas/${id}`,
  });
  return simplify(out) as Record<string, JsonSchema>;
}

/**
 * Every wildcard the keyring accepts with this vocabulary: `*`, and each pattern that covers at
 * least one scope of it (`docs:*`, `*:read`, …), as `Policy.scopeIssues` decides.
 */
export function acceptedScopes(vocabulary: readonly string[]): string[] {
  const out = new Set<string>(vocabulary);
  out.add('*');
  for (const scope of vocabulary) {
    const segments = scope.split(':');
    if (segments.length > 8) continue;
    for (let length = 1; length <= segments.length; length++) {
      const trailing = length < segments.length;
      for (let mask = 0; mask < 1 << length; mask++) {
        const parts = segments.slice(0, length).map((s, i) => (mask & (1 << i) ? '*' : s));
        const pattern = trailing ? [...parts, '*'].join(':') : parts.join(':');
        if (isValidScope(pattern) && covers(pattern, scope)) out.add(pattern);
      }
    }
  }
  return [...out].sort();
}

/** Narrows a string schema (or the string branch of a nullable one) to `values`. */
export function narrowToEnum(schema: JsonSchema | undefined, values: readonly string[]): void {
  if (!schema) return;
  if (Array.isArray(schema.anyOf)) {
    for (const branch of schema.anyOf as JsonSchema[]) if (branch.type === 'string') narrowToEnum(branch, values);
    return;
  }
  for (const k of Object.keys(schema)) if (k !== 'description') delete schema[k];
  if (values.length === 0) schema.not = {};
  else Object.assign(schema, { type: 'string', enum: [...values] });
}
