import { KeysmithError, shown, type FieldIssue } from '../errors/errors.js';
import type { Permissions } from './permissions.js';
import { BUILTIN_PRESETS, DEFAULT_MCP, type PresetDefinition } from './presets.js';
import { resolveRoles, type RolesConfig } from './roles.js';
import { covers, isValidScope, isWildcard } from './scopes.js';
import type { ApiKeyRecord, McpLimits } from '../store/record.js';

/** A scope vocabulary: a list, or anything with `options` (a zod enum). */
export type ScopeVocabulary = readonly string[] | { readonly options: readonly string[] };

export interface PolicyOptions {
  scopes?: ScopeVocabulary;
  roles?: RolesConfig;
  presets?: Record<string, PresetDefinition>;
  requireMapping?: boolean | string[];
}

/** The permission fields a key is minted or edited with, before and after a preset fills them. */
export interface PermissionFields {
  scopes: string[];
  roles: string[];
  resources: Record<string, string[]>;
  mcp: McpLimits;
}

/** The keyring's permission configuration, checked once at creation. */
export class Policy {
  readonly vocabulary: readonly string[] | null;
  readonly presets: Record<string, PresetDefinition>;
  readonly requireMapping: boolean | string[];
  private readonly roles: Map<string, string[]>;

  constructor(options: PolicyOptions) {
    const vocab =
      options.scopes === undefined ? null : Array.isArray(options.scopes) ? options.scopes : (options.scopes as { options: readonly string[] }).options;
    this.vocabulary = vocab ? [...vocab] : null;
    for (const scope of this.vocabulary ?? []) {
      if (!isValidScope(scope) || isWildcard(scope)) throw new KeysmithError('CONFIG', `Invalid scope in vocabulary: ${JSON.stringify(scope)}`);
    }
    this.roles = resolveRoles(options.roles);
    for (const [role, scopes] of this.roles) {
      const issues = this.scopeIssues(scopes, ['roles', role]);
      if (issues.length) throw new KeysmithError('CONFIG', `Role ${role}: ${issues[0]!.message}`);
    }
    this.presets = { ...BUILTIN_PRESETS, ...options.presets };
    this.requireMapping = options.requireMapping ?? false;
  }

  /** Unknown scopes (outside the vocabulary) as field issues; a wildcard must cover a known scope. */
  scopeIssues(scopes: readonly string[], path: (string | number)[] = ['scopes']): FieldIssue[] {
    const issues: FieldIssue[] = [];
    scopes.forEach((scope, i) => {
      if (!isValidScope(scope)) issues.push({ path: [...path, i], message: `Invalid scope ${shown(scope)}` });
      else if (this.vocabulary && !(isWildcard(scope) ? this.vocabulary.some((v) => covers(scope, v)) : this.vocabulary.includes(scope))) {
        issues.push({ path: [...path, i], message: `Unknown scope ${shown(scope)}` });
      }
    });
    return issues;
  }

  /** The names of the configured roles (the only ones a key may hold). */
  get roleNames(): string[] {
    return [...this.roles.keys()];
  }

  roleIssues(roles: readonly string[]): FieldIssue[] {
    return roles.flatMap((role, i) => (this.roles.has(role) ? [] : [{ path: ['roles', i], message: `Unknown role ${shown(role)}` }]));
  }

  preset(name: string): PresetDefinition | undefined {
    return Object.hasOwn(this.presets, name) ? this.presets[name] : undefined;
  }

  /** The key's own scopes plus its roles' (inheritance already flattened). */
  permissionsOf(record: Pick<ApiKeyRecord, 'scopes' | 'roles' | 'resources' | 'mcp'> & { requireMapping?: boolean | string[] }): Permissions {
    const scopes = new Set(record.scopes);
    for (const role of record.roles) for (const s of this.roles.get(role) ?? []) scopes.add(s);
    return {
      scopes: [...scopes],
      roles: [...record.roles],
      resources: record.resources,
      requireMapping: combineMapping(this.requireMapping, record.requireMapping ?? false),
      mcp: record.mcp,
    };
  }
}

/** The keyring's fail-closed kinds plus the key's own: a key can add kinds, never remove the keyring's. */
function combineMapping(keyring: boolean | string[], key: boolean | string[]): boolean | string[] {
  if (keyring === true || key === true) return true;
  const kinds = [...(keyring || []), ...(key || [])];
  return kinds.length === 0 ? false : [...new Set(kinds)];
}

/** Fills permission fields from a preset; fields the caller gave explicitly win. */
export function applyPreset(
  preset: PresetDefinition | undefined,
  explicit: Partial<Omit<PermissionFields, 'mcp'>> & { mcp?: Partial<McpLimits> },
  base: PermissionFields,
): PermissionFields {
  const mcpBase: McpLimits = preset?.mcp ? mergeMcp(base.mcp, preset.mcp) : base.mcp;
  return {
    scopes: explicit.scopes ?? preset?.scopes ?? base.scopes,
    roles: explicit.roles ?? preset?.roles ?? base.roles,
    resources: explicit.resources ?? preset?.resources ?? base.resources,
    mcp: explicit.mcp ? mergeMcp(mcpBase, explicit.mcp) : mcpBase,
  };
}

export function mergeMcp(base: McpLimits, patch: Partial<McpLimits>): McpLimits {
  return {
    enabled: patch.enabled ?? base.enabled,
    tools: patch.tools ? { mode: patch.tools.mode, names: [...patch.tools.names] } : { mode: base.tools.mode, names: [...base.tools.names] },
    readOnly: patch.readOnly ?? base.readOnly,
  };
}

export const EMPTY_PERMISSION_FIELDS: PermissionFields = { scopes: [], roles: [], resources: {}, mcp: DEFAULT_MCP };
