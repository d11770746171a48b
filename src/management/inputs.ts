import type { z } from 'zod';
import type { ActorPermissions } from '../permissions/escalation.js';
import type { KeyStatus } from '../store/status.js';
import type { RateLimit, Refill } from '../store/record.js';
import type { ImportScheme } from '../token/imported.js';
import type { importKeyInputSchema, listQuerySchema } from './management.js';
import type { createKeyInputSchema, updateKeyInputSchema } from './validation.js';

/**
 * The inputs of the keyring's management calls, written by hand so that an editor's hover explains
 * every field. The zod schemas in validation.ts enforce them at run time; the checks at the end of
 * this file fail the build when the two drift apart.
 */

/** A key's MCP access, as given to `create` or `update`. Fields left out keep their default (or current) value. */
export interface McpInput {
  /** `false` refuses the key on every MCP endpoint while it keeps working on plain HTTP routes. @default true */
  enabled?: boolean;
  /**
   * Which tools the key may use: `'all'`, only the `names` listed (`'allow'`), or all but them (`'deny'`).
   * @default { mode: 'all', names: [] }
   * @example { mode: 'allow', names: ['search', 'read_file'] }
   */
  tools?: { mode: 'all' | 'allow' | 'deny'; names: string[] };
  /** Only tools annotated `readOnlyHint: true`. @default false */
  readOnly?: boolean;
}

/** The permission fields `create` and `update` share. */
interface PermissionInput {
  /**
   * Scopes (`resource:action`; `*` and `resource:*` are wildcards). With a scope vocabulary on the
   * keyring, an unknown scope is a `VALIDATION` error. Up to 200.
   * @default [] (or the preset's)
   * @example ['evidence:read', 'controls:*']
   */
  scopes?: string[];
  /** Role names from the keyring's `roles`; the key holds their scopes too. Up to 50. @default [] (or the preset's) */
  roles?: string[];
  /**
   * Resource limits: the ids the key may touch, per resource kind. A kind left out (or an empty
   * list) allows every id, unless `requireMapping` covers it.
   * @default {} (or the preset's)
   * @example { project: ['p1', 'p2'] }
   */
  resources?: Record<string, string[]>;
  /** Fail closed: `true` for every resource kind, or the kinds listed, where an empty or missing list denies. @default false */
  requireMapping?: boolean | string[];
  /** Limits on MCP use. @default enabled, every tool, not read-only */
  mcp?: McpInput;
}

/** The limit fields `create` and `update` share. */
interface LimitInput {
  /** Addresses and CIDR ranges the key may be used from (IPv4 or IPv6). Empty: anywhere. @default [] @example ['10.0.0.0/8', '2001:db8::1'] */
  ipAllowlist?: string[];
  /** Usage credits; each verification consumes its `cost` (1 by default). `null`: unlimited. @default null */
  remaining?: number | null;
  /** Credits given back every period (`remaining` is set to `amount`). `null`: credits never come back. @default null @example { amount: 1000, interval: 'month' } */
  refill?: Refill | null;
  /** Named rate limits, each its own window; names unique, up to 10. @default [] @example [{ name: 'burst', limit: 10, windowMs: 1000 }] */
  rateLimits?: RateLimit[];
}

/** Input of `keyring.create`. Only `tenantId` and `name` are required. */
export interface CreateKeyInput extends PermissionInput, LimitInput {
  /** The tenant (organisation, project) the key belongs to, for good. */
  tenantId: string;
  /** A name for people, 1 to 120 characters (trimmed). */
  name: string;
  /** A preset (`'read-only'`, `'full-access'`, or one of the keyring's) that fills scopes, roles, resources and limits the input leaves out. @default the keyring's `createDefaults.preset`, or none */
  preset?: string;
  /** When the key stops working. `null`: never, even with a default expiry. Give this or `expiresIn`, not both. @default no expiry (or `createDefaults.expiresIn`) */
  expiresAt?: Date | string | null;
  /** How long the key works, from now: `'30d'`, `'12h'`, `'1y'` (units s m h d w y), or milliseconds. @example '90d' */
  expiresIn?: string | number;
  /** The user the key belongs to; `null` for a service key. @default null */
  ownerId?: string | null;
  /** Anything your application wants to keep with the key: plain JSON, up to 4 KB. @default {} */
  metadata?: Record<string, unknown>;
  /** Who created the key, recorded as `createdBy`. @default the caller's `actorId`, else null */
  createdBy?: string | null;
}

