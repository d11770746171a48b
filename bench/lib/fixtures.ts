import { randomBytes } from 'node:crypto';
import type { ApiKeyRecord, KeyStore } from 'keysmith';
import { defaultHasher } from '../../src/token/hash.js';
import { formatToken, previewOf } from '../../src/token/token.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomBase62(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; out.length < length; i++) if (bytes[i]! < 248) out += BASE62[bytes[i]! % 62];
  return out;
}

/** A 16-character id from a counter and a per-run salt: unique without a set to check against. */
function idFor(salt: string, i: number): string {
  let n = i;
  let tail = '';
  for (let k = 0; k < 8; k++) {
    tail = BASE62[n % 62] + tail;
    n = Math.floor(n / 62);
  }
  return salt + tail;
}

const UNUSED_HASH = `sha256:${'0'.repeat(64)}`;

function baseRecord(id: string, prefix: string, hash: string, preview: string, extra: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  return {
    id,
    tenantId: 'bench',
    name: 'bench key',
    prefix,
    preview,
    hash,
    scopes: ['evidence:read', 'controls:read'],
    roles: [],
    preset: null,
    resources: {},
    requireMapping: false,
    mcp: { enabled: true, tools: { mode: 'all', names: [] }, readOnly: false },
    enabled: true,
    expiresAt: null,
    revokedAt: null,
    revokedBy: null,
    createdAt: new Date(),
    createdBy: null,
    updatedAt: null,
    lastUsedAt: null,
    ownerId: null,
    ipAllowlist: [],
    remaining: null,
    refill: null,
    refilledAt: null,
    rateLimits: [],
    metadata: {},
    supersededBy: null,
    version: 1,
    ...extra,
  };
}

/** A record with a real token (its hash precomputed with the default hasher). */
function tokenRecord(prefix: string, id: string, extra: Partial<ApiKeyRecord> = {}): { record: ApiKeyRecord; token: string } {
  const secret = randomBase62(32);
  const token = formatToken({ prefix, id, secret });
  return { token, record: baseRecord(id, prefix, `sha256:${defaultHasher.sha256Hex(token)}`, previewOf({ prefix, id, secret }), extra) };
}

export interface Seeded {
  /** Tokens of `sampleSize` keys spread evenly over the store. */
  tokens: string[];
  ids: string[];
}

/**
 * Fills a store with `count` keys straight through `store.insert` (no keyring, no validation), so a
 * million keys take seconds. Only the sampled keys get a real token; the rest share a hash no token has.
 */
export async function seed(store: KeyStore, prefix: string, count: number, sampleSize: number, extra: Partial<ApiKeyRecord> = {}): Promise<Seeded> {
  const salt = randomBase62(8);
  const every = Math.max(1, Math.floor(count / sampleSize));
  const tokens: string[] = [];
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = idFor(salt, i);
    if (i % every === 0 && tokens.length < sampleSize) {
      const { record, token } = tokenRecord(prefix, id, extra);
      tokens.push(token);
      ids.push(id);
      await store.insert(record);
    } else {
      await store.insert(baseRecord(id, prefix, UNUSED_HASH, `${prefix}_${id}_0000…`, extra));
    }
  }
  return { tokens, ids };
}

/** Cycles through a list, so a benchmark touches many keys instead of one hot one. */
export function cycle<T>(items: readonly T[]): () => T {
  let i = 0;
  return () => {
    const item = items[i]!;
    i = i + 1 === items.length ? 0 : i + 1;
    return item;
  };
}
