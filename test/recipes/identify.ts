import type { IncomingHttpHeaders } from 'node:http';

/**
 * The recipes' stand-in for each system's login: `x-user`, `x-tenant` and `x-roles` (comma-separated)
 * name the caller. A real application reads its own session or JWT here.
 */
export function headerIdentity(headers: IncomingHttpHeaders): { userId: string; tenantId: string; roles: string[] } | null {
  const user = headers['x-user'];
  const tenant = headers['x-tenant'];
  if (typeof user !== 'string' || typeof tenant !== 'string') return null;
  const roles = typeof headers['x-roles'] === 'string' ? headers['x-roles'].split(',').filter(Boolean) : [];
  return { userId: user, tenantId: tenant, roles };
}

/** Headers that sign in as `user` of `tenant` with `roles`. */
export const as = (user: string, tenant: string, roles: string[]) => ({ 'x-user': user, 'x-tenant': tenant, 'x-roles': roles.join(',') });

/** A small JSON client for one server. */
export function client(base: string) {
  return async (method: string, path: string, options: { headers?: Record<string, string>; body?: unknown } = {}) => {
    const res = await fetch(base + path, {
      method,
      headers: { ...options.headers, ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
  };
}
