import type { AuthFailure } from './authenticate.js';

/** A framework-neutral HTTP answer for a refused bearer token (RFC 6750 §3). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: { error: string; error_description: string };
}

export interface AnswerOptions {
  /** Added to `WWW-Authenticate` as `resource_metadata` (OAuth Protected Resource Metadata). */
  resourceMetadataUrl?: string;
}

/** Quoted-string content: no quotes, backslashes or control characters can break the header. */
const quoted = (text: string) => text.replace(/[\\"\u0000-\u001f\u007f]/g, ' ');

function challenge(error: string, description: string, scopes: string[] | undefined, options: AnswerOptions): string {
  let header = `Bearer error="${error}", error_description="${quoted(description)}"`;
  if (scopes && scopes.length > 0) header += `, scope="${quoted(scopes.join(' '))}"`;
  if (options.resourceMetadataUrl) header += `, resource_metadata="${quoted(options.resourceMetadataUrl)}"`;
  return header;
}

/**
 * 401 `invalid_token` for an unusable key (or a missing or malformed header, as the SDK does),
 * 403 `insufficient_scope` for a valid key without the right (MCP access paused included),
 * 429 with `Retry-After` for rate limits and exhausted credits, 503 when the store is unreachable.
 */
export function httpAnswerFor(failure: AuthFailure, options: AnswerOptions = {}): HttpAnswer {
  switch (failure.kind) {
    case 'invalid_token':
      return {
        status: 401,
        headers: { 'WWW-Authenticate': challenge('invalid_token', failure.message, undefined, options) },
        body: { error: 'invalid_token', error_description: failure.message },
      };
    case 'insufficient_scope':
      return {
        status: 403,
        headers: { 'WWW-Authenticate': challenge('insufficient_scope', failure.message, failure.requiredScopes, options) },
        body: { error: 'insufficient_scope', error_description: failure.message },
      };
    case 'rate_limited':
      return {
        status: 429,
        headers: failure.retryAfterMs !== undefined ? { 'Retry-After': String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000))) } : {},
        body: { error: 'too_many_requests', error_description: failure.message },
      };
    case 'unavailable':
      return { status: 503, headers: { 'Retry-After': '1' }, body: { error: 'temporarily_unavailable', error_description: failure.message } };
  }
}

/** The token of an `Authorization: Bearer …` header, or a failure phrased like the SDK's. */
export function bearerToken(header: string | null | undefined): { token: string } | { failure: AuthFailure } {
  if (!header) return { failure: { kind: 'invalid_token', code: 'MISSING_TOKEN', message: 'Missing Authorization header' } };
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  if (!match) return { failure: { kind: 'invalid_token', code: 'MISSING_TOKEN', message: "Invalid Authorization header format, expected 'Bearer TOKEN'" } };
  return { token: match[1]! };
}
