import { customAlphabet } from 'nanoid';

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const ID_LENGTH = 16;
const SECRET_LENGTH = 32;
const CHECKSUM_LENGTH = 6;
/** Longest token `parseToken` looks at; anything longer is malformed before any work. */
export const MAX_TOKEN_LENGTH = 512;

const PREFIX_RE = /^[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*$/;
const TAIL_RE = /^[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/;
/** `<id>_<secret><checksum>`: the fixed-length tail of a keysmith token, after its prefix and `_`. */
export const TAIL_LENGTH = ID_LENGTH + 1 + SECRET_LENGTH + CHECKSUM_LENGTH;

/** A random key id (16 base62 characters). */
export const newId = customAlphabet(BASE62, ID_LENGTH);
const newSecret = customAlphabet(BASE62, SECRET_LENGTH);

const KEY_ID_RE = /^[0-9A-Za-z]{16}$/;

/** Whether `value` can be a key id (16 base62 characters, as minted or derived on import). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID_RE.test(value);
}

export function isValidPrefix(prefix: string): boolean {
  return prefix.length <= 64 && PREFIX_RE.test(prefix);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE) over the string's char codes; tokens are ASCII by construction. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Fixed-width base62 of a CRC-32 (62^6 > 2^32), as GitHub's token checksum. */
export function checksum(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export interface TokenParts {
  prefix: string;
  id: string;
  secret: string;
}

export function formatToken(parts: TokenParts): string {
  const body = `${parts.prefix}_${parts.id}_${parts.secret}`;
  return body + checksum(body);
}

export function mintToken(prefix: string): { token: string; id: string; preview: string } {
  const id = newId();
  const secret = newSecret();
  const token = formatToken({ prefix, id, secret });
  return { token, id, preview: previewOf({ prefix, id, secret }) };
}

/** Safe to show and log: prefix, id and the first 4 secret characters. */
export function previewOf(parts: TokenParts): string {
  return `${parts.prefix}_${parts.id}_${parts.secret.slice(0, 4)}…`;
}

/**
 * Splits a token from the right (so prefixes may contain `_`) and checks its checksum.
 * Returns null for anything that is not a well-formed keysmith token; never throws.
 */
export function parseToken(token: unknown): TokenParts | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || token.length < TAIL_LENGTH + 2) return null;
  const tailStart = token.length - TAIL_LENGTH;
  const tail = token.slice(tailStart);
  if (token[tailStart - 1] !== '_' || !TAIL_RE.test(tail)) return null;
  const prefix = token.slice(0, tailStart - 1);
  if (!isValidPrefix(prefix)) return null;
  const body = token.slice(0, token.length - CHECKSUM_LENGTH);
  if (checksum(body) !== token.slice(token.length - CHECKSUM_LENGTH)) return null;
  return { prefix, id: tail.slice(0, ID_LENGTH), secret: tail.slice(ID_LENGTH + 1, ID_LENGTH + 1 + SECRET_LENGTH) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * A RegExp for secret scanners that matches this prefix's tokens and nothing around them.
 * It carries no `g` flag (so `.test` has no state); use `new RegExp(re.source, 'g')` to scan text.
 */
export function pattern(prefix: string): RegExp {
  if (!isValidPrefix(prefix)) throw new TypeError(`Invalid key prefix: ${JSON.stringify(prefix)}`);
  return new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(prefix)}_[0-9A-Za-z]{${ID_LENGTH}}_[0-9A-Za-z]{${SECRET_LENGTH + CHECKSUM_LENGTH}}(?![A-Za-z0-9_])`);
}
