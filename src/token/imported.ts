import { BASE62, ID_LENGTH } from './token.js';

/** Schemes `keyring.import` accepts for keys minted by another system. */
export const IMPORT_SCHEMES = ['sha256-hex'] as const;
export type ImportScheme = (typeof IMPORT_SCHEMES)[number];

/**
 * An imported key's id is derived from its hash, so verify can find it from the token alone
 * (the foreign token carries no keysmith id). 16 base62 digits of the hash's first 96 bits.
 */
export function importedIdFromSha256Hex(hex: string): string {
  let n = BigInt(`0x${hex.slice(0, 24)}`);
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) {
    id = BASE62[Number(n % 62n)] + id;
    n /= 62n;
  }
  return id;
}
