import { z } from 'zod';
import type { ApiKeyView } from '../../store/record.js';
import { KEY_STATUSES } from '../../store/status.js';
import { jsonAnswer, type HttpAnswer } from '../answer.js';

/**
 * What the admin API sends, as zod schemas: the OpenAPI document is generated from them, the
 * handler's output is typed by them (`keyJson`), and `keysmith/client` takes its types from them.
 * Dates travel as ISO 8601 strings (UTC, milliseconds), the hash never.
 */
const isoDate = z.iso.datetime();

const mcpLimitsJsonSchema = z.strictObject({
  enabled: z.boolean(),
  tools: z.strictObject({ mode: z.enum(['all', 'allow', 'deny']), names: z.array(z.string()) }),
  readOnly: z.boolean(),
});

/** A key as the admin API shows it: the stored record without its hash. */
export const apiKeyJsonSchema = z
  .strictObject({
    id: z.string(),
    tenantId: z.string(),
    name: z.string(),
    prefix: z.string(),
    preview: z.string().describe('Prefix, id and the first secret characters, then "…": safe to show and log'),
    scopes: z.array(z.string()),
    roles: z.array(z.string()),
    preset: z.string().nullable(),
    resources: z.record(z.string(), z.array(z.string())),
    requireMapping: z.union([z.boolean(), z.array(z.string())]).describe('Resource kinds where an empty list denies for this key; true for every kind'),
    mcp: mcpLimitsJsonSchema,
    enabled: z.boolean().describe('false while paused'),
    expiresAt: isoDate.nullable(),
    revokedAt: isoDate.nullable(),
    revokedBy: z.string().nullable(),
    createdAt: isoDate,
    createdBy: z.string().nullable(),
    updatedAt: isoDate.nullable(),
    lastUsedAt: isoDate.nullable(),
    ownerId: z.string().nullable(),
    ipAllowlist: z.array(z.string()),
    remaining: z.int().nullable().describe('Usage credits left; null = unlimited'),
    refill: z.strictObject({ amount: z.int(), interval: z.union([z.enum(['day', 'month']), z.int()]) }).nullable(),
    refilledAt: isoDate.nullable(),
    rateLimits: z.array(z.strictObject({ name: z.string(), limit: z.int(), windowMs: z.int(), per: z.enum(['key', 'owner']).optional() })),
    metadata: z.record(z.string(), z.unknown()),
    supersededBy: z.string().nullable().describe('The key that replaced this one in a rotation (its expiry then only moves earlier); null otherwise'),
    version: z.int().min(1).describe('Bumped on every change; send it back for optimistic concurrency'),
    status: z.enum(KEY_STATUSES).describe('Derived when the answer was made: revoked, else expired, else paused, else active'),
  })
  .describe('An API key, redacted: the hash is never sent.');

/** `POST /keys`: the key and its plaintext token, shown this once. */
export const createdKeyJsonSchema = z.strictObject({
  key: apiKeyJsonSchema,
  token: z.string().describe('The plaintext token. Shown once: store it now, it cannot be read again.'),
});

/** `POST /keys/:id/rotate`: the new key with its token, and the old key with its shortened expiry. */
export const rotatedKeyJsonSchema = z.strictObject({
  key: apiKeyJsonSchema,
  token: z.string().describe('The new plaintext token. Shown once.'),
  previous: apiKeyJsonSchema.describe('The old key: valid until the end of its grace period'),
});

/** `GET /keys`: one page of keys. */
export const keyPageJsonSchema = z.strictObject({
  items: z.array(apiKeyJsonSchema),
  total: z.int().min(0).describe('Keys matching the query, over all pages'),
  page: z.int().min(1),
  limit: z.int().min(1),
});

/** One field problem: where (`path`) and what (`message`). */
export const issueJsonSchema = z.strictObject({ path: z.array(z.union([z.string(), z.int()])), message: z.string() });

/** The body of every error the admin API answers. `code` is stable, `message` plain English. */
export const errorBodyJsonSchema = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    issues: z.array(issueJsonSchema).optional().describe('Field issues (400 VALIDATION, 403 ESCALATION)'),
  }),
});

export type ApiKeyJson = z.output<typeof apiKeyJsonSchema>;
export type CreatedKeyJson = z.output<typeof createdKeyJsonSchema>;
export type RotatedKeyJson = z.output<typeof rotatedKeyJsonSchema>;
export type KeyPageJson = z.output<typeof keyPageJsonSchema>;
export type ErrorBodyJson = z.output<typeof errorBodyJsonSchema>;

/** Compile-time guard: a field added to `ApiKeyView` must be added to `apiKeyJsonSchema` (and the other way round). */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { missing: Exclude<keyof A, keyof B>; extra: Exclude<keyof B, keyof A> };
const sameFields: SameKeys<ApiKeyView, ApiKeyJson> = true;
void sameFields;

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

/** A key as the admin API sends it (what `JSON.stringify` makes of it, typed by the schema). */
export function keyJson(key: ApiKeyView): ApiKeyJson {
  return {
    ...key,
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
    createdAt: key.createdAt.toISOString(),
    updatedAt: iso(key.updatedAt),
    lastUsedAt: iso(key.lastUsedAt),
    refilledAt: iso(key.refilledAt),
  };
}

/** 200 with one key. */
export const keyAnswer = (key: ApiKeyView): HttpAnswer => jsonAnswer(200, keyJson(key));

/** 200 with one page of keys. */
export const pageAnswer = (page: { items: ApiKeyView[]; total: number; page: number; limit: number }): HttpAnswer =>
  jsonAnswer(200, { items: page.items.map(keyJson), total: page.total, page: page.page, limit: page.limit } satisfies KeyPageJson);

/** 201 with a new key and its token. */
export const createdAnswer = (created: { key: ApiKeyView; token: string }): HttpAnswer =>
  jsonAnswer(201, { key: keyJson(created.key), token: created.token } satisfies CreatedKeyJson);

/** 201 with the rotated key, its token, and the previous key. */
export const rotatedAnswer = (rotated: { key: ApiKeyView; token: string; previous: ApiKeyView }): HttpAnswer =>
  jsonAnswer(201, { key: keyJson(rotated.key), token: rotated.token, previous: keyJson(rotated.previous) } satisfies RotatedKeyJson);
