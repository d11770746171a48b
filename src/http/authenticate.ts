import { KeysmithError } from '../errors/errors.js';
import { immediateVerifier, type Keyring } from '../keyring.js';
import type { Permissions } from '../permissions/permissions.js';
import { parseQuery, type PermissionQuery } from '../permissions/query.js';
import { unmetRequirement, type ResourceRef } from '../permissions/requirements.js';
import { isValidScope } from '../permissions/scopes.js';
import type { ApiKey } from '../store/record.js';
import { invalidCost, isValidCost, type VerifyOptions } from '../verify/verify-options.js';
import type { VerifyResult } from '../verify/verify-result.js';
import type { HttpAnswer } from './answer.js';
import { assertRealm } from './challenge.js';
import { credentialsOf, normalizeHeaderName, type HeaderReader } from './credentials.js';
import { credentialsAnswer, verifyFailureAnswer } from './verify-answers.js';
import type { MaybePromise } from './maybe-promise.js';

/** What a verified request carries (`req.apiKey`, `request.apiKey`, `c.get('apiKey')`). Never the token. */
export interface AuthenticatedKey {
  readonly key: ApiKey;
  readonly permissions: Permissions;
}

export type { ResourceRef };

/** Options of every framework's verification middleware; `Req` is the framework's request. */
export interface ApiKeyAuthOptions<Req> {
  /** Every one of these scopes is required. */
  scopes?: readonly string[];
  /** At least one of these scopes is required. */
  anyScopes?: readonly string[];
  /** A permission query such as `"docs:read AND (admin:read OR admin:write)"`, parsed once here. @throws INVALID_QUERY */
  query?: string;
  /** Also read the key from this header (its whole value), e.g. `"x-api-key"`. Authorization is always read. */
  header?: string;
  /** The resource(s) the request touches, checked against the key's resource limits. */
  resource?: (req: Req) => MaybePromise<ResourceRef | readonly ResourceRef[] | null | undefined>;
  /** Credits a request consumes from keys with `remaining`. @default 1 */
  cost?: number | ((req: Req) => number);
  /** The `realm` of `WWW-Authenticate` challenges. @default "api" */
  realm?: string;
}

/**
 * How an adapter reads its framework's request, given once to `createAuthenticator` (so a request
 * costs no closures). Plain functions of the request: nothing here is called per request unless
 * needed — `ip` only for a key with an `ipAllowlist` or a keyring that throttles failed attempts.
 */
export interface RequestAccess<Req> {
  /** A header of the request by lower-case name; see `HeaderReader` for repeated headers. */
  header(req: Req, name: string): ReturnType<HeaderReader>;
  /** The client's address (after the framework's trusted-proxy rules), checked against `ipAllowlist`. Read lazily. */
  ip(req: Req): string | undefined;
  /** A key an earlier keysmith middleware already attached to this request. */
  current(req: Req): AuthenticatedKey | null | undefined;
}

/** A request already reduced to its parts (the admin API's and MCP's callers build one). */
export interface RequestView {
  header: HeaderReader;
  /** The client's address (after the framework's trusted-proxy rules), checked against `ipAllowlist`. */
  ip: string | undefined;
  /** A key an earlier keysmith middleware already verified on this request. */
  current?: AuthenticatedKey | null;
}

/** `RequestAccess` over a `RequestView`: `createAuthenticator<RequestView>(keyring, options, requestViewAccess)`. */
export const requestViewAccess: RequestAccess<RequestView> = {
  header: (view, name) => view.header(name),
  ip: (view) => view.ip,
  current: (view) => view.current,
};

export type AuthOutcome = { ok: true; apiKey: AuthenticatedKey } | { ok: false; answer: HttpAnswer };

type Verifier = Pick<Keyring, 'verify'>;

/**
 * What a middleware attaches: `key` and `permissions` for the application, plus, in private
 * fields no other code can forge or change, which keyring verified it and the permissions a later
 * guard re-checks. (A class, not a frozen object in a WeakMap: one allocation per request.)
 */
class VerifiedKey implements AuthenticatedKey {
  readonly key: ApiKey;
  readonly permissions: Permissions;
  readonly #by: Verifier;
  readonly #permissions: Permissions;

  constructor(key: ApiKey, permissions: Permissions, by: Verifier) {
    this.key = key;
    this.permissions = permissions;
    this.#by = by;
    this.#permissions = permissions;
  }

  /** The permissions `by` verified for `value`, or null when `by` did not attach it. */
  static permissionsFrom(value: unknown, by: Verifier): Permissions | null {
    return typeof value === 'object' && value !== null && #by in value && (value as VerifiedKey).#by === by ? (value as VerifiedKey).#permissions : null;
  }
}

/**
 * The options one guarded request passes to `verify`. `ip` is a getter, so the framework's
 * address (Express's `req.ip` runs its trust-proxy rules) is read only when verify needs it.
 */
class GuardVerifyOptions<Req> implements VerifyOptions {
  readonly scopes: readonly string[] | undefined;
  readonly anyScopes: readonly string[] | undefined;
  readonly query: PermissionQuery | undefined;
  readonly resource: ResourceRef[] | undefined;
  readonly cost: number | undefined;
  readonly #req: Req;
  readonly #access: RequestAccess<Req>;

