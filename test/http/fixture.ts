import { createKeyring, parseToken, type ApiKeyRecord, type KeyStore, type Keyring } from 'keysmith';
import { formatToken } from '../../src/token/token.js';
import { memoryStore } from 'keysmith/memory';

/**
 * A real memory store behind a switch that makes every call fail as a dropped database connection
 * would (the keyring must then fail closed). Nothing else is faked.
 */
export function switchableStore(inner: KeyStore): KeyStore & { down: boolean } {
  const state = { down: false };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> =>
      state.down ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432')) : fn(...args);
  const store: KeyStore = {
    insert: guard((r: ApiKeyRecord) => inner.insert(r)),
    findById: guard((id: string) => inner.findById(id)),
    get: guard((t: string, id: string) => inner.get(t, id)),
    list: guard((t: string | null, q: Parameters<KeyStore['list']>[1]) => inner.list(t, q)),
    update: guard((t: string, id: string, p: Parameters<KeyStore['update']>[2], v?: number) => inner.update(t, id, p, v)),
    revoke: guard((t: string, id: string, at: Date, by: string | null) => inner.revoke(t, id, at, by)),
    supersede: guard((t: string, id: string, c: Parameters<KeyStore['supersede']>[2], v?: number) => inner.supersede(t, id, c, v)),
    consume: guard((id: string, cost: number) => inner.consume(id, cost)),
    refill: guard((id: string, amount: number, at: Date) => inner.refill(id, amount, at)),
    touch: guard((id: string, at: Date) => inner.touch(id, at)),
  };
  return Object.defineProperty(store, 'down', { get: () => state.down, set: (v: boolean) => (state.down = v), enumerable: true }) as KeyStore & {
    down: boolean;
  };
}

export const TENANT_A = 'tenant_a';
export const TENANT_B = 'tenant_b';
export const SCOPES = ['docs:read', 'docs:write', 'admin:read', 'admin:write', 'keys:manage', 'billing:read'] as const;

export interface Fixture {
  keyring: Keyring;
  store: KeyStore & { down: boolean };
  /** Plaintext tokens by role. */
  t: Record<
    | 'reader'
    | 'writer'
    | 'adminReader'
    | 'bare'
    | 'projectP1'
    | 'revoked'
    | 'disabled'
    | 'expired'
    | 'limited'
    | 'spent'
    | 'spentForever'
    | 'ipLocked'
    | 'ipLocal'
    | 'manager'
    | 'managerReadOnly'
    | 'tenantB',
    string
  >;
  ids: Record<string, string>;
  /** A well-formed token whose id no key has. */
  unknown: string;
  /** The reader's id with another secret (valid checksum): a wrong secret. */
  wrongSecret: string;
}

/** One keyring, two tenants, and a key for every answer the middleware can give. */
export async function createFixture(): Promise<Fixture> {
  const store = switchableStore(memoryStore());
  let now = Date.now();
  // Cache off: revocations and pauses must show on the very next request.
  const keyring = createKeyring({ store, prefix: 'sk_test', scopes: [...SCOPES], cache: false, clock: () => now });
  const t: Partial<Fixture['t']> = {};
  const ids: Record<string, string> = {};
  const mint = async (name: keyof Fixture['t'], input: Omit<Parameters<Keyring['create']>[0], 'name' | 'tenantId'> & { tenantId?: string }) => {
    const { key, token } = await keyring.create({ tenantId: TENANT_A, name, ...input });
    t[name] = token;
    ids[name] = key.id;
  };
  await mint('reader', { scopes: ['docs:read'] });
  await mint('writer', { scopes: ['docs:read', 'docs:write'] });
  await mint('adminReader', { scopes: ['docs:read', 'admin:read'] });
  await mint('bare', {});
  await mint('projectP1', { scopes: ['docs:read'], resources: { project: ['p1'] } });
  await mint('revoked', { scopes: ['docs:read'] });
  await mint('disabled', { scopes: ['docs:read'] });
  await mint('expired', { scopes: ['docs:read'], expiresIn: '1m' });
  await mint('limited', { scopes: ['docs:read'], rateLimits: [{ name: 'burst', limit: 1, windowMs: 60_000 }] });
  await mint('spent', { scopes: ['docs:read'], remaining: 0, refill: { amount: 10, interval: 'day' } });
  await mint('spentForever', { scopes: ['docs:read'], remaining: 0 });
  await mint('ipLocked', { scopes: ['docs:read'], ipAllowlist: ['10.0.0.0/8'] });
  await mint('ipLocal', { scopes: ['docs:read'], ipAllowlist: ['127.0.0.1/32', '::1'] });
  await mint('manager', { scopes: ['keys:manage', 'docs:read'] });
  await mint('managerReadOnly', { scopes: ['keys:manage', 'docs:read'], resources: { project: ['p1'] } });
  await mint('tenantB', { tenantId: TENANT_B, scopes: ['docs:read', 'docs:write'] });
  await keyring.revoke(TENANT_A, ids.revoked!);
  await keyring.setEnabled(TENANT_A, ids.disabled!, false);
  now += 2 * 60_000; // the 1-minute key is now expired

  const reader = parseToken(t.reader)!;
  const otherSecret = parseToken(t.writer)!.secret;
  return {
    keyring,
    store,
    t: t as Fixture['t'],
    ids,
    unknown: formatToken({ prefix: 'sk_test', id: 'ZZZZZZZZZZZZZZZZ', secret: reader.secret }),
    wrongSecret: formatToken({ prefix: 'sk_test', id: reader.id, secret: otherSecret }),
  };
}
