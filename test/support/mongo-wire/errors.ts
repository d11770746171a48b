import type { Document } from 'bson';

/** A command failure, answered as `{ ok: 0, errmsg, code, codeName }` like the real server. */
export class CommandError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Document = {},
  ) {
    super(message);
  }
}

export const badValue = (message: string) => new CommandError(2, 'BadValue', message);
export const notSupported = (what: string) => new CommandError(115, 'CommandNotSupported', `${what} is not supported by the keysmith wire test server`);

/** E11000, in the shape drivers parse (`code`, `keyPattern`, `keyValue`). */
export function duplicateKey(ns: string, index: { name: string; key: Document }, keyValue: Document): CommandError {
  const shown = Object.entries(keyValue)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  return new CommandError(11000, 'DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${index.name} dup key: { ${shown} }`, {
    keyPattern: index.key,
    keyValue,
  });
}
