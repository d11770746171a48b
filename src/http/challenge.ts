import { KeysmithError } from '../errors/errors.js';

/** RFC 6750 §3: realm, error_description and scope values are quoted strings without `"` or `\`. */
const QUOTABLE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Checks a realm once, when a middleware is built. */
export function assertRealm(realm: string): string {
  if (typeof realm !== 'string' || realm === '' || !QUOTABLE.test(realm)) {
    throw new KeysmithError('CONFIG', 'realm must be printable ASCII without quotes or backslashes');
  }
  return realm;
}

/** Drops any character a quoted attribute may not hold (messages are ours, but be safe). */
function quoted(value: string): string {
  return `"${value.replace(/[^\x20\x21\x23-\x5b\x5d-\x7e]/g, '')}"`;
}

/** Builds a `WWW-Authenticate: Bearer …` value; attributes in the order RFC 6750 shows them. */
export function bearerChallenge(realm: string, attributes: { error?: string; error_description?: string; scope?: string } = {}): string {
  const parts = [`realm=${quoted(realm)}`];
  for (const name of ['error', 'error_description', 'scope'] as const) {
    const value = attributes[name];
    if (value !== undefined && value !== '') parts.push(`${name}=${quoted(value)}`);
  }
  return `Bearer ${parts.join(', ')}`;
}
