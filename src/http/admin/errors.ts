import { isKeysmithError, type KeysmithErrorCode } from '../../errors/errors.js';
import { errorAnswer, type HttpAnswer, type HttpIssue } from '../answer.js';

/** Public error codes of the admin API besides the keyring's own (VALIDATION, NOT_FOUND, …). */
export const AdminErrorCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  /** A mutating request without the mount's `csrfHeader`. */
  CSRF_HEADER_REQUIRED: 'CSRF_HEADER_REQUIRED',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  VALIDATION: 'VALIDATION',
  ESCALATION: 'ESCALATION',
  VERSION_CONFLICT: 'VERSION_CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  MALFORMED_JSON: 'MALFORMED_JSON',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  REQUEST_TIMEOUT: 'REQUEST_TIMEOUT',
  REQUEST_ABORTED: 'REQUEST_ABORTED',
  STORE_UNAVAILABLE: 'STORE_UNAVAILABLE',
  INTERNAL: 'INTERNAL',
} as const;

const STATUS: Partial<Record<KeysmithErrorCode, number>> = {
  VALIDATION: 400,
  INVALID_QUERY: 400,
  ESCALATION: 403,
  NOT_FOUND: 404,
  VERSION_CONFLICT: 409,
  DUPLICATE_ID: 409,
  STORE_UNAVAILABLE: 503,
};

export const notFoundAnswer = (): HttpAnswer => errorAnswer(404, AdminErrorCode.NOT_FOUND, 'No such key');

export function validationAnswer(issues: HttpIssue[]): HttpAnswer {
  return errorAnswer(400, AdminErrorCode.VALIDATION, 'Invalid input', { issues });
}

const internalAnswer = (): HttpAnswer => errorAnswer(500, AdminErrorCode.INTERNAL, 'Internal server error');

/**
 * A thrown error as an answer. KeysmithErrors carry plain, token-free messages and zod's field
 * issues; anything else is a bug or a driver fault whose text may quote data, so it becomes a bare
 * 500 (the application sees the error through `onError`).
 */
export function errorToAnswer(error: unknown, onError?: (error: unknown) => void): HttpAnswer {
  if (isKeysmithError(error)) {
    const status = STATUS[error.code];
    if (status !== undefined) {
      const issues = error.issues.length > 0 || error.code === 'VALIDATION' ? error.issues.map(({ path, message }) => ({ path, message })) : undefined;
      if (status === 503) onError?.(error);
      return errorAnswer(status, error.code, error.message, issues ? { issues } : {});
    }
  }
  onError?.(error);
  return internalAnswer();
}
