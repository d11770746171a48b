import type { McpLimits, RateLimit, Refill } from '../store/record.js';

/** A named template applied at create/update; explicit input fields win over the preset's. */
export interface PresetDefinition {
  scopes?: string[];
  roles?: string[];
  resources?: Record<string, string[]>;
  /** Fail closed for keys made with this preset (see `ApiKeyRecord.requireMapping`). */
  requireMapping?: boolean | string[];
  mcp?: Partial<McpLimits>;
  rateLimits?: RateLimit[];
  remaining?: number | null;
  refill?: Refill | null;
}

export const DEFAULT_MCP: McpLimits = { enabled: true, tools: { mode: 'all', names: [] }, readOnly: false };

/** Built in; an application preset of the same name replaces them. */
export const BUILTIN_PRESETS: Record<string, PresetDefinition> = {
  'read-only': { scopes: ['*:read'], mcp: { readOnly: true } },
  'full-access': { scopes: ['*'] },
};
