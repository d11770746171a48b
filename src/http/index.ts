// The framework-neutral HTTP core. keysmith/express, keysmith/fastify and keysmith/hono are thin
// mappings over it; it imports no framework.
export { jsonAnswer, emptyAnswer, errorAnswer, type HttpAnswer, type HttpErrorBody, type HttpIssue } from './answer.js';
export { bearerChallenge, assertRealm } from './challenge.js';
export {
  extractCredentials,
  nodeHeader,
  nodeHeaderReader,
  normalizeHeaderName,
  type Credentials,
  type HeaderReader,
  type NodeHeaderSource,
} from './credentials.js';
export { AuthErrorCode, verifyFailureAnswer, missingCredentialsAnswer, invalidRequestAnswer, credentialsAnswer } from './verify-answers.js';
export { FAILURES, failureClass, type FailureClass } from '../verify/verify-result.js';
export {
  createAuthenticator,
  type Authenticator,
  type ApiKeyAuthOptions,
  type AuthenticatedKey,
  type AuthOutcome,
  type RequestAccess,
  type RequestView,
  requestViewAccess,
  type ResourceRef,
} from './authenticate.js';
export {
  BODY_TIMEOUT_MS,
  MAX_BODY_BYTES,
  incompleteBodyAnswer,
  readLimited,
  readJsonBody,
  type BodySource,
  type BodyResult,
  type LimitedRead,
  type ByteSource,
} from './body.js';
export { pathBelowMount, mountBase } from './mount.js';
export { isValidScope } from '../permissions/scopes.js';
export { redactSecrets } from '../errors/redact.js';
export { matchAdminRoute, type AdminAction, type RouteMatch } from './admin/routes.js';
export { resolveActor, createKeyActorResolver, type AdminActor, type ResolvedActor, type KeyActorOptions } from './admin/actor.js';
export { AdminErrorCode, errorToAnswer } from './admin/errors.js';
export { bodyTimeoutOf, createAdminHandler, handleAdminRequest, type AdminOptions, type AdminHttpRequest } from './admin/handler.js';
export { adminOpenApi, ADMIN_ERROR_CODES, type AdminOpenApiOptions, type OpenApiDocument } from './admin/openapi.js';
export {
  apiKeyJsonSchema,
  createdKeyJsonSchema,
  rotatedKeyJsonSchema,
  keyPageJsonSchema,
  errorBodyJsonSchema,
  keyJson,
  type ApiKeyJson,
  type CreatedKeyJson,
  type RotatedKeyJson,
  type KeyPageJson,
  type ErrorBodyJson,
} from './admin/wire.js';
export { toggleBodySchema, rotateBodySchema } from './admin/bodies.js';
export { itemsWithPrefix, itemsWithoutPrefix, itemsExcept, containsItem, booleanFor } from './admin/mapping/codecs.js';
export type {
  AdminMapping,
  MappedField,
  MappedRoute,
  MappedMethod,
  MappedQueryParam,
  ListParam,
  FieldWrites,
  KeyPath,
  WireCodec,
  JsonValue,
} from './admin/mapping/types.js';
export { authorizeByRole, type SessionUser, type RoleRules } from './admin/roles.js';
