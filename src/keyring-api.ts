import type { KeyPage } from './management/management.js';
import type { CallerOptions, CreateOptions, ImportKeyOptions, ListOptions, UpdateOptions } from './management/inputs.js';

export type { ImportKeyOptions };
import type { ApiKeyView } from './store/record.js';
import type { VerifyOptions } from './verify/verify-options.js';
import type { VerifyResult } from './verify/verify-result.js';

/** What `create` and `rotate` return: the key (redacted) and its plaintext token, shown this once. */
export interface MintedKey {
  /** The stored key without its hash, with its derived `status`. */
  key: ApiKeyView;
  /** The plaintext token. keysmith keeps only its hash: show it to the user now, it cannot be read again. */
  token: string;
}

/** Options of `keyring.revoke`. */
export interface RevokeOptions extends CallerOptions {
  /** Who revoked the key, recorded as `revokedBy`. @default null */
  by?: string | null;
}

/** Options of `keyring.rotate`. */
export interface RotateOptions extends CallerOptions {
  /** How long the old token keeps working, in milliseconds (never past its own expiry). @default 0 */
  graceMs?: number;
  /** The key's `version` you last saw; the rotation fails with `VERSION_CONFLICT` if it changed since. */
  version?: number;
}

/**
 * A keyring: mints, verifies and manages one application's API keys. Made by `createKeyring`.
 *
 * Every management call takes the `tenantId` first: a key of another tenant looks exactly like an
 * unknown one (`NOT_FOUND` or `null`). Management calls throw `KeysmithError` (`VALIDATION` with
 * field issues, `NOT_FOUND`, `ESCALATION`, `VERSION_CONFLICT`, `STORE_UNAVAILABLE`); `verify` never
 * throws on a bad token, it answers `{ valid: false, code }`.
 *
 * @example
 * ```ts
 * const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
 * const { key, token } = await keyring.create({ tenantId: 'acme', name: 'CI', scopes: ['builds:read'] });
 * const result = await keyring.verify(token, { scopes: ['builds:read'] });
 * if (result.valid) console.log(result.key.id);
 * ```
 */
export interface Keyring {
  /** The prefix new tokens start with (`sk`, `sk_live`, …). */
  readonly prefix: string;

  /**
   * Checks a token and, optionally, what the request needs (scopes, a query, resources, the caller's
   * address), then counts its rate limits and consumes its credits. A valid key's `lastUsedAt` is
   * updated at most once per `touchIntervalMs`.
   *
   * @returns `{ valid: true, key, permissions }`, or `{ valid: false, code, message }` with a
   * `VerifyFailureCode` (`MALFORMED`, `REVOKED`, `INSUFFICIENT_SCOPE`, `RATE_LIMITED`, …).
   * Never throws on a bad token; a store outage answers `STORE_UNAVAILABLE` (fail closed).
   * @throws KeysmithError `CONFIG` (a rejected promise) for an invalid `cost`.
   * @example
   * ```ts
   * const result = await keyring.verify(token, { scopes: ['evidence:read'], ip: req.ip });
   * if (!result.valid) return res.status(401).json({ error: result.code });
   * ```
   */
  verify(token: unknown, options?: VerifyOptions): Promise<VerifyResult>;

  /** A RegExp that matches this keyring's tokens, for secret scanners (`git log -p | grep`). */
  pattern(): RegExp;

  /** Forgets one cached record, or all of them without an id (invalidation channels call this). */
  invalidate(id?: string): void;

  /** Resolves once the invalidation channel (if any) is listening. */
  ready(): Promise<void>;

  /** Stops listening on the invalidation channel. */
  close(): Promise<void>;

  /**
   * Mints a key for a tenant. The plaintext `token` is returned here once and never again.
   *
   * @throws KeysmithError `VALIDATION` (with field issues) for bad input or an unknown scope, role
   * or preset; `ESCALATION` when `actor` is given and the key would exceed its rights.
   * @example
   * ```ts
   * const { key, token } = await keyring.create({ tenantId: 'acme', name: 'Reporting', preset: 'read-only', expiresIn: '90d' });
   * ```
   */
  create(options: CreateOptions): Promise<MintedKey>;

