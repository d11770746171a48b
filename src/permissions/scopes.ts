/**
 * Scopes are `resource:action` strings (any number of `:` segments, or a single word such as
 * `READ_EVIDENCE`). In a granted scope, `*` alone grants everything, a `*` segment matches any one
 * segment, and a trailing `*` segment matches one or more segments: `evidence:*` grants
 * `evidence:read` and `evidence:read:own`; `*:read` grants `evidence:read`.
 */
const SCOPE_RE = /^(?:\*|[A-Za-z0-9_.-]+)(?::(?:\*|[A-Za-z0-9_.-]+))*$/;
const MAX_SCOPE_LENGTH = 128;

export function isValidScope(scope: string): boolean {
  return scope.length > 0 && scope.length <= MAX_SCOPE_LENGTH && SCOPE_RE.test(scope);
}

export function isWildcard(scope: string): boolean {
  return scope.includes('*');
}

/**
 * True when every concrete scope that `wanted` stands for is granted by `granted`.
 * For a concrete `wanted` this is plain matching; for a wildcard it is inclusion, which is what the
 * no-escalation rule needs (`evidence:*` is not covered by `evidence:read`).
 */
export function covers(granted: string, wanted: string): boolean {
  if (granted === '*' || granted === wanted) return true;
  const g = granted.split(':');
  const w = wanted.split(':');
  for (let i = 0; i < g.length; i++) {
    if (g[i] === '*' && i === g.length - 1) return w.length >= g.length;
    if (i >= w.length) return false;
    if (g[i] !== '*' && g[i] !== w[i]) return false;
  }
  return g.length === w.length;
}

export function coveredByAny(granted: readonly string[], wanted: string): boolean {
  for (const g of granted) if (covers(g, wanted)) return true;
  return false;
}
