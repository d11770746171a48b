import { z } from 'zod';
import { KeysmithError, shown, type FieldIssue } from '../errors/errors.js';
import { isValidRange } from '../verify/ip.js';
import { isValidScope } from '../permissions/scopes.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A UTF-16 surrogate without its pair: not Unicode, so PostgreSQL jsonb refuses it and text and BSON silently replace it. */
const LONE_SURROGATE = /\p{Cs}/u;
const NOT_UNICODE = 'Must be valid Unicode (no unpaired surrogates)';
/** The latest instant every store can hold and every ISO consumer reads: 9999-12-31T23:59:59.999Z. */
export const MAX_DATE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** PostgreSQL's `integer`, the type of the version column. */
export const MAX_VERSION = 2_147_483_647;

/** Text every store keeps exactly as given: no NUL, no unpaired surrogate. */
function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/**
 * Could `value` be a key's or a tenant's id? 1 to 256 characters, no control character, valid
 * Unicode. Anything else names no key, so it is answered "not found" without asking the store.
 */
export function isPlausibleId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 256 && !/[\u0000-\u001f\u007f]/.test(value) && !LONE_SURROGATE.test(value);
}
export const MAX_METADATA_BYTES = 4096;
const MAX_METADATA_DEPTH = 8;

/** Finds the first reason `value` is not plain JSON data. */
function jsonProblem(value: unknown, depth: number): string | null {
  if (depth > MAX_METADATA_DEPTH) return `nests deeper than ${MAX_METADATA_DEPTH} levels`;
  if (typeof value === 'string')
    return value.includes('\u0000') ? 'contains a NUL character' : LONE_SURROGATE.test(value) ? 'contains an unpaired surrogate (not valid Unicode)' : null;
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'contains a non-finite number';
  if (Array.isArray(value)) {
    for (const item of value) {
      const problem = jsonProblem(item, depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return 'contains a value that is not plain JSON';
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) return `uses the forbidden key "${key}"`;
      if (key.includes('\u0000')) return 'has a key with a NUL character';
      if (LONE_SURROGATE.test(key)) return 'has a key with an unpaired surrogate (not valid Unicode)';
      const problem = jsonProblem((value as Record<string, unknown>)[key], depth + 1);
      if (problem) return problem;
    }
    return null;
  }
  return 'contains a value that is not plain JSON';
}

/** Checked on the raw input: a record schema would rebuild the object and hide an own `__proto__` key. */
export const metadataSchema = z.custom<Record<string, unknown>>().superRefine((value, ctx) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    ctx.addIssue({ code: 'custom', message: 'Metadata must be a JSON object' });
    return;
  }
  const problem = jsonProblem(value, 0);
  if (problem) {
    ctx.addIssue({ code: 'custom', message: `Metadata ${problem}` });
    return;
  }
  if (new TextEncoder().encode(JSON.stringify(value)).length > MAX_METADATA_BYTES) {
    ctx.addIssue({ code: 'custom', message: `Metadata is larger than ${MAX_METADATA_BYTES} bytes` });
  }
});

const unicode = (value: string) => !LONE_SURROGATE.test(value);
export const idString = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[^\u0000-\u001f]*$/, 'Must not contain control characters')
  .refine(unicode, NOT_UNICODE);
/** Free text: any character but NUL, which PostgreSQL text and jsonb cannot hold. */
const plainText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .regex(/^[^\u0000]*$/, 'Must not contain NUL characters')
    .refine(unicode, NOT_UNICODE);
const itemString = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\u0000-\u001f]*$/, 'Must not contain control characters')
    .refine(unicode, NOT_UNICODE);
/** Free search text: no NUL, valid Unicode. */
export const searchText = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[^\u0000]*$/, 'Must not contain NUL characters')
    .refine(unicode, NOT_UNICODE);
const scopeSchema = z.string().refine(isValidScope, 'Not a valid scope (letters, digits, _ . - and * segments joined by ":")');
export const resourceKind = z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'Resource kinds are identifiers');
const dateInput = z
  .union([z.date(), z.iso.datetime({ offset: true }).transform((s) => new Date(s))])
  .refine((d) => !Number.isNaN(d.getTime()), 'Invalid date')
  .refine((d) => d.getTime() <= MAX_DATE_MS, 'Must be no later than 9999-12-31');

const mcpInputSchema = z.strictObject({
  enabled: z.boolean().optional(),
  tools: z.strictObject({ mode: z.enum(['all', 'allow', 'deny']), names: z.array(itemString(128)).max(200) }).optional(),
  readOnly: z.boolean().optional(),
});

const rateLimitSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'Limit names are identifiers'),
  limit: z.int().positive().max(1e9),
  windowMs: z
    .int()
    .min(1000)
    .max(366 * 86_400_000),
  per: z.enum(['key', 'owner']).optional(),
});

const refillSchema = z.strictObject({
  amount: z.int().positive().max(1e12),
  interval: z.union([z.enum(['day', 'month']), z.int().min(1000)]),
});

const permissionFields = {
  scopes: z.array(scopeSchema).max(200).optional(),
  roles: z.array(itemString(64)).max(50).optional(),
  resources: z.record(resourceKind, z.array(itemString(256)).max(1000)).optional(),
  /** Fail closed for this key: `true` for every resource kind, or the kinds listed. */
  requireMapping: z.union([z.boolean(), z.array(resourceKind).max(50)]).optional(),
  mcp: mcpInputSchema.optional(),
};

const DURATION_MESSAGE = 'Use a duration such as "7d", "30d", "12h" or milliseconds';
/** Exactly what `parseDuration` accepts, as schemas (so the OpenAPI document says it too): 1 to 6 digits (not all zero) and a unit, or positive milliseconds. */
const expiresInSchema = z.union([z.string().regex(/^(?=\d{1,6}[smhdwy]$)0*[1-9]\d*[smhdwy]$/, DURATION_MESSAGE), z.int().positive(DURATION_MESSAGE)], {
  error: DURATION_MESSAGE,
});

const limitFields = {
  ipAllowlist: z.array(z.string().refine(isValidRange, 'Not an IPv4/IPv6 address or CIDR')).max(100).optional(),
  remaining: z.int().min(0).max(1e12).nullable().optional(),
  refill: refillSchema.nullable().optional(),
  rateLimits: z
    .array(rateLimitSchema)
    .max(10)
    .refine((list) => new Set(list.map((l) => l.name)).size === list.length, 'Rate limit names must be unique')
    .optional(),
};

/** The keyring option `createDefaults`: permission fields, a preset and an expiry. */
export const createDefaultsSchema = z.strictObject({
  ...permissionFields,
  preset: itemString(64).optional(),
  expiresIn: expiresInSchema.optional(),
});

/** Input of `keyring.create` (the `actor` option is taken out before validation). */
export const createKeyInputSchema = z
  .strictObject({
    tenantId: idString,
    name: plainText(1, 120),
    preset: itemString(64).optional(),
    ...permissionFields,
    expiresAt: dateInput.nullable().optional(),
    expiresIn: expiresInSchema.optional(),
    ownerId: idString.nullable().optional(),
    ...limitFields,
    metadata: metadataSchema.optional(),
    createdBy: idString.nullable().optional(),
  })
  .refine((v) => v.expiresAt == null || v.expiresIn === undefined, { message: 'Give expiresAt or expiresIn, not both', path: ['expiresIn'] });

/**
 * Input of `keyring.update`: every field optional; `version` makes the update optimistic.
 * `expiresIn` counts from the moment of the update, like create's.
 */
export const updateKeyInputSchema = z
  .strictObject({
    name: plainText(1, 120).optional(),
    preset: itemString(64).nullable().optional(),
    ...permissionFields,
    expiresAt: dateInput.nullable().optional(),
    expiresIn: expiresInSchema.optional(),
    ownerId: idString.nullable().optional(),
    ...limitFields,
    enabled: z.boolean().optional(),
    metadata: metadataSchema.optional(),
    version: z.int().min(1).max(MAX_VERSION).optional(),
  })
  .refine((v) => v.expiresAt === undefined || v.expiresIn === undefined, { message: 'Give expiresAt or expiresIn, not both', path: ['expiresIn'] });

/** zod's issues as field issues. Unknown field names are echoed only when they cannot be secrets. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: issue.code === 'unrecognized_keys' ? `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map(shown).join(', ')}` : issue.message,
    code: issue.code,
  }));
}

/** Parses with `schema` or throws `KeysmithError('VALIDATION')` carrying zod's field issues. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw validationError(toFieldIssues(result.error));
  return result.data;
}

/** `KeysmithError('VALIDATION')` with these field issues: the one shape of every validation error. */
export function validationError(issues: FieldIssue[]): KeysmithError {
  return new KeysmithError('VALIDATION', 'Invalid input', { issues });
}
