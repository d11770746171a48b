import { coveredByAny } from './scopes.js';
import type { McpLimits } from '../store/record.js';

/** What a verified key may do, computed once per verification. */
export interface Permissions {
  /** The key's own scopes plus those of its roles (inheritance resolved). */
  scopes: string[];
  roles: string[];
  resources: Record<string, string[]>;
  /** Resource kinds where an empty or missing list denies (fail closed); `true` for every kind. */
  requireMapping: boolean | string[];
  mcp: McpLimits;
}

/** Anything that carries permissions: a `Permissions`, a verify result, `req.apiKey`. */
export type PermissionSubject = Permissions | { permissions: Permissions };

function permissionsOf(subject: PermissionSubject): Permissions {
  return 'permissions' in subject ? subject.permissions : subject;
}

export function can(subject: PermissionSubject, scope: string): boolean {
  return coveredByAny(permissionsOf(subject).scopes, scope);
}

export function canAll(subject: PermissionSubject, scopes: readonly string[]): boolean {
  const p = permissionsOf(subject);
  return scopes.every((s) => coveredByAny(p.scopes, s));
}

export function canAny(subject: PermissionSubject, scopes: readonly string[]): boolean {
  const p = permissionsOf(subject);
  return scopes.some((s) => coveredByAny(p.scopes, s));
}

function mappingRequired(p: Permissions, kind: string): boolean {
  return p.requireMapping === true || (Array.isArray(p.requireMapping) && p.requireMapping.includes(kind));
}

/**
 * May the key touch resource `id` of `kind`? A listed kind allows its ids (or `*`); an unlisted or
 * empty kind allows everything unless `requireMapping` covers it, then it denies.
 */
export function canAccess(subject: PermissionSubject, kind: string, id: string): boolean {
  const p = permissionsOf(subject);
  const ids = Object.hasOwn(p.resources, kind) ? p.resources[kind]! : [];
  if (ids.length === 0) return !mappingRequired(p, kind);
  return ids.includes('*') || ids.includes(id);
}

/** True when the key is limited on `kind` (it cannot reach every id of that kind). */
export function isLimited(p: Permissions, kind: string): boolean {
  const ids = Object.hasOwn(p.resources, kind) ? p.resources[kind]! : [];
  if (ids.length === 0) return mappingRequired(p, kind);
  return !ids.includes('*');
}
