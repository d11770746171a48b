/**
 * keysmith: API keys for Node.js backends and MCP servers. This entry holds what an application
 * uses: the keyring, its errors and results, the permission checks, and the types a store or a
 * limiter implements. Framework adapters are subpaths (`keysmith/express`, `keysmith/fastify`,
 * `keysmith/hono`, `keysmith/mcp`); the framework-neutral HTTP layer they share is
 * `keysmith/http`; stores are `keysmith/memory`, `keysmith/postgres`, `keysmith/mongo`.
 */

// The keyring and its calls.
export { createKeyring, type KeyringOptions } from './keyring.js';
export type { Keyring, MintedKey, RevokeOptions, RotateOptions, ImportKeyOptions } from './keyring-api.js';
export type { KeyPage } from './management/management.js';
export type { CallerOptions, CreateOptions, UpdateOptions, CreateKeyInput, UpdateKeyInput, ListOptions, McpInput } from './management/inputs.js';
export type { CreateDefaults } from './management/create-defaults.js';
export { keyStatus, listedStatuses, KEY_STATUSES, type KeyStatus } from './store/status.js';
export { touchDueBefore } from './store/touch.js';
export type { VerifyOptions } from './verify/verify-options.js';
export { VerifyFailureCode, type VerifyResult, type VerifiedKey, type VerifyFailure } from './verify/verify-result.js';
export type { KeysmithEvent, EventListener } from './events/events.js';
export type { CacheOptions } from './verify/key-cache.js';
export type { Hasher, Pepper } from './token/hash.js';
export type { ImportScheme } from './token/imported.js';
export { pattern, parseToken, type TokenParts } from './token/token.js';

// Errors.
export { KeysmithError, KeysmithErrorCode, isKeysmithError, type FieldIssue } from './errors/errors.js';

// Permissions.
export { can, canAll, canAny, canAccess, type Permissions, type PermissionSubject } from './permissions/permissions.js';
export { parseQuery, evaluateQuery, type PermissionQuery } from './permissions/query.js';
export { isWithin, type ActorPermissions, type KeyReach } from './permissions/escalation.js';
export type { RolesConfig, RoleDefinition } from './permissions/roles.js';
export { BUILTIN_PRESETS, DEFAULT_MCP, type PresetDefinition } from './permissions/presets.js';
export type { ScopeVocabulary } from './permissions/policy.js';

// Input schemas (zod), for forms and OpenAPI documents built from the same rules.
export {
  createKeyInputSchema,
  updateKeyInputSchema,
  metadataSchema,
  toFieldIssues,
} from './management/validation.js';
export { listQuerySchema, importKeyInputSchema } from './management/management.js';

// Contracts an application or an adapter implements: the store, the limiter, the invalidation channel.
export type { KeyStore } from './store/store.js';
export type {
  ApiKey,
  ApiKeyView,
  ApiKeyRecord,
  KeyPatch,
  ListQuery,
  ListResult,
  McpLimits,
  RateLimit,
  Refill,
  Superseded,
  Supersession,
} from './store/record.js';
export { memoryLimiter, type MemoryLimiterOptions } from './verify/limits/memory-limiter.js';
export type { FailedAttemptsOptions } from './verify/limits/failed-attempts.js';
export type { RateLimiter, LimitCheck, LimitDecision } from './verify/limits/limiter.js';
export { isKeyIdMessage, type InvalidationChannel } from './invalidation/invalidation.js';