  /**
   * Adopts a key minted by another system from the hash it already has (`scheme: 'sha256-hex'`:
   * hex SHA-256 of the whole token, as Unkey and prefixed-api-key store it), so its users keep their
   * tokens. Verify finds it when the token matches the keyring's `importedTokens` option.
   *
   * @returns the key; there is no token to show.
   * @throws KeysmithError `VALIDATION` for a bad hash or fields; `DUPLICATE_ID` when already imported.
   */
  import(options: ImportKeyOptions): Promise<ApiKeyView>;

  /** One key of the tenant (revoked ones included, for audit), or `null` when unknown or another tenant's. */
  get(tenantId: string, id: string): Promise<ApiKeyView | null>;

  /**
   * One page of the tenant's keys, newest first, each with its derived `status`. By default every
   * key but revoked ones; narrow it with `status`, `resource` (`'project:p1'`), `ownerId`, `search`,
   * `includeExpired: false`.
   *
   * @throws KeysmithError `VALIDATION` for a bad query.
   * @example
   * ```ts
   * const { items, total } = await keyring.list('acme', { status: 'active', page: 1, limit: 20 });
   * ```
   */
  list(tenantId: string, query?: ListOptions): Promise<KeyPage>;

  /** Super-admin only: every tenant's keys. Your code (or the admin API) decides who may call it. */
  listAcrossTenants(query?: ListOptions): Promise<KeyPage>;

  /** Super-admin only: a key by id in whatever tenant holds it, or `null`. */
  getAcrossTenants(id: string): Promise<ApiKeyView | null>;

  /**
   * Changes a live key (name, permissions, limits, expiry, metadata). With `version`, only if nobody
   * changed it since. Verification sees the change at once on this instance, and fleet-wide with an
   * invalidation channel.
   *
   * @throws KeysmithError `NOT_FOUND` (unknown, revoked or another tenant's), `VALIDATION`,
   * `ESCALATION`, `VERSION_CONFLICT`.
   * @example
   * ```ts
   * await keyring.update('acme', id, { scopes: ['evidence:read'], version: key.version });
   * ```
   */
  update(tenantId: string, id: string, patch: UpdateOptions): Promise<ApiKeyView>;

  /**
   * Pauses (`false`) or resumes (`true`) the whole key: HTTP and MCP alike answer `DISABLED` while it
   * is paused. Reversible, unlike `revoke`.
   *
   * @throws KeysmithError `NOT_FOUND`, `ESCALATION`.
   */
  setEnabled(tenantId: string, id: string, enabled: boolean, caller?: CallerOptions): Promise<ApiKeyView>;

  /**
   * Pauses (`false`) or resumes (`true`) MCP access only (`mcp.enabled`): the key keeps working on
   * plain HTTP routes while MCP endpoints refuse it.
   *
   * @throws KeysmithError `NOT_FOUND`, `ESCALATION`.
   */
  setMcpEnabled(tenantId: string, id: string, enabled: boolean, caller?: CallerOptions): Promise<ApiKeyView>;

  /**
   * Revokes a key, for good: verify answers `REVOKED` from now on. The record stays for audit.
   *
   * @throws KeysmithError `NOT_FOUND` for an unknown key, another tenant's, or one already revoked;
   * `ESCALATION` when `actor` may not touch this key.
   * @example
   * ```ts
   * await keyring.revoke('acme', id, { by: user.id });
   * ```
   */
  revoke(tenantId: string, id: string, options?: RevokeOptions): Promise<ApiKeyView>;

  /**
   * Replaces a key: a new key (new id and token) with the same permissions, expiry, credits and
   * paused state. The old token keeps working for `graceMs` (never past its own expiry), then answers
   * `EXPIRED`. Of concurrent rotations of one version, exactly one succeeds.
   *
   * @returns the new key and its token (shown once), and the old key as it now is (`previous`).
   * @throws KeysmithError `NOT_FOUND`, `VALIDATION` (bad `graceMs`), `VERSION_CONFLICT`, `ESCALATION`.
   * @example
   * ```ts
   * const { token } = await keyring.rotate('acme', id, { graceMs: 24 * 3600_000 });
   * ```
   */
  rotate(tenantId: string, id: string, options?: RotateOptions): Promise<MintedKey & { previous: ApiKeyView }>;
}
