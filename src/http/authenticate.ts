import { KeysmithError } from '../errors/errors.js';
import type { Keyring } from '../keyring.js';
import type { Permissions } from '../permissions/permissions.js';
import { parseQuery, type PermissionQuery } from '../permissions/query.js';
import { unmetRequirement, type ResourceRef } from '../permissions/requirements.js';
import { isValidScope } from '../permissions/scopes.js';
import type { ApiKey } from '../store/record.js';
import { invalidCost, isValidCost, type VerifyOptions } from '../verify/verify.js';
import type { HttpAnswer } from './answer.js';
import { assertRealm } from './challenge.js';
import { extractCredentials, normalizeHeaderName, type HeaderReader } from './credentials.js';
import { invalidRequestAnswer, missingCredentialsAnswer, verifyFailureAnswer } from './verify-answers.js';
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

/** The parts of a request the core needs, read by each adapter in its framework's way. */
export interface RequestView {
  header: HeaderReader;
  /** The client's address (after the framework's trusted-proxy rules), checked against `ipAllowlist`. */
  ip: string | undefined;
  /** A key an earlier keysmith middleware already verified on this request. */
  current?: AuthenticatedKey | null;
}

export type AuthOutcome = { ok: true; apiKey: AuthenticatedKey } | { ok: false; answer: HttpAnswer };

type Verifier = Pick<Keyring, 'verify'>;

/** Which keyring verified each attached key, so a guard never trusts another keyring's key. */
const verifiedBy = new WeakMap<AuthenticatedKey, Verifier>();

function checkScopes(scopes: readonly string[] | undefined, option: string): readonly string[] | undefined {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes)) throw new KeysmithError('CONFIG', `${option} must be an array of scopes`);
  for (const scope of scopes) if (!isValidScope(scope)) throw new KeysmithError('CONFIG', `${option}: invalid scope ${JSON.stringify(scope)}`);
  return [...scopes];
}

/**
 * Builds the framework-neutral guard: options are validated once, here, so a typo in a scope or a
 * query fails at startup rather than on the first request.
 */
export function createAuthenticator<Req>(keyring: Verifier, options: ApiKeyAuthOptions<Req> = {}) {
  if (!keyring || typeof keyring.verify !== 'function') throw new KeysmithError('CONFIG', 'apiKeyAuth needs a keyring');
  const scopes = checkScopes(options.scopes, 'scopes');
  const anyScopes = checkScopes(options.anyScopes, 'anyScopes');
  const query: PermissionQuery | undefined = options.query === undefined ? undefined : parseQuery(options.query);
  const header = options.header === undefined ? null : normalizeHeaderName(options.header);
  const realm = assertRealm(options.realm ?? 'api');
  const { resource, cost } = options;
  if (cost !== undefined && typeof cost !== 'function' && !isValidCost(cost)) throw invalidCost();

  const resourcesOf = async (req: Req): Promise<ResourceRef[] | undefined> => {
    const found = resource ? await resource(req) : undefined;
    if (found === undefined || found === null) return undefined;
    return Array.isArray(found) ? [...(found as readonly ResourceRef[])] : [found as ResourceRef];
  };

  /** The same checks verify makes, on a key verified earlier in this request (no second lookup or charge). */
  const refine = (current: AuthenticatedKey, resources: ResourceRef[] | undefined): HttpAnswer | null => {
    const unmet = unmetRequirement(current.permissions, { scopes, anyScopes, query, resources });
    return unmet ? verifyFailureAnswer(unmet, realm) : null;
  };

  return {
    realm,
    async authenticate(req: Req, view: RequestView): Promise<AuthOutcome> {
      if (view.current && verifiedBy.get(view.current) === keyring) {
        const denied = refine(view.current, resource ? await resourcesOf(req) : undefined);
        return denied ? { ok: false, answer: denied } : { ok: true, apiKey: view.current };
      }
      const credentials = extractCredentials(view.header, header);
      if (credentials.kind === 'missing') return { ok: false, answer: missingCredentialsAnswer(realm) };
      if (credentials.kind === 'invalid_request') return { ok: false, answer: invalidRequestAnswer(realm, credentials.message) };
      const resources = resource ? await resourcesOf(req) : undefined; // no await (no extra tick) without the option
      const verifyOptions: VerifyOptions = { scopes, anyScopes, query, resource: resources, ip: view.ip };
      if (cost !== undefined) verifyOptions.cost = typeof cost === 'function' ? cost(req) : cost;
      const result = await keyring.verify(credentials.token, verifyOptions);
      if (!result.valid) return { ok: false, answer: verifyFailureAnswer(result, realm) };
      const apiKey: AuthenticatedKey = Object.freeze({ key: result.key, permissions: result.permissions });
      verifiedBy.set(apiKey, keyring);
      return { ok: true, apiKey };
    },
  };
}

export type Authenticator<Req> = ReturnType<typeof createAuthenticator<Req>>;
