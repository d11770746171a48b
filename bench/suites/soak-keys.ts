import { parseToken, type Keyring } from 'keysmith';
import { formatToken } from '../../src/token/token.js';

/**
 * The soak's key population and its judge: every request is drawn from one category whose state
 * at that moment fixes the one right answer (status and error code).
 */

export const TENANT = 'soak';

export type Category = 'valid' | 'wrongScope' | 'unknown' | 'wrongSecret' | 'malformed' | 'revoked' | 'expired' | 'revoking';

/** Share of requests per category (sums to 1). */
export const MIX: [Category, number][] = [
  ['valid', 0.38],
  ['wrongScope', 0.1],
  ['unknown', 0.06],
  ['wrongSecret', 0.05],
  ['malformed', 0.04],
  ['revoked', 0.06],
  ['expired', 0.06],
  ['revoking', 0.25],
];

/** What a request should get: a status and, for errors, the JSON error code. */
const EXPECTED: Record<Exclude<Category, 'revoking'>, [number, string | null]> = {
  valid: [200, null],
  wrongScope: [403, 'INSUFFICIENT_SCOPE'],
  unknown: [401, 'INVALID'],
  wrongSecret: [401, 'INVALID'],
  malformed: [401, 'MALFORMED'],
  revoked: [401, 'REVOKED'],
  expired: [401, 'EXPIRED'],
};

export interface RevocableKey {
  id: string;
  token: string;
  /** performance.now() when the revoke request was sent / its 204 arrived. */
  revokeSentAt?: number;
  revokeDoneAt?: number;
}

export interface Population {
  valid: string[];
  revoked: string[];
  expired: string[];
  revoking: RevocableKey[];
  wrongSecret: string[];
}

export interface PopulationSizes {
  valid: number;
  revoked: number;
  expired: number;
  revoking: number;
}

/**
 * Mints the keys. Expired keys get a 1-minute expiry and then the keyring's clock is moved 2
 * minutes on (`advance`), so they are expired for the whole run. Half of the valid keys carry a
 * (never reached) rate limit, so the limiter keeps counters for them.
 */
export async function mintPopulation(keyring: Keyring, sizes: PopulationSizes, advance: (ms: number) => void): Promise<Population> {
  const mint = async (n: number, input: (i: number) => Omit<Parameters<Keyring['create']>[0], 'tenantId'>) => {
    const out: { id: string; token: string }[] = [];
    for (let i = 0; i < n; i++) {
      const { key, token } = await keyring.create({ tenantId: TENANT, ...input(i) });
      out.push({ id: key.id, token });
    }
    return out;
  };
  const valid = await mint(sizes.valid, (i) => ({
    name: `valid ${i}`,
    scopes: ['docs:read'],
    rateLimits: i % 2 ? [{ name: 'soak', limit: 1_000_000_000, windowMs: 60_000 }] : [],
  }));
  const revoked = await mint(sizes.revoked, (i) => ({ name: `revoked ${i}`, scopes: ['docs:read'] }));
  for (const k of revoked) await keyring.revoke(TENANT, k.id);
  const expired = await mint(sizes.expired, (i) => ({ name: `expired ${i}`, scopes: ['docs:read'], expiresIn: '1m' }));
  advance(2 * 60_000);
  const revoking = await mint(sizes.revoking, (i) => ({ name: `revoking ${i}`, scopes: ['docs:read'] }));
  // The id of a real key with another real key's secret (the checksum is recomputed, so it parses).
  const wrongSecret = valid.slice(0, 200).map((k, i) => {
    const parts = parseToken(k.token)!;
    return formatToken({ prefix: parts.prefix, id: parts.id, secret: parseToken(valid[(i + 1) % valid.length]!.token)!.secret });
  });
  return { valid: valid.map((k) => k.token), revoked: revoked.map((k) => k.token), expired: expired.map((k) => k.token), revoking, wrongSecret };
}

/** What one request carried, kept in the load client's per-connection context until its answer. */
export interface Sent {
  category: Category;
  path: string;
  token: string;
  /** For `revoking`: which key. */
  key?: RevocableKey;
  sentAt: number;
}

const pickOf = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)]!;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const randomId = () => Array.from({ length: 16 }, () => BASE62[Math.floor(Math.random() * 62)]).join('');

/** Draws the next request. */
export function drawRequest(pop: Population, prefix: string): Sent {
  let r = Math.random();
  let category: Category = 'valid';
  for (const [c, share] of MIX) {
    r -= share;
    if (r < 0) {
      category = c;
      break;
    }
  }
  const sentAt = performance.now();
  switch (category) {
    case 'valid':
    case 'wrongScope':
      return { category, path: category === 'valid' ? '/docs' : '/write', token: pickOf(pop.valid), sentAt };
    case 'unknown': {
      const parts = parseToken(pickOf(pop.valid))!;
      return { category, path: '/docs', token: formatToken({ prefix, id: randomId(), secret: parts.secret }), sentAt };
    }
    case 'wrongSecret':
      return { category, path: '/docs', token: pickOf(pop.wrongSecret), sentAt };
    case 'malformed':
      return { category, path: '/docs', token: `${prefix}_not_a_real_key_${randomId()}`, sentAt };
    case 'revoked':
    case 'expired':
      return { category, path: '/docs', token: pickOf(pop[category]), sentAt };
    case 'revoking': {
      const key = pickOf(pop.revoking);
      return { category, path: '/docs', token: key.token, key, sentAt };
    }
  }
}

export type Verdict = 'right' | 'wrong' | 'either';

/**
 * Judges one answer. A key being revoked must pass while its revoke has not been sent, and must
 * answer 401 REVOKED for any request sent after the revoke's 204 arrived; in between, both are right.
 */
export function judge(sent: Sent, status: number, body: string, receivedAt: number): Verdict {
  const code = (expected: string | null) => expected === null || body.includes(`"code":"${expected}"`);
  if (sent.category !== 'revoking') {
    const [s, c] = EXPECTED[sent.category];
    return status === s && code(c) ? 'right' : 'wrong';
  }
  const key = sent.key!;
  const accepted = status === 200;
  const refused = status === 401 && code('REVOKED');
  if (key.revokeDoneAt !== undefined && sent.sentAt > key.revokeDoneAt) return refused ? 'right' : 'wrong';
  if (key.revokeSentAt === undefined || receivedAt < key.revokeSentAt) return accepted ? 'right' : 'wrong';
  return accepted || refused ? 'either' : 'wrong';
}
