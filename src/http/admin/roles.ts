import { KeysmithError } from '../../errors/errors.js';
import type { AdminActor } from './actor.js';

/** The signed-in user as the application's own session knows it. */
export interface SessionUser {
  userId: string;
  /** The tenant (organisation, project) the user acts in. */
  tenantId: string;
  roles: readonly string[];
}

/** Which of the application's roles manage keys. */
export interface RoleRules {
  /** Roles that manage the keys of their own tenant. */
  admin: readonly string[];
  /** Roles that may also address any tenant (`/tenants/:tenantId/…`, a mapped tenant parameter) and the across-tenant routes. */
  superAdmin?: readonly string[];
}

const roleList = (value: unknown) => Array.isArray(value) && value.every((r) => typeof r === 'string' && r.length > 0);

/**
 * An `authorize` for the admin API from the application's session and role names: no session is
 * null (401), a user holding none of the roles is false (403), an admin is an actor of its own
 * tenant, a super-admin one that may address any tenant. Every seed system gates key management
 * this way ("Tenant Admins", "Admin or SuperAdmin").
 *
 * @throws KeysmithError CONFIG when `rules` names no admin role
 * @example
 * app.use('/admin', adminRouter(keyring, { authorize: authorizeByRole((req) => mySession(req), { admin: ['Admin'], superAdmin: ['SuperAdmin'] }) }));
 */
export function authorizeByRole<Req>(
  session: (req: Req) => SessionUser | null | undefined | Promise<SessionUser | null | undefined>,
  rules: RoleRules,
): (req: Req) => Promise<AdminActor | null | false> {
  if (typeof session !== 'function' || !roleList(rules?.admin) || rules.admin.length === 0 || (rules.superAdmin !== undefined && !roleList(rules.superAdmin)))
    throw new KeysmithError('CONFIG', 'authorizeByRole(session, { admin: [role, …], superAdmin?: [role, …] })');
  const holds = (user: SessionUser, roles: readonly string[] = []) => roles.some((r) => user.roles.includes(r));
  return async (req) => {
    const user = await session(req);
    if (!user) return null;
    const superAdmin = holds(user, rules.superAdmin);
    return superAdmin || holds(user, rules.admin) ? { actorId: user.userId, tenantId: user.tenantId, superAdmin } : false;
  };
}
