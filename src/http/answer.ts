/**
 * What every keysmith HTTP answer is, before a framework sends it. Adapters copy status, headers
 * and body verbatim, so Express, Fastify and Hono answer byte for byte the same.
 */
export interface HttpAnswer {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** Serialized JSON, or null for an empty body (204). */
  body: string | null;
}

/** One field problem in an error body: where and what (zod's shape, without internals). */
export interface HttpIssue {
  path: (string | number)[];
  message: string;
}

/** The JSON body of every error keysmith answers. `code` is stable; `message` is plain English. */
export interface HttpErrorBody {
  error: { code: string; message: string; issues?: HttpIssue[] };
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A JSON answer. `cache-control: no-store`: auth answers and key material must never be cached. */
export function jsonAnswer(status: number, value: unknown, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...headers }, body: JSON.stringify(value) };
}

export function emptyAnswer(status: number, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers: { 'cache-control': 'no-store', ...headers }, body: null };
}

export function errorAnswer(
  status: number,
  code: string,
  message: string,
  options: { headers?: Record<string, string>; issues?: HttpIssue[] } = {},
): HttpAnswer {
  const error: HttpErrorBody['error'] = { code, message };
  if (options.issues) error.issues = options.issues;
  return jsonAnswer(status, { error }, options.headers);
}
