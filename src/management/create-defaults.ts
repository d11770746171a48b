import { KeysmithError } from '../errors/errors.js';
import { applyPreset, EMPTY_PERMISSION_FIELDS, mergeMcp, type PermissionFields, type Policy } from '../permissions/policy.js';
import type { McpLimits } from '../store/record.js';
import { createDefaultsSchema, toFieldIssues } from './validation.js';

/**
 * What `create` gives a key for the fields its input leaves out: the keyring option
 * `createDefaults`. Fields given to `create` win, then the preset's (the input's or this default
 * preset), then these. For instance Chordia's "every new key is a supervisor with role Admin":
 * `createDefaults: { roles: ['Admin'], resources: { agent: ['*'] } }`.
 */
export interface CreateDefaults {
  scopes?: string[];
  roles?: string[];
  /** A preset applied when the input names none. */
  preset?: string;
  resources?: Record<string, string[]>;
  requireMapping?: boolean | string[];
  mcp?: Partial<McpLimits>;
  /** An expiry for keys created without `expiresAt`/`expiresIn` (`'90d'`). @default no expiry */
  expiresIn?: string | number;
}

/** The defaults' base for `applyPreset`, and the rest; checked once, at `createKeyring`. */
export interface ResolvedDefaults {
  fields: PermissionFields;
  requireMapping: boolean | string[];
  preset: string | undefined;
  expiresIn: string | number | undefined;
}

/**
 * Validates `createDefaults` against the keyring's vocabulary, roles and presets.
 * @throws KeysmithError `CONFIG` naming the first bad field
 */
export function resolveCreateDefaults(defaults: CreateDefaults | undefined, policy: Policy): ResolvedDefaults {
  const parsed = createDefaultsSchema.safeParse(defaults ?? {});
  if (!parsed.success) {
    const issue = toFieldIssues(parsed.error)[0]!;
    throw new KeysmithError('CONFIG', `createDefaults.${issue.path.join('.')}: ${issue.message}`);
  }
  const d = parsed.data;
  if (d.preset !== undefined && !policy.preset(d.preset))
    throw new KeysmithError('CONFIG', `createDefaults.preset: unknown preset ${JSON.stringify(d.preset)}`);
  const fields = applyPreset(
    undefined,
    {},
    {
      scopes: d.scopes ?? EMPTY_PERMISSION_FIELDS.scopes,
      roles: d.roles ?? EMPTY_PERMISSION_FIELDS.roles,
      resources: d.resources ?? EMPTY_PERMISSION_FIELDS.resources,
      mcp: d.mcp ? mergeMcp(EMPTY_PERMISSION_FIELDS.mcp, d.mcp) : EMPTY_PERMISSION_FIELDS.mcp,
    },
  );
  const issue = [...policy.scopeIssues(fields.scopes), ...policy.roleIssues(fields.roles)][0];
  if (issue) throw new KeysmithError('CONFIG', `createDefaults.${issue.path.join('.')}: ${issue.message}`);
  return { fields, requireMapping: d.requireMapping ?? false, preset: d.preset, expiresIn: d.expiresIn };
}
