import { KeysmithError } from '../errors/errors.js';
import type { PermissionQuery } from '../permissions/query.js';
import type { ResourceRef } from '../permissions/requirements.js';

/** What a request needs of the key, and how to count it: the second argument of `keyring.verify`. */
export interface VerifyOptions {
  /**
   * Every one of these scopes is required (wildcards in the key's scopes count).
   * @default [] (no scope required)
   * @example ['evidence:read']
   */
  scopes?: readonly string[];
  /** At least one of these scopes is required. @default [] (no scope required) */
  anyScopes?: readonly string[];
  /**
   * A permission query (`AND`, `OR`, `NOT`, parentheses); parse it once with `parseQuery` when you
   * check it often. A query that does not parse is never satisfied (`INSUFFICIENT_SCOPE`).
   * @example 'evidence:read AND (controls:read OR controls:write)'
   */
  query?: string | PermissionQuery;
  /**
   * Resource ids the request touches; each must be allowed by the key's resource limits
   * (`FORBIDDEN_RESOURCE` otherwise).
   * @example { kind: 'project', id: 'p1' }
   */
  resource?: ResourceRef | readonly ResourceRef[];
  /**
   * The caller's address, checked against the key's `ipAllowlist`. A key with an allowlist fails
   * closed (`FORBIDDEN_ADDRESS`) when no address is given. Read only when needed (the key has an
   * allowlist, or `failedAttempts` is on), so it may be a getter.
   */
  ip?: string;
  /**
   * Credits to consume when the key has `remaining`, and units counted by its rate limits: a whole
   * number, 0 or more (0 checks without spending).
   * @default 1
   * @throws KeysmithError `CONFIG` (as a rejected promise) for any other value
   */
  cost?: number;
  /**
   * `false` checks the key and its permissions only: no rate limit, no credit. For re-checking a
   * request that was already counted (the MCP guard re-verifies every JSON-RPC message).
   * @default true
   */
  limits?: boolean;
}

/** Whether `cost` is a whole number, 0 or more (what `verify` and every middleware accept). */
export const isValidCost = (cost: unknown): cost is number => Number.isSafeInteger(cost) && (cost as number) >= 0;

/** The error for a `cost` that `isValidCost` refuses. */
export const invalidCost = (): KeysmithError => new KeysmithError('CONFIG', 'cost must be a whole number, 0 or more');
