import { isKeysmithError } from 'keysmith';
import { redactSecrets } from '../errors/redact.js';

/** Exit codes of the `keysmith` binary. */
export const EXIT = {
  /** Success. */
  OK: 0,
  /** A leaked key was found, a token is not valid, or the operator refused a confirmation. */
  FOUND: 1,
  /** Usage or configuration error, or the store could not be reached: one line says why. */
  USAGE: 2,
} as const;

/** An error the CLI reports as one line on stderr, then exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.USAGE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
// SQLSTATE classes that mean "this server or database cannot be used as configured".
const PG_CONFIG_STATES: Record<string, string> = {
  '28P01': 'password authentication failed',
  '28000': 'authorization failed',
  '3D000': 'the database does not exist',
  '57P03': 'the server is starting up or shutting down',
  '53300': 'too many connections',
};

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
  operation?: unknown;
}

function firstLine(text: string): string {
  return redactSecrets(text.split('\n')[0]!.trim());
}

/** The driver's reason for a store failure, as one short phrase (never values from a query). */
function storeReason(error: unknown, depth = 0): string | null {
  if (!error || typeof error !== 'object' || depth > 4) return null;
  const e = error as ErrorLike;
  const code = typeof e.code === 'string' ? e.code : '';
  if (code === '42P01' || code === '3F000') return 'the key table does not exist: run `keysmith migrate` first';
  if (PG_CONFIG_STATES[code]) return PG_CONFIG_STATES[code]!;
  if (CONNECTION_CODES.has(code)) return `connection failed (${code})`;
  if (typeof e.name === 'string' && /^Mongo(ServerSelection|Network|Topology)/.test(e.name)) return 'MongoDB server not reachable (server selection timed out)';
  if (e instanceof AggregateError && e.errors.length > 0) return storeReason(e.errors[0], depth + 1);
  const nested = storeReason(e.cause, depth + 1);
  if (nested) return nested;
  if (typeof e.message === 'string' && /timeout|timed out|terminated|closed|ECONN/i.test(e.message)) return firstLine(e.message);
  return null;
}

/** Turns anything thrown by a command into the one line to print and the exit code. */
export function describeFailure(error: unknown): { line: string; exitCode: number } {
  if (error instanceof CliError) return { line: firstLine(error.message), exitCode: error.exitCode };
  if (isKeysmithError(error)) {
    switch (error.code) {
      case 'STORE_UNAVAILABLE': {
        const reason = storeReason(error.cause);
        return { line: `the key store is unavailable${reason ? `: ${reason}` : ''}`, exitCode: EXIT.USAGE };
      }
      case 'VALIDATION': {
        const issues = error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ');
        return { line: `invalid input${issues ? `: ${firstLine(issues)}` : `: ${firstLine(error.message)}`}`, exitCode: EXIT.USAGE };
      }
      case 'CONFIG':
      case 'INVALID_QUERY':
        return { line: firstLine(error.message), exitCode: EXIT.USAGE };
      default:
        return { line: `${firstLine(error.message)} (${error.code})`, exitCode: EXIT.FOUND };
    }
  }
  const reason = storeReason(error);
  if (reason) return { line: `the key store is unavailable: ${reason}`, exitCode: EXIT.USAGE };
  if (error && typeof error === 'object' && (error as ErrorLike).name === 'PostgresStoreError') {
    return {
      line: `the key store refused the ${String((error as ErrorLike).operation ?? 'query')} (SQLSTATE ${String((error as ErrorLike).code)})`,
      exitCode: EXIT.USAGE,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { line: `unexpected error: ${firstLine(message)} (KEYSMITH_DEBUG=1 prints the stack)`, exitCode: EXIT.USAGE };
}
