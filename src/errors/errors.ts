import { redactSecrets } from './redact.js';

/** Codes of the errors thrown by the keyring's management calls and by stores. */
export const KeysmithErrorCode = {
  VALIDATION: 'VALIDATION',
  NOT_FOUND: 'NOT_FOUND',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  DUPLICATE_ID: 'DUPLICATE_ID',
  ESCALATION: 'ESCALATION',
  INVALID_QUERY: 'INVALID_QUERY',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  CONFIG: 'CONFIG',
  // Answered by the admin API over HTTP; thrown by `keysmith/client` as the server sent them.
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  CSRF_HEADER_REQUIRED: 'CSRF_HEADER_REQUIRED',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  INTERNAL: 'INTERNAL',
} as const;

export type KeysmithErrorCode = (typeof KeysmithErrorCode)[keyof typeof KeysmithErrorCode];

/** One field problem, in zod's shape: where (`path`) and what (`message`). */
export interface FieldIssue {
  path: (string | number)[];
  message: string;
  code?: string;
}

/**
 * The one error class keysmith throws. Never carries a token or a hash.
 * Use `isKeysmithError(e)` rather than `instanceof` when several copies may be loaded.
 */
export class KeysmithError extends Error {
  readonly code: KeysmithErrorCode;
  readonly issues: FieldIssue[];
  /** Marker that survives duplicated module copies, for `isKeysmithError`. */
  readonly isKeysmithError = true;

  /** The one place errors are built: the message and every issue's message and path are redacted here (`redactSecrets`). */
  constructor(code: KeysmithErrorCode, message: string, options: { issues?: FieldIssue[]; cause?: unknown } = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeysmithError';
    this.code = code;
    this.issues = (options.issues ?? []).map(redactIssue);
  }
}

/** An issue whose message and path segments carry no token-shaped string. */
function redactIssue(issue: FieldIssue): FieldIssue {
  const path = issue.path.map((p) => (typeof p === 'string' ? redactSecrets(p) : p));
  return { ...issue, path, message: redactSecrets(issue.message) };
}

export function isKeysmithError(error: unknown): error is KeysmithError {
  return typeof error === 'object' && error !== null && (error as { isKeysmithError?: unknown }).isKeysmithError === true;
}

/** Wraps whatever a store threw so that driver messages (which may echo values) stay in `cause`. */
export function storeUnavailable(cause: unknown): KeysmithError {
  if (isKeysmithError(cause)) return cause;
  return new KeysmithError('STORE_UNAVAILABLE', 'The key store is unavailable', { cause });
}

/**
 * A caller's value, quoted in an error message only when it cannot be a secret: short and
 * identifier-like. A token pasted into the wrong field (>= 56 characters) is never echoed back.
 */
export function shown(value: string): string {
  return value.length <= 40 && /^[A-Za-z0-9_.:*-]*$/.test(value) ? JSON.stringify(value) : '(value not shown)';
}
