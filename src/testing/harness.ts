import { customAlphabet } from 'nanoid';
import type { ApiKeyRecord, KeyStore } from 'keysmith';

/** The test functions of whatever runner calls the suite (vitest, jest, node:test, mocha). */
export interface TestApi {
  describe(name: string, fn: () => void): void;
  it(name: string, fn: () => Promise<void>, timeout?: number): void;
}

export interface StoreHarness {
  store: KeyStore;
  /**
   * Reads a record straight from the database, bypassing the adapter, so the suite can check that
   * writes really landed (next-auth's habit). Optional.
   */
  rawFindById?: (id: string) => Promise<ApiKeyRecord | null>;
  /** Called after each test. */
  cleanup?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Shown in test names, e.g. "memory" or "postgres (PGlite)". */
  name: string;
  /**
   * Gives a store for one test. It may be fresh or shared between tests: the suite uses new random
   * tenant ids and key ids in every test, so tests never see each other's records.
   */
  createStore: () => StoreHarness | Promise<StoreHarness>;
  test: TestApi;
  /** Per-test timeout in ms. @default 30_000 */
  timeout?: number;
}

const base62 = customAlphabet('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 16);

export const newId = (): string => base62();
export const newTenant = (): string => `tenant_${base62()}`;

let tick = Date.UTC(2026, 0, 1, 12, 0, 0, 123);

/** A complete record with every field set to a non-default value, so round-trips are meaningful. */
export function makeRecord(overrides: Partial<ApiKeyRecord> = {}): ApiKeyRecord {
  const id = overrides.id ?? newId();
  tick += 1001; // distinct creation times, milliseconds included
  return {
    id,
    tenantId: newTenant(),
    name: 'Build server',
    prefix: 'sk_test',
    preview: `sk_test_${id}_AbCd…`,
    hash: `sha256:${'ab'.repeat(32)}`,
    scopes: ['evidence:read', 'controls:*'],
    roles: ['Supervisor'],
    preset: 'custom',
    resources: { project: ['p1', 'p2'], agent: [] },
    requireMapping: ['agent'],
    mcp: { enabled: true, tools: { mode: 'allow', names: ['search', 'fetch'] }, readOnly: true },
    enabled: true,
    expiresAt: new Date(tick + 86_400_000),
    revokedAt: null,
    revokedBy: null,
    createdAt: new Date(tick),
    createdBy: 'user_1',
    updatedAt: null,
    lastUsedAt: null,
    ownerId: 'owner_1',
    ipAllowlist: ['10.0.0.0/8', '2001:db8::/32'],
    remaining: null,
    refill: null,
    refilledAt: null,
    rateLimits: [
      { name: 'default', limit: 100, windowMs: 60_000 },
      { name: 'plan', limit: 5000, windowMs: 86_400_000, per: 'owner' },
    ],
    metadata: { team: 'infra', nested: { n: 1, ok: true, list: [1, 'two', null] } },
    supersededBy: null,
    version: 1,
    ...overrides,
  };
}

/** Starts every callback only once all are ready, so they really race (better-auth's gate). */
export async function race<T>(count: number, run: (i: number) => Promise<T>): Promise<T[]> {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const runs = Array.from({ length: count }, async (_, i) => {
    await gate;
    return run(i);
  });
  open();
  return Promise.all(runs);
}
