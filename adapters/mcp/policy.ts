import { canAccess, canAll, type Permissions } from 'keysmith';
import { z } from 'zod';

/** What the guard needs to know about a tool: its name and, for `readOnly` keys, its annotations. */
export interface ToolFacts {
  name: string;
  annotations?: { readOnlyHint?: boolean } | undefined;
}

/**
 * Resource limits on tool arguments. A string value maps an argument name to a resource kind for
 * every tool (`{ projectId: 'project' }`); an object value does it for one tool
 * (`{ deploy: { target: 'instance' } }`).
 */
export type ToolResources = Record<string, string | Record<string, string>>;

export interface ToolRules {
  /** Scopes a key needs to see and call each tool (all of them; wildcards understood). */
  toolScopes?: Record<string, readonly string[]>;
  toolResources?: ToolResources;
}

const kind = z.string().min(1);
export const toolRulesSchema = z.strictObject({
  toolScopes: z.record(z.string(), z.array(z.string().min(1)).readonly()).optional(),
  toolResources: z.record(z.string(), z.union([kind, z.record(z.string(), kind)])).optional(),
});

/**
 * May this key see and call the tool? `mcp.enabled`, the allow/deny list, `readOnly` (only tools
 * annotated `readOnlyHint: true`; a tool whose annotations are unknown is not read-only) and the
 * tool's required scopes.
 */
export function mayUseTool(permissions: Permissions, tool: ToolFacts, rules: ToolRules = {}): boolean {
  const { mcp } = permissions;
  if (!mcp.enabled) return false;
  if (mcp.tools.mode === 'allow' && !mcp.tools.names.includes(tool.name)) return false;
  if (mcp.tools.mode === 'deny' && mcp.tools.names.includes(tool.name)) return false;
  if (mcp.readOnly && tool.annotations?.readOnlyHint !== true) return false;
  const required = rules.toolScopes && Object.hasOwn(rules.toolScopes, tool.name) ? rules.toolScopes[tool.name]! : [];
  return required.length === 0 || canAll(permissions, required);
}

/** Argument name → resource kind for one tool; per-tool entries win over global ones. */
export function resourceArguments(toolName: string, resources: ToolResources | undefined): [string, string][] {
  if (!resources) return [];
  const mapping = new Map<string, string>();
  for (const [name, value] of Object.entries(resources)) if (typeof value === 'string') mapping.set(name, value);
  const own = Object.hasOwn(resources, toolName) ? resources[toolName] : undefined;
  if (own && typeof own === 'object') for (const [arg, k] of Object.entries(own)) mapping.set(arg, k);
  return [...mapping];
}

/**
 * The first argument whose resource the key may not access, or null when all are allowed.
 * An argument may hold one id (string or number) or a non-empty array of them; any other shape —
 * an empty array included, which names no resource to check — is refused (fail closed), for every
 * key. An absent argument is not checked.
 */
export function deniedArgument(
  permissions: Permissions,
  toolName: string,
  args: unknown,
  resources: ToolResources | undefined,
): { argument: string; kind: string } | null {
  const mapping = resourceArguments(toolName, resources);
  if (mapping.length === 0) return null;
  const values = typeof args === 'object' && args !== null ? (args as Record<string, unknown>) : {};
  for (const [argument, k] of mapping) {
    if (!Object.hasOwn(values, argument) || values[argument] === undefined) continue;
    const value = values[argument];
    const ids = Array.isArray(value) ? value : [value];
    const ok =
      ids.length > 0 && ids.every((id) => (typeof id === 'string' || (typeof id === 'number' && Number.isFinite(id))) && canAccess(permissions, k, String(id)));
    if (!ok) return { argument, kind: k };
  }
  return null;
}
