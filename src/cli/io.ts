import { redactSecrets } from '../errors/redact.js';

/** The streams a command writes to: stdout for results (and nothing but the token for create/rotate), stderr for everything else. */
export interface Io {
  /** Writes a result line to stdout. */
  out(text: string): void;
  /** Writes a message line to stderr (secrets are redacted, whatever the caller passes). */
  err(text: string): void;
}

/** The process's own streams. */
export const processIo: Io = {
  out: (text) => {
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  },
  err: (text) => {
    const safe = redactSecrets(text);
    process.stderr.write(safe.endsWith('\n') ? safe : `${safe}\n`);
  },
};

/** JSON for `--json`: dates as ISO strings, one line. */
export function toJson(value: unknown): string {
  return JSON.stringify(value);
}

/** Splits `a,b , c` into `['a', 'b', 'c']`; an empty string gives an empty list. */
export function commaList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
