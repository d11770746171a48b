import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js';
import { KeysmithError, parseQuery, type Keyring, type PermissionQuery, type VerifyFailure } from 'keysmith';
import { failureClass, isValidScope, type FailureClass } from 'keysmith/http';
import { z } from 'zod';
import { toAuthInfo, type AuthInfoOptions } from './auth-info.js';

/** The part of a keyring this adapter uses, so a wrapper or a test double of the keyring fits. */
export type KeyVerifier = Pick<Keyring, 'verify'>;

export interface AuthenticateOptions extends AuthInfoOptions {
  /** Every one of these scopes is required for any MCP access (wildcards understood, unlike the SDK's `requiredScopes`). */
  scopes?: readonly string[];
  /** At least one of these scopes is required. */
  anyScopes?: readonly string[];
  /** A permission query such as `"mcp:use OR admin:*"`. */
  query?: string | PermissionQuery;
  /** Credits consumed per authenticated HTTP request when the key has `remaining`. @default 1 */
  cost?: number;
  /** `false`: no rate limit and no credit, for a re-check of a request already counted. @default true */
  limits?: boolean;
}

/** Why a bearer token was refused, independent of how the transport answers. */
export interface AuthFailure {
  /** What each transport answers (keysmith/http `FAILURES`); paused MCP access is `forbidden`. */
  class: FailureClass;
  message: string;
  /** The verify code, or `MCP_DISABLED` when the key is fine but its MCP access is paused. */
  code: VerifyFailure['code'] | 'MCP_DISABLED';
  requiredScopes?: string[];
  retryAfterMs?: number;
  /** The key's id once the token parsed. */
  keyId?: string;
}

export type AuthOutcome = { ok: true; authInfo: AuthInfo } | { ok: false; failure: AuthFailure };

const scopeList = z.array(z.string().refine(isValidScope, 'Not a valid scope')).readonly();
const optionsSchema = z.looseObject({
  scopes: scopeList.optional(),
  anyScopes: scopeList.optional(),
  query: z.unknown().optional(),
  cost: z.int().min(0).optional(),
  limits: z.boolean().optional(),
  expiryHorizonSeconds: z
    .int()
    .positive()
    .max(366 * 86_400)
    .optional(),
  now: z.custom<() => number>((v) => typeof v === 'function', 'A function').optional(),
});

/**
 * Checks options once, where a middleware or verifier is built, so a typo fails at startup; a
 * query string is parsed here too.
 * @throws KeysmithError `CONFIG` (or `INVALID_QUERY` for a bad query)
 */
export function checkAuthenticateOptions<T extends AuthenticateOptions>(options: T): T {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success)
    throw new KeysmithError('CONFIG', `Invalid keysmith/mcp options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return typeof options.query === 'string' ? { ...options, query: parseQuery(options.query) } : options;
}

const MCP_DISABLED_MESSAGE = 'MCP access is disabled for this API key';

function failureOf(result: VerifyFailure): AuthFailure {
  return {
    class: failureClass(result.code),
    code: result.code,
    message: result.message,
    ...(result.requiredScopes ? { requiredScopes: result.requiredScopes } : {}),
    ...(result.retryAfterMs !== undefined ? { retryAfterMs: result.retryAfterMs } : {}),
    ...(result.keyId !== undefined ? { keyId: result.keyId } : {}),
  };
}

const mcpDisabled = (keyId: string): AuthFailure => ({ class: 'forbidden', code: 'MCP_DISABLED', message: MCP_DISABLED_MESSAGE, keyId });

/** Verifies a bearer token for MCP use: the key must be usable and its `mcp.enabled` set. */
export async function authenticate(keyring: KeyVerifier, token: string, options: AuthenticateOptions & { ip?: string } = {}): Promise<AuthOutcome> {
  const result = await keyring.verify(token, {
    ...(options.scopes ? { scopes: options.scopes } : {}),
    ...(options.anyScopes ? { anyScopes: options.anyScopes } : {}),
    ...(options.query !== undefined ? { query: options.query } : {}),
    ...(options.ip !== undefined ? { ip: options.ip } : {}),
    ...(options.cost !== undefined ? { cost: options.cost } : {}),
    ...(options.limits === false ? { limits: false } : {}),
  });
  if (!result.valid) return { ok: false, failure: failureOf(result) };
  if (!result.permissions.mcp.enabled) return { ok: false, failure: mcpDisabled(result.key.id) };
  return { ok: true, authInfo: toAuthInfo(token, result, options) };
}