  constructor(
    req: Req,
    access: RequestAccess<Req>,
    scopes: readonly string[] | undefined,
    anyScopes: readonly string[] | undefined,
    query: PermissionQuery | undefined,
    resource: ResourceRef[] | undefined,
    cost: number | undefined,
  ) {
    this.scopes = scopes;
    this.anyScopes = anyScopes;
    this.query = query;
    this.resource = resource;
    this.cost = cost;
    this.#req = req;
    this.#access = access;
  }

  get ip(): string | undefined {
    return this.#access.ip(this.#req);
  }
}

function checkScopes(scopes: readonly string[] | undefined, option: string): readonly string[] | undefined {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes)) throw new KeysmithError('CONFIG', `${option} must be an array of scopes`);
  for (const scope of scopes) if (!isValidScope(scope)) throw new KeysmithError('CONFIG', `${option}: invalid scope ${JSON.stringify(scope)}`);
  return [...scopes];
}

function resourceArray(found: ResourceRef | readonly ResourceRef[] | null | undefined): ResourceRef[] | undefined {
  if (found === undefined || found === null) return undefined;
  return Array.isArray(found) ? [...(found as readonly ResourceRef[])] : [found as ResourceRef];
}

/**
 * Builds the framework-neutral guard: options are validated once, here, so a typo in a scope or a
 * query fails at startup rather than on the first request. `access` says how to read the
 * framework's request (`requestViewAccess` for a prepared `RequestView`).
 *
 * The hot path (a cached key, no `resource` option) allocates the verify options and the attached
 * key, and answers synchronously: no promise, no async function, no closure per request.
 */
export function createAuthenticator<Req>(keyring: Verifier, options: ApiKeyAuthOptions<Req>, access: RequestAccess<Req>) {
  if (!keyring || typeof keyring.verify !== 'function') throw new KeysmithError('CONFIG', 'apiKeyAuth needs a keyring');
  const scopes = checkScopes(options.scopes, 'scopes');
  const anyScopes = checkScopes(options.anyScopes, 'anyScopes');
  const query: PermissionQuery | undefined = options.query === undefined ? undefined : parseQuery(options.query);
  const header = options.header === undefined ? null : normalizeHeaderName(options.header);
  const realm = assertRealm(options.realm ?? 'api');
  const { resource, cost } = options;
  if (cost !== undefined && typeof cost !== 'function' && !isValidCost(cost)) throw invalidCost();

  /** The same checks verify makes, on a key verified earlier in this request (no second lookup or charge). */
  const refine = (current: AuthenticatedKey, permissions: Permissions, resources: ResourceRef[] | undefined): AuthOutcome => {
    const unmet = unmetRequirement(permissions, { scopes, anyScopes, query, resources });
    return unmet ? { ok: false, answer: verifyFailureAnswer(unmet, realm) } : { ok: true, apiKey: current };
  };

  /** Maps verify's answer to the outcome; made once, shared by every request. */
  const toOutcome = (result: VerifyResult): AuthOutcome =>
    result.valid ? { ok: true, apiKey: new VerifiedKey(result.key, result.permissions, keyring) } : { ok: false, answer: verifyFailureAnswer(result, realm) };

  /** Synchronous for a cache hit on a keyring from `createKeyring` (see `immediateVerifier`). */
  const verifyNow = immediateVerifier(keyring);

  const verifyWith = (req: Req, token: string, resources: ResourceRef[] | undefined): MaybePromise<AuthOutcome> => {
    const spend = cost === undefined ? undefined : typeof cost === 'function' ? cost(req) : cost;
    const result = verifyNow(token, new GuardVerifyOptions(req, access, scopes, anyScopes, query, resources, spend));
    return result instanceof Promise ? result.then(toOutcome) : toOutcome(result);
  };

  /** With the `resource` option: the application's callback may be async. */
  const withResources = async (req: Req, current: AuthenticatedKey | null, permissions: Permissions | null, token: string): Promise<AuthOutcome> => {
    const resources = resourceArray(await resource!(req));
    return current && permissions ? refine(current, permissions, resources) : verifyWith(req, token, resources);
  };

  /**
   * Verifies the request's key (or refines the key an earlier guard of this keyring attached).
   * The outcome is synchronous when no I/O was needed (a cache hit on a key without rate limits or
   * credits): the middlewares then finish the request without a promise. Throws (or rejects) only
   * on a store fault thrown by a custom verifier or a callback.
   */
  const authenticateNow = (req: Req): MaybePromise<AuthOutcome> => {
    const current = access.current(req);
    const permissions = current ? VerifiedKey.permissionsFrom(current, keyring) : null;
    if (current && permissions) return resource ? withResources(req, current, permissions, '') : refine(current, permissions, undefined);
    const credentials = credentialsOf(req, access.header, header);
    if (credentials.kind !== 'token') return { ok: false, answer: credentialsAnswer(credentials, realm) };
    return resource ? withResources(req, null, null, credentials.token) : verifyWith(req, credentials.token, undefined);
  };

  return {
    realm,
    authenticateNow,
    /** `authenticateNow` as a promise. Rejects only on a store fault thrown by a custom verifier or a callback. */
    authenticate(req: Req): Promise<AuthOutcome> {
      try {
        const outcome = authenticateNow(req);
        return outcome instanceof Promise ? outcome : Promise.resolve(outcome);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };
}

export type Authenticator<Req> = ReturnType<typeof createAuthenticator<Req>>;