/** Input of `keyring.update`: every field optional; a field left out keeps its value. */
export interface UpdateKeyInput extends PermissionInput, LimitInput {
  /** A new name, 1 to 120 characters (trimmed). */
  name?: string;
  /** Apply a preset's permissions now (the key remembers its name); `null` forgets the name and keeps the permissions. */
  preset?: string | null;
  /** A new expiry; `null`: never expires. Give this or `expiresIn`, not both. */
  expiresAt?: Date | string | null;
  /** A new expiry, counted from the moment of the update: `'30d'`, `'12h'`, or milliseconds. */
  expiresIn?: string | number;
  /** The user the key belongs to; `null` makes it a service key. */
  ownerId?: string | null;
  /** Pause (`false`) or resume (`true`) the key; `setEnabled` says the same. */
  enabled?: boolean;
  /** Replaces the key's metadata (plain JSON, up to 4 KB). */
  metadata?: Record<string, unknown>;
  /** The key's `version` you last saw: the update fails with `VERSION_CONFLICT` if someone changed it since. */
  version?: number;
}

/** Who performs a management call: for audit (`actorId`) and for the no-escalation rule (`actor`). */
export interface CallerOptions {
  /** Who asks, recorded in the keyring's events (and as `createdBy` when `create` is not told otherwise). @default null */
  actorId?: string | null;
  /** The caller's own permissions: the key may not end up with more (`ESCALATION`). Omit for a full tenant admin. */
  actor?: ActorPermissions;
}

/** The argument of `keyring.create`: the key's fields and who asks. */
export interface CreateOptions extends CreateKeyInput, CallerOptions {}

/** The patch of `keyring.update`: the fields to change and who asks. */
export interface UpdateOptions extends UpdateKeyInput, CallerOptions {}

/** The argument of `keyring.import`: a key minted by another system, its fields, and the hash that system stored. */
export interface ImportKeyOptions extends CreateKeyInput, CallerOptions {
  /** The hash the other system stored: for `sha256-hex`, the hex SHA-256 of the whole token (64 hex characters). */
  hash: string;
  /** How `hash` was made. `'sha256-hex'`: hex SHA-256 of the whole token, as Unkey and prefixed-api-key store it. */
  scheme: ImportScheme;
  /** The key's recorded `prefix` (letters, digits, `_`). @default 'imported' */
  prefix?: string;
  /** What to show for the key instead of its token (1 to 64 characters), e.g. the other system's own preview. @default `<prefix>_…` */
  preview?: string;
}

/** The query of `keyring.list`. The admin API's `GET /keys` takes the same fields as query-string text. */
export interface ListOptions {
  /** The page, from 1. @default 1 */
  page?: number;
  /** Keys per page, 1 to 100. @default 20 */
  limit?: number;
  /** Only keys whose name, id or preview contains this text. */
  search?: string;
  /** Also list revoked keys. Ignored when `status` is given. @default false */
  includeRevoked?: boolean | 'true' | 'false';
  /** `false` leaves expired keys out. Ignored when `status` is given. @default true */
  includeExpired?: boolean | 'true' | 'false';
  /** Only keys in these derived states. @example 'active' @example ['active', 'paused'] @example 'active,paused' */
  status?: KeyStatus | readonly KeyStatus[] | `${KeyStatus},${string}`;
  /** Only keys limited to this resource, as `kind:id`: `'project:p1'` lists the keys whose `resources.project` names `p1`. */
  resource?: string;
  /** Only the keys of this user. */
  ownerId?: string;
}

// Compile-time checks: each hand-written input is the schema's input, field for field.
type Plain<T> = T extends Date ? T : T extends readonly unknown[] ? { [K in keyof T]: Plain<T[K]> } : T extends object ? { [K in keyof T]: Plain<T[K]> } : T;
type Equals<A, B> = (<T>() => T extends Plain<A> ? 1 : 2) extends <T>() => T extends Plain<B> ? 1 : 2 ? true : false;
/** Fields the schema coerces or preprocesses take `unknown`; for those the hand-written type is the documented subset. */
type Typed<T> = { [K in keyof T as unknown extends T[K] ? never : K]: T[K] };
type ListInput = z.input<typeof listQuerySchema>;
type Assert<T extends true> = T;
type _InputsMatchSchemas = [
  Assert<Equals<CreateKeyInput, z.input<typeof createKeyInputSchema>>>,
  Assert<Equals<UpdateKeyInput, z.input<typeof updateKeyInputSchema>>>,
  Assert<Equals<Omit<ImportKeyOptions, keyof CallerOptions>, z.input<typeof importKeyInputSchema>>>,
  Assert<Equals<keyof ListOptions, keyof ListInput>>,
  Assert<Equals<Pick<ListOptions, keyof Typed<ListInput>>, Typed<ListInput>>>,
  Assert<ListOptions extends ListInput ? true : false>,
];
