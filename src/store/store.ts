import type { ApiKeyRecord, KeyPatch, ListQuery, ListResult, Superseded, Supersession } from './record.js';

/**
 * What keysmith asks of a database: intent-level operations on its own record only.
 *
 * Rules every store follows (the conformance suite in `keysmith/testing` checks each one):
 * - Records round-trip exactly: dates stay `Date`s, ids stay strings, arrays keep their order.
 * - Every method given a `tenantId` filters on it inside the one query it sends, so a key of
 *   another tenant behaves exactly like a missing one.
 * - A method marked ATOMIC is a single guarded write (`UPDATE … WHERE … RETURNING`,
 *   `findOneAndUpdate` with the guard in the filter, a synchronous read-and-write in memory).
 * - Connection faults throw; the keyring turns them into `STORE_UNAVAILABLE`. A duplicate id on
 *   insert throws `KeysmithError` with code `DUPLICATE_ID`.
 */
export interface KeyStore {
  /** Adds a new record. Throws `DUPLICATE_ID` when the id exists (in any tenant). */
  insert(record: ApiKeyRecord): Promise<void>;

  /** The verify path: a primary-key lookup across tenants. */
  findById(id: string): Promise<ApiKeyRecord | null>;

  /** The record when it exists AND belongs to `tenantId`. */
  get(tenantId: string, id: string): Promise<ApiKeyRecord | null>;

  /**
   * One page, newest first (createdAt desc, then id desc), and the total that matches.
   * `tenantId` null lists every tenant (super-admin only; the keyring decides who may).
   * Revoked keys are left out unless `includeRevoked`.
   */
  list(tenantId: string | null, query: ListQuery): Promise<ListResult<ApiKeyRecord>>;

  /**
   * ATOMIC: applies `patch` and sets version = version + 1 where id and tenantId match,
   * revokedAt is null, and (when given) version = expectedVersion.
   * Returns the updated record, or null when no row matched.
   */
  update(tenantId: string, id: string, patch: KeyPatch, expectedVersion?: number): Promise<ApiKeyRecord | null>;

  /**
   * ATOMIC: sets revokedAt, revokedBy, updatedAt = at and bumps version where id and tenantId
   * match AND revokedAt is null. Returns the row, or null when missing or already revoked.
   */
  revoke(tenantId: string, id: string, at: Date, by: string | null): Promise<ApiKeyRecord | null>;

  /**
   * ATOMIC, the first step of `rotate`: where id and tenantId match, revokedAt is null, supersededBy
   * is null, the key expires no earlier than `change.expiresAt` (or never), and (when given)
   * version = expectedVersion — in ONE guarded write: supersededBy = successorId,
   * expiresAt = change.expiresAt, remaining = 0 (null stays null), refill = null,
   * updatedAt = change.at, version = version + 1. Returns the changed record together with the
   * remaining credits and refilledAt the key held at that moment (the balance the successor gets),
   * or null when no row matched.
   *
   * So every credit is spent once: a concurrent `consume` on the old key either ran before (and the
   * balance handed over is smaller) or runs after and finds 0. PostgreSQL: `SELECT … FOR UPDATE` of
   * the old values and `UPDATE … RETURNING` in one statement; MongoDB: `findOneAndUpdate` with
   * `returnDocument: 'before'`; memory: a synchronous read-and-write.
   */
  supersede(tenantId: string, id: string, change: Supersession, expectedVersion?: number): Promise<Superseded | null>;

  /**
   * ATOMIC: remaining = remaining - cost where id matches AND remaining >= cost.
   * Returns the new remaining, or null when the key is missing, unlimited or short of credits.
   */
  consume(id: string, cost: number): Promise<number | null>;

  /**
   * ATOMIC: remaining = amount, refilledAt = periodStart where id matches, the key has a refill,
   * AND (refilledAt is null OR refilledAt < periodStart). Returns the new remaining, or null when
   * this period was already applied (so a refill happens exactly once per period).
   */
  refill(id: string, amount: number, periodStart: Date): Promise<number | null>;

  /**
   * ATOMIC: sets lastUsedAt = at where id matches AND (lastUsedAt is null OR lastUsedAt < `touchDueBefore(at, minIntervalMs)`,
   * i.e. at least minIntervalMs before at).
   * It never moves back, and with `minIntervalMs` (the keyring's `touchIntervalMs`) a key is written at
   * most once per interval however many instances verify it: the guard is in the write itself.
   * @param minIntervalMs default 0: any later time is written
   */
  touch(id: string, at: Date, minIntervalMs?: number): Promise<void>;
}
