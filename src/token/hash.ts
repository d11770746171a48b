import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { KeysmithError } from '../errors/errors.js';

/** A named secret mixed into every hash (HMAC), so a leaked table cannot be checked offline. */
export interface Pepper {
  id: string;
  secret: string | Uint8Array;
}

export interface Hasher {
  sha256Hex(text: string): string;
  hmacSha256Hex(key: Uint8Array, text: string): string;
}

/** @noble/hashes: portable, runs on every runtime (edge included). */
export const nobleHasher: Hasher = {
  sha256Hex: (text) => bytesToHex(sha256(utf8ToBytes(text))),
  hmacSha256Hex: (key, text) => bytesToHex(hmac(sha256, key, utf8ToBytes(text))),
};

interface NodeCrypto {
  hash?: (algorithm: string, data: string, encoding: 'hex') => string;
  createHash(algorithm: string): { update(data: string): { digest(encoding: 'hex'): string } };
  createHmac(algorithm: string, key: Uint8Array): { update(data: string): { digest(encoding: 'hex'): string } };
}

/**
 * Node's native one-shot hash, found without a static import so the core still loads on edge
 * runtimes. Synchronous: no thread-pool hop on the verify path. Same output as `nobleHasher`.
 */
export function nodeHasher(): Hasher | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const crypto = proc?.getBuiltinModule?.('node:crypto') as NodeCrypto | undefined;
  if (!crypto) return null;
  const oneShot = crypto.hash;
  return {
    sha256Hex: oneShot ? (text) => oneShot('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex'),
    hmacSha256Hex: (key, text) => crypto.createHmac('sha256', key).update(text).digest('hex'),
  };
}

/** The fastest hasher this runtime has. */
export const defaultHasher: Hasher = nodeHasher() ?? nobleHasher;

const PEPPER_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

/** Hashes tokens and checks them against stored hashes, which name their own algorithm. */
export class TokenHasher {
  private readonly peppers = new Map<string, Uint8Array>();
  private readonly current: string | null;

  /** `peppers[0]` hashes new keys; the others only verify keys hashed before a rotation. */
  constructor(
    peppers: Pepper[] = [],
    private readonly hasher: Hasher = defaultHasher,
  ) {
    for (const pepper of peppers) {
      if (!PEPPER_ID_RE.test(pepper.id)) throw new KeysmithError('CONFIG', `Invalid pepper id: ${JSON.stringify(pepper.id)}`);
      if (this.peppers.has(pepper.id)) throw new KeysmithError('CONFIG', `Duplicate pepper id: ${pepper.id}`);
      const secret = typeof pepper.secret === 'string' ? utf8ToBytes(pepper.secret) : pepper.secret;
      if (secret.length < 16) throw new KeysmithError('CONFIG', `Pepper ${pepper.id} is shorter than 16 bytes`);
      this.peppers.set(pepper.id, secret);
    }
    this.current = peppers[0]?.id ?? null;
  }

  /** The stored form for a new token: `sha256:<hex>` or `hmac-sha256:<pepperId>:<hex>`. */
  hash(token: string): string {
    if (this.current === null) return `sha256:${this.hasher.sha256Hex(token)}`;
    return `hmac-sha256:${this.current}:${this.hasher.hmacSha256Hex(this.peppers.get(this.current)!, token)}`;
  }

  /** Recomputes the token's hash with the stored hash's own algorithm and compares in constant time. */
  matches(token: string, stored: string): boolean {
    let candidate: string;
    if (stored.startsWith('sha256:')) {
      // The prefix is known to match: compare the digest in place, without building a new string.
      return constantTimeEqualFrom(this.hasher.sha256Hex(token), stored, SHA256_TAG.length);
    } else if (stored.startsWith('hmac-sha256:')) {
      const pepperId = stored.slice('hmac-sha256:'.length, stored.indexOf(':', 'hmac-sha256:'.length));
      const secret = this.peppers.get(pepperId);
      if (!secret) return false;
      candidate = `hmac-sha256:${pepperId}:${this.hasher.hmacSha256Hex(secret, token)}`;
    } else {
      return false;
    }
    return constantTimeEqual(candidate, stored);
  }
}

const SHA256_TAG = 'sha256:';

/** Like `constantTimeEqual(a, b.slice(offset))`, without the slice. */
function constantTimeEqualFrom(a: string, b: string, offset: number): boolean {
  if (a.length !== b.length - offset) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(offset + i);
  return diff === 0;
}

/** Compares two strings in time that depends only on their length (which is public). */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
