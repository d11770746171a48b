import { z } from 'zod';
import { KEY_STATUSES, KeysmithError, toFieldIssues, type ApiKeyRecord, type KeyPatch, type ListQuery } from 'keysmith';

/**
 * Checks at the adapter boundary. Every value that ends up in a MongoDB filter must be exactly the
 * type we expect: an object such as `{ $ne: null }` where a string belongs would otherwise become
 * a query operator. A bad value throws `KeysmithError('VALIDATION')` and no query is sent.
 */
const date = z.date().refine((d) => !Number.isNaN(d.getTime()), 'Invalid date');
const text = z.string();
const nullableText = z.string().nullable();

const mcp = z.strictObject({
  enabled: z.boolean(),
  tools: z.strictObject({ mode: z.enum(['all', 'allow', 'deny']), names: z.array(text) }),
  readOnly: z.boolean(),
});
const refill = z.strictObject({ amount: z.number().finite(), interval: z.union([z.enum(['day', 'month']), z.number().finite()]) });
const rateLimit = z.strictObject({ name: text, limit: z.number().finite(), windowMs: z.number().finite(), per: z.enum(['key', 'owner']).optional() });

const patchFields = {
  name: text,
  scopes: z.array(text),
  roles: z.array(text),
  preset: nullableText,
  resources: z.record(text, z.array(text)),
  requireMapping: z.union([z.boolean(), z.array(text)]),
  mcp,
  enabled: z.boolean(),
  expiresAt: date.nullable(),
  ownerId: nullableText,
  ipAllowlist: z.array(text),
  remaining: z.number().finite().nullable(),
  refill: refill.nullable(),
  refilledAt: date.nullable(),
  rateLimits: z.array(rateLimit),
  metadata: z.record(text, z.unknown()),
  updatedAt: date.nullable(),
  supersededBy: nullableText,
};

export const patchSchema = z.strictObject(patchFields).partial();

export const recordSchema = z.strictObject({
  ...patchFields,
  id: text,
  tenantId: text,
  prefix: text,
  preview: text,
  hash: text,
  revokedAt: date.nullable(),
  revokedBy: nullableText,
  createdAt: date,
  createdBy: nullableText,
  lastUsedAt: date.nullable(),
  version: z.int(),
});

export const listQuerySchema = z.object({
  page: z.int().min(1),
  limit: z.int().min(1).max(1000),
  search: text.optional(),
  includeRevoked: z.boolean().optional(),
  includeExpired: z.boolean().optional(),
  status: z.array(z.enum(KEY_STATUSES)).optional(),
  ownerId: text.optional(),
  // The kind becomes part of a field path (`resources.<kind>`): identifiers only, never "$" or ".".
  resource: z.strictObject({ kind: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/), id: text }).optional(),
  now: date.optional(),
});

export const idSchema = text;
export const bySchema = nullableText;
export const dateSchema = date;
export const countSchema = z.int().min(0);
export const versionSchema = z.int().optional();
export const supersessionSchema = z.strictObject({ successorId: text, expiresAt: date, at: date });

/** Parses or throws VALIDATION with zod's issues under `field`. */
export function check<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = toFieldIssues(result.error).map((issue) => ({ ...issue, path: [field, ...issue.path] }));
  throw new KeysmithError('VALIDATION', `Invalid ${field} for the MongoDB key store`, { issues });
}

// Compile-time proof that the schemas describe the core's types (tsc fails if one drifts).
type Assert<T extends true> = T;
type _Checks = [
  Assert<z.infer<typeof recordSchema> extends ApiKeyRecord ? true : false>,
  Assert<ApiKeyRecord extends z.infer<typeof recordSchema> ? true : false>,
  Assert<z.infer<typeof patchSchema> extends KeyPatch ? true : false>,
  Assert<z.infer<typeof listQuerySchema> extends ListQuery ? true : false>,
];
