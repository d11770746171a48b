import { canAccess, canAll, canAny, type Permissions } from './permissions.js';
import { evaluateQuery, parseQuery, scopesOf, type PermissionQuery } from './query.js';

/** One resource a request touches: `{ kind: 'project', id: 'p1' }`. */
export interface ResourceRef {
  kind: string;
  id: string;
}

/**
 * What a request needs of a key. `verify` checks it on the key it loads; the HTTP middlewares
 * check it again on a key an earlier middleware of the same request already verified.
 */
export interface Requirements {
  /** Every one of these scopes. */
  scopes?: readonly string[] | undefined;
  /** At least one of these scopes. */
  anyScopes?: readonly string[] | undefined;
  /** A parsed query; `null` stands for a query that did not parse, which nothing satisfies (fail closed). */
  query?: PermissionQuery | null | undefined;
  /** Resources the request touches; the key's resource limits must allow each. */
  resources?: readonly ResourceRef[] | undefined;
}

/** Why a key falls short of a request's requirements. */
export type Shortfall = { code: 'INSUFFICIENT_SCOPE'; requiredScopes?: string[] } | { code: 'FORBIDDEN_RESOURCE' };

/**
 * The one check of a request's requirements against a key's permissions, in a fixed order:
 * `scopes`, `anyScopes`, `query`, then `resources`. Returns the first shortfall, or `null` when
 * the key meets them all.
 */
export function unmetRequirement(permissions: Permissions, required: Requirements): Shortfall | null {
  const { scopes, anyScopes, query, resources } = required;
  if (scopes && scopes.length > 0 && !canAll(permissions, scopes)) return { code: 'INSUFFICIENT_SCOPE', requiredScopes: [...scopes] };
  if (anyScopes && anyScopes.length > 0 && !canAny(permissions, anyScopes)) return { code: 'INSUFFICIENT_SCOPE', requiredScopes: [...anyScopes] };
  if (query === null) return { code: 'INSUFFICIENT_SCOPE' };
  if (query !== undefined && !evaluateQuery(permissions, query)) return { code: 'INSUFFICIENT_SCOPE', requiredScopes: scopesOf(query) };
  if (resources) for (const r of resources) if (!canAccess(permissions, r.kind, r.id)) return { code: 'FORBIDDEN_RESOURCE' };
  return null;
}

/** A query given as text or parsed; text that does not parse becomes `null` (never satisfied) instead of throwing. */
export function queryOrNull(query: string | PermissionQuery): PermissionQuery | null {
  if (typeof query !== 'string') return query;
  try {
    return parseQuery(query);
  } catch {
    return null;
  }
}

/** One resource or a list of them, as a list. */
export function resourceList(resource: ResourceRef | readonly ResourceRef[]): readonly ResourceRef[] {
  return Array.isArray(resource) ? (resource as readonly ResourceRef[]) : [resource as ResourceRef];
}
