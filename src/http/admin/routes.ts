/**
 * The admin API's routes, relative to wherever the application mounts it:
 *
 *   /keys, /keys/:id, /keys/:id/toggle-active, /keys/:id/rotate           the caller's tenant
 *   /tenants/:tenantId/keys…  (same routes)                                one tenant, by id
 *   GET /admin/keys, GET|DELETE /admin/keys/:id                            every tenant (super-admin)
 */
export type AdminAction = 'list' | 'create' | 'get' | 'update' | 'revoke' | 'toggle' | 'rotate' | 'listAll' | 'getAny' | 'revokeAny';

export type RouteMatch =
  | { kind: 'route'; action: AdminAction; tenantId: string | null; id: string | null; superOnly: boolean }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

/** One route: its path below the mount (`:id` marks the key id) and the action of each method. */
export interface AdminRoute {
  tail: string[];
  methods: Record<string, AdminAction>;
}

/** The key routes; each also exists below `/tenants/:tenantId`. */
export const KEY_ROUTES: AdminRoute[] = [
  { tail: ['keys'], methods: { GET: 'list', POST: 'create' } },
  { tail: ['keys', ':id'], methods: { GET: 'get', PATCH: 'update', DELETE: 'revoke' } },
  { tail: ['keys', ':id', 'toggle-active'], methods: { POST: 'toggle' } },
  { tail: ['keys', ':id', 'rotate'], methods: { POST: 'rotate' } },
];

/** Routes across every tenant, for super-admins only. */
export const SUPER_ROUTES: AdminRoute[] = [
  { tail: ['admin', 'keys'], methods: { GET: 'listAll' } },
  { tail: ['admin', 'keys', ':id'], methods: { GET: 'getAny', DELETE: 'revokeAny' } },
];

/** Splits a raw path into decoded segments; null when a segment cannot be decoded or is empty. */
export function segmentsOf(path: string): string[] | null {
  let raw = path.startsWith('/') ? path.slice(1) : path;
  if (raw.endsWith('/')) raw = raw.slice(0, -1);
  if (raw === '') return [];
  const parts = raw.split('/');
  try {
    const decoded = parts.map(decodeURIComponent);
    return decoded.some((p) => p === '') ? null : decoded;
  } catch {
    return null;
  }
}

function matchTail(segments: string[], tail: string[]): string | null | false {
  if (segments.length !== tail.length) return false;
  let id: string | null = null;
  for (let i = 0; i < tail.length; i++) {
    if (tail[i] === ':id') id = segments[i]!;
    else if (tail[i] !== segments[i]) return false;
  }
  return id;
}

export function matchAdminRoute(method: string, path: string): RouteMatch {
  const segments = segmentsOf(path);
  if (!segments) return { kind: 'not_found' };
  const verb = method.toUpperCase();
  const tryRoutes = (rest: string[], routes: typeof KEY_ROUTES, tenantId: string | null, superOnly: boolean): RouteMatch | null => {
    for (const route of routes) {
      const id = matchTail(rest, route.tail);
      if (id === false) continue;
      const action = Object.hasOwn(route.methods, verb) ? route.methods[verb] : undefined;
      if (!action) return { kind: 'method_not_allowed', allow: Object.keys(route.methods) };
      return { kind: 'route', action, tenantId, id, superOnly };
    }
    return null;
  };
  const found =
    (segments[0] === 'tenants' && segments.length >= 3 ? tryRoutes(segments.slice(2), KEY_ROUTES, segments[1]!, false) : null) ??
    tryRoutes(segments, SUPER_ROUTES, null, true) ??
    tryRoutes(segments, KEY_ROUTES, null, false);
  return found ?? { kind: 'not_found' };
}
