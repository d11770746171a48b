import { z } from 'zod';
import { KeysmithError } from '../../errors/errors.js';
import type { ActorPermissions } from '../../permissions/escalation.js';
import type { Keyring } from '../../keyring.js';
import { isValidScope } from '../../permissions/scopes.js';
import { createAuthenticator, requestViewAccess, type RequestView } from '../authenticate.js';

/** Who calls the admin API, as the application's `authorize(request)` tells it. */
export interface AdminActor {
  /** Recorded as `createdBy` / `revokedBy`. */
  actorId: string;
  /** The tenant this actor administers; `/keys…` routes act on it. */
  tenantId: string;
  /** May address any tenant (`/tenants/:tenantId/keys…`, `/admin/keys…`). */
  superAdmin?: boolean;
  /** The actor's own rights: it can never grant more. Omit for a tenant admin with every right. */
  permissions?: ActorPermissions;
  /** Shorthand for `permissions: { scopes }`. */
  scopes?: string[];
  /**
   * Confines the actor to the keys of one resource, as `kind:id` (`'project:p1'`): a project admin.
   * It lists only keys whose `resources[kind]` names the id, answers 404 for any other key, and every
   * key it creates or edits stays limited to that id (a create without that kind gets `[id]`).
   */
  resource?: string;
}

export interface ResolvedActor {
  actorId: string;
  tenantId: string;
  superAdmin: boolean;
  permissions: ActorPermissions | undefined;
  /** The one resource the actor is confined to, or null. */
  resource: { kind: string; id: string } | null;
}

const RESOURCE = /^([A-Za-z][A-Za-z0-9_-]{0,63}):([^\u0000-\u001f]{1,256})$/;

const actorSchema = z.object({
  actorId: z.string().min(1).max(128),
  tenantId: z.string().min(1).max(128),
  superAdmin: z.boolean().optional(),
  permissions: z.looseObject({ scopes: z.array(z.string()) }).optional(),
  scopes: z.array(z.string()).optional(),
  resource: z.string().regex(RESOURCE).optional(),
});

/** Checks what `authorize` returned; a wrong shape is the application's bug, so it throws CONFIG. */
export function resolveActor(value: unknown): ResolvedActor | null {
  if (value === null || value === undefined) return null;
  const parsed = actorSchema.safeParse(value);
  if (!parsed.success)
    throw new KeysmithError('CONFIG', 'authorize() must return { actorId, tenantId, superAdmin?, permissions?, resource?: "kind:id" } or null');
  const actor = value as AdminActor;
  const match = actor.resource === undefined ? null : RESOURCE.exec(actor.resource);
  if (match && actor.superAdmin === true) throw new KeysmithError('CONFIG', 'authorize(): an actor confined to a resource cannot be a super-admin');
  const resource = match ? { kind: match[1]!, id: match[2]! } : null;
  let permissions = actor.permissions ?? (actor.scopes ? { scopes: actor.scopes } : undefined);
  // Confinement is a permission limit: the no-escalation rule then keeps every key it touches on that id.
  if (resource) permissions = { ...(permissions ?? { scopes: ['*'] }), resources: { ...permissions?.resources, [resource.kind]: [resource.id] } };
  return { actorId: actor.actorId, tenantId: actor.tenantId, superAdmin: actor.superAdmin === true, permissions, resource };
}

export interface KeyActorOptions {
  /** The scope the admin key must hold. @default "keys:manage" */
  scope?: string;
  /** Also read the key from this header, e.g. `"x-api-key"`. */
  header?: string;
}

/**
 * The framework-neutral half of `authorizeWithKey`: a keysmith key holding `scope` becomes a
 * tenant admin of its own tenant, limited to its own permissions and limits (no escalation). Any other key,
 * or none, is not signed in (null → 401). An unreachable store throws, so the answer is 503.
 */
export function createKeyActorResolver(keyring: Pick<Keyring, 'verify'>, options: KeyActorOptions = {}) {
  const scope = options.scope ?? 'keys:manage';
  if (!isValidScope(scope)) throw new KeysmithError('CONFIG', `authorizeWithKey: invalid scope ${JSON.stringify(scope)}`);
  const authenticator = createAuthenticator<RequestView>(keyring, { scopes: [scope], header: options.header }, requestViewAccess);
  return async (view: RequestView): Promise<AdminActor | null> => {
    // Never a key an earlier middleware attached: the admin key is verified on its own.
    const outcome = await authenticator.authenticate({ header: view.header, ip: view.ip });
    if (!outcome.ok) {
      if (outcome.answer.status === 503) throw new KeysmithError('STORE_UNAVAILABLE', 'The key store is unavailable');
      return null;
    }
    const { key, permissions } = outcome.apiKey;
    return {
      actorId: `key:${key.id}`,
      tenantId: key.tenantId,
      // Every dimension of the key, limits included: it can never mint or edit a key past any of them.
      permissions: {
        scopes: permissions.scopes,
        resources: permissions.resources,
        requireMapping: permissions.requireMapping,
        mcp: permissions.mcp,
        expiresAt: key.expiresAt,
        ipAllowlist: key.ipAllowlist,
        remaining: key.remaining,
        refill: key.refill,
        rateLimits: key.rateLimits,
      },
    };
  };
}
