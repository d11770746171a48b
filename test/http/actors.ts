import type { AdminActor } from 'keysmith/http';
import { TENANT_A, TENANT_B } from './fixture.js';

/**
 * The test apps' sign-in: the `x-actor` header names a session. A real app reads its own session
 * cookie here; the admin API only sees the returned actor.
 */
const ACTORS: Record<string, AdminActor> = {
  alice: { actorId: 'alice', tenantId: TENANT_A },
  bob: { actorId: 'bob', tenantId: TENANT_B },
  root: { actorId: 'root', tenantId: 'ops', superAdmin: true },
  // A tenant-A admin whose role only holds docs:read (no escalation past it).
  carol: { actorId: 'carol', tenantId: TENANT_A, permissions: { scopes: ['docs:read', 'keys:manage'] } },
  // A tenant-A admin confined to project p1 (the application says so): sees and manages p1's keys only.
  dave: { actorId: 'dave', tenantId: TENANT_A, resource: 'project:p1' },
  // A tenant-A admin limited to project p1, fail closed: every kind it does not list, it cannot reach.
  erin: { actorId: 'erin', tenantId: TENANT_A, permissions: { scopes: ['docs:read', 'keys:manage'], resources: { project: ['p1'] }, requireMapping: true } },
};

export function actorFor(header: string | string[] | undefined): AdminActor | null {
  if (typeof header !== 'string') return null;
  if (header === 'broken') return { actorId: '', tenantId: '' }; // an app bug: must give 500, not access
  return Object.hasOwn(ACTORS, header) ? ACTORS[header]! : null;
}
