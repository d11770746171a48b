import { KeysmithError, type FieldIssue } from '../errors/errors.js';
import { canAccess, isLimited, type Permissions } from './permissions.js';
import { coveredByAny } from './scopes.js';
import type { McpLimits } from '../store/record.js';

/**
 * The permissions of whoever mints or edits a key: a user's role mapped to scopes, or a key's own
 * `Permissions`. Omitted parts are unlimited (a tenant admin's resources and MCP access).
 */
export interface ActorPermissions {
  scopes: string[];
  resources?: Record<string, string[]>;
  requireMapping?: boolean | string[];
  mcp?: McpLimits;
}

function mcpIssues(actor: McpLimits, target: McpLimits): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!target.enabled) return issues;
  if (!actor.enabled) issues.push({ path: ['mcp', 'enabled'], message: 'You cannot grant MCP access you do not have' });
  if (actor.readOnly && !target.readOnly) issues.push({ path: ['mcp', 'readOnly'], message: 'You hold read-only MCP access' });
  const allowedByActor = (tool: string) =>
    actor.tools.mode === 'all' ||
    (actor.tools.mode === 'allow' ? actor.tools.names.includes(tool) : !actor.tools.names.includes(tool));
  const ok =
    actor.tools.mode === 'all' ||
    (target.tools.mode === 'allow' && target.tools.names.every(allowedByActor)) ||
    (actor.tools.mode === 'deny' && target.tools.mode === 'deny' && actor.tools.names.every((t) => target.tools.names.includes(t)));
  if (!ok) issues.push({ path: ['mcp', 'tools'], message: 'You cannot grant MCP tools you may not use' });
  return issues;
}

/** Throws `ESCALATION` when `target` would hold any right that `actor` does not. */
export function assertNoEscalation(actor: ActorPermissions, target: Permissions): void {
  const issues: FieldIssue[] = [];
  for (const scope of target.scopes) {
    if (!coveredByAny(actor.scopes, scope)) issues.push({ path: ['scopes'], message: `You do not hold scope ${scope}` });
  }
  const actorPerms: Permissions = {
    scopes: actor.scopes,
    roles: [],
    resources: actor.resources ?? {},
    requireMapping: actor.requireMapping ?? false,
    mcp: actor.mcp ?? target.mcp,
  };
  const kinds = new Set([...Object.keys(actorPerms.resources), ...(Array.isArray(actorPerms.requireMapping) ? actorPerms.requireMapping : [])]);
  for (const kind of kinds) {
    if (!isLimited(actorPerms, kind)) continue;
    const ids = Object.hasOwn(target.resources, kind) ? target.resources[kind]! : [];
    if (!isLimited(target, kind) || ids.some((id) => !canAccess(actorPerms, kind, id))) {
      issues.push({ path: ['resources', kind], message: `You may only grant ${kind} ids you can access yourself` });
    }
  }
  if (actor.mcp) issues.push(...mcpIssues(actor.mcp, target.mcp));
  if (issues.length > 0) throw new KeysmithError('ESCALATION', 'The key would hold permissions you do not have', { issues });
}
