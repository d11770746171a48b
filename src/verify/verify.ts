import { KeysmithError } from '../errors/errors.js';
import { describeError, type EventListener } from '../events/events.js';
import type { TokenHasher, Hasher } from '../token/hash.js';
import { importedIdFromSha256Hex } from '../token/imported.js';
import { type KeyCache, prepare, type CachedKey } from './key-cache.js';
import { queryOrNull, resourceList, unmetRequirement, type ResourceRef } from '../permissions/requirements.js';
import type { Policy } from '../permissions/policy.js';
import type { PermissionQuery } from '../permissions/query.js';
import { nextRefillAt, refillPeriodStart } from './refill.js';
import type { KeyStore } from '../store/store.js';
import { withTimeout } from './timeout.js';
import type { FailureThrottle } from './limits/failed-attempts.js';
import type { LimitCheck, LimitDecision, RateLimiter } from './limits/limiter.js';
import type { ApiKeyRecord } from '../store/record.js';
import { ID_LENGTH, MAX_TOKEN_LENGTH, TAIL_LENGTH, newId as decoyId, parseToken } from '../token/token.js';
import { failure, type VerifyFailureCode, type VerifyResult } from './verify-result.js';

export interface VerifyOptions {
  /** Every one of these scopes is required. */
  scopes?: readonly string[];
  /** At least one of these scopes is required. */
  anyScopes?: readonly string[];
  /** A permission query such as `"a:read AND (b:read OR b:write)"` (parse it once with `parseQuery`). */
  query?: string | PermissionQuery;
  /** Resource ids the request touches; each must be allowed by the key's resource limits. */
  resource?: ResourceRef | readonly ResourceRef[];
  /**
   * The caller's address, checked against the key's `ipAllowlist`. Read only when needed (the key
   * has an allowlist, or `failedAttempts` is on), so it may be a getter.
   */
  ip?: string;
  /**
   * Credits to consume when the key has `remaining`, and units counted by its rate limits: a whole
   * number, 0 or more (0 checks without spending).
   * @default 1
   * @throws KeysmithError `CONFIG` (as a rejected promise) for any other value
   */
  cost?: number;
  /**
   * `false` checks the key and its permissions only: no rate limit, no credit. For re-checking a
   * request that was already counted (the MCP guard re-verifies every JSON-RPC message).
   * @default true
   */
  limits?: boolean;
}

/** Whether `cost` is a whole number, 0 or more (what `verify` and every middleware accept). */
export const isValidCost = (cost: unknown): cost is number => Number.isSafeInteger(cost) && (cost as number) >= 0;

/** The error for a `cost` that `isValidCost` refuses. */
export const invalidCost = (): KeysmithError => new KeysmithError('CONFIG', 'cost must be a whole number, 0 or more');

export interface VerifierDeps {
  store: KeyStore;
  prefixes: ReadonlySet<string>;
  tokenHasher: TokenHasher;
  hasher: Hasher;
  policy: Policy;
  cache: KeyCache;
  now: () => number;
  emit: EventListener;
  hasListener: boolean;
  touchIntervalMs: number;
  storeTimeoutMs: number;
  acceptImported: ((token: string) => boolean) | null;
  /** Keys' named rate limits. */
  limiter: RateLimiter;
  /** What a limiter fault does: 'closed' refuses (STORE_UNAVAILABLE), 'open' admits and reports. */
  limiterFailure: 'closed' | 'open';
  /** Failed verifications per client network, counted apart from `limiter`; null for no throttling. */
  failures: FailureThrottle | null;
}

/** Reads of one verify that a change may overtake before it fails closed. */
const MAX_READS = 4;
const OVERTAKEN = Symbol('overtaken');
const MISMATCH = Symbol('mismatch');

const GUESS_CODES = new Set<VerifyFailureCode>(['MALFORMED', 'NOT_FOUND', 'INVALID']);

/**
 * Counters for a key's named limits; `per: 'owner'` limits share one counter across the owner's
 * keys. All are grouped by tenant (which never changes), so one call's counters share a shard.
 */
function limitChecks(record: ApiKeyRecord): LimitCheck[] {
  return record.rateLimits.map((l) => ({
    key: l.per === 'owner' && record.ownerId !== null ? `owner:${record.tenantId}:${record.ownerId}:${l.name}` : `key:${record.id}:${l.name}`,
    limit: l.limit,
    windowMs: l.windowMs,
    group: `tenant:${record.tenantId}`,
  }));
}

/** The verify path: parse → cache or primary-key lookup → constant-time compare → status → permissions → credits. */
export function createVerifier(deps: VerifierDeps) {
  const lastTouched = new Map<string, number>();
  const prefixList = [...deps.prefixes];

  const reject = (code: VerifyFailureCode, keyId: string | null, tenantId: string | null, extra = {}): VerifyResult => {
    if (deps.hasListener) deps.emit({ type: 'key.rejected', at: new Date(deps.now()), code, keyId, tenantId });
    return failure(code, keyId === null ? extra : { keyId, ...extra });
  };

  /** Applies the key's named rate limits; null when admitted. */
  const rateLimit = async (record: ApiKeyRecord, cost: number, now: number): Promise<VerifyResult | null> => {
    if (record.rateLimits.length === 0) return null;
    let decision: LimitDecision;
    try {
      decision = await deps.limiter.limit(limitChecks(record), cost, now);
    } catch (error) {
      storeFault('limiter', error);
      return deps.limiterFailure === 'open' ? null : reject('STORE_UNAVAILABLE', record.id, record.tenantId);
    }
    if (decision.allowed) return null;
    const hit = record.rateLimits[decision.index]!;
    return reject('RATE_LIMITED', record.id, record.tenantId, {
      retryAfterMs: decision.retryAfterMs,
      limit: { name: hit.name, limit: hit.limit, windowMs: hit.windowMs, remaining: 0 },
    });
  };

  const storeFault = (operation: string, error: unknown) =>
    deps.emit({ type: 'store.error', at: new Date(deps.now()), operation, error: describeError(error) });

  /** Which id to look up for this token, or null when it is not a token we could have issued. */
  const lookupId = (token: string): string | null => {
    const parts = parseToken(token);
    if (parts) return deps.prefixes.has(parts.prefix) ? parts.id : null;
    if (deps.acceptImported && token.length <= MAX_TOKEN_LENGTH && deps.acceptImported(token)) {
      return importedIdFromSha256Hex(deps.hasher.sha256Hex(token));
    }
    return null;
  };

  /**
   * A cache miss: one primary-key lookup, then the record is prepared once and cached. The read is
   * generation-checked: when the key changed while it was in flight (a management call here, or an
   * invalidation message), what it returned may be older than that change, so it is neither cached
   * nor believed, and the key is read again. Gives up (OVERTAKEN) when every read was overtaken.
   * A record whose hash the token does not match is neither prepared nor cached (MISMATCH).
   */
  const load = async (id: string, token: string): Promise<CachedKey | null | typeof OVERTAKEN | typeof MISMATCH> => {
    for (let attempt = 0; attempt < MAX_READS; attempt++) {
      const ticket = deps.cache.ticket(id);
      const record = await withTimeout(deps.store.findById(id), deps.storeTimeoutMs);
      if (!deps.cache.isCurrent(id, ticket)) continue;
      if (!record) return null;
      if (!deps.tokenHasher.matches(token, record.hash)) return MISMATCH;
      const entry = prepare(record, deps.policy);
      deps.cache.fill(id, entry, ticket);
      return entry;
    }
    return OVERTAKEN;
  };

  /** lastUsedAt is written at most once per key per interval, off the answer's path. */
  const touch = (id: string, now: number) => {
    const last = lastTouched.get(id);
    if (last !== undefined && now - last < deps.touchIntervalMs) return;
    if (lastTouched.size >= 100_000) lastTouched.clear();
    lastTouched.set(id, now);
    deps.store.touch(id, new Date(now)).catch((error: unknown) => storeFault('touch', error));
  };

  const checkPermissions = (entry: CachedKey, options: VerifyOptions): VerifyResult | null => {
    if (!options.scopes && !options.anyScopes && options.query === undefined && !options.resource) return null;
    const unmet = unmetRequirement(entry.permissions, {
      scopes: options.scopes,
      anyScopes: options.anyScopes,
      query: options.query === undefined ? undefined : queryOrNull(options.query),
      resources: options.resource ? resourceList(options.resource) : undefined,
    });
    if (!unmet) return null;
    const { key } = entry;
    return reject(unmet.code, key.id, key.tenantId, 'requiredScopes' in unmet ? { requiredScopes: unmet.requiredScopes } : {});
  };

  /** Spends credits in the store (atomic), refilling first when a new period has begun. */
  const spend = async (entry: CachedKey, cost: number, now: number): Promise<number | VerifyResult> => {
    const { record } = entry;
    if (record.refill) {
      const periodStart = refillPeriodStart(record.refill, now, record.createdAt);
      if (!record.refilledAt || record.refilledAt < periodStart) {
        await withTimeout(deps.store.refill(record.id, record.refill.amount, periodStart), deps.storeTimeoutMs);
        deps.cache.delete(record.id); // the cached refilledAt is stale now
      }
    }
    const left = await withTimeout(deps.store.consume(record.id, cost), deps.storeTimeoutMs);
    if (left === null) {
      const retry = record.refill ? { retryAfterMs: Math.max(0, nextRefillAt(record.refill, now, record.createdAt).getTime() - now) } : {};
      return reject('USAGE_EXCEEDED', record.id, record.tenantId, retry);
    }
    return left;
  };

  /** With failed-guess throttling: probe the caller's network first, count a failed guess after. */
  const throttled = async (failures: FailureThrottle, token: unknown, options: VerifyOptions, ip: string): Promise<VerifyResult> => {
    const checks = failures.checksFor(ip);
    try {
      const probe = await failures.limiter.limit(checks, 0, deps.now());
      if (!probe.allowed) return reject('RATE_LIMITED', null, null, { retryAfterMs: probe.retryAfterMs });
    } catch (error) {
      storeFault('limiter', error);
      if (deps.limiterFailure === 'closed') return reject('STORE_UNAVAILABLE', null, null);
    }
    const result = await check(token, options);
    if (!result.valid && GUESS_CODES.has(result.code)) {
      await failures.limiter.limit(checks, 1, deps.now()).catch((error: unknown) => storeFault('limiter', error));
    }
    return result;
  };

  /**
   * Not an async function on purpose: a cache hit on a key without rate limits or credits is
   * answered synchronously and wrapped in one settled promise, instead of a chain of awaits. Any
   * exception still becomes a rejected promise, exactly as from an async function.
   */
  return function verify(token: unknown, options: VerifyOptions = {}): Promise<VerifyResult> {
    try {
      // A bad cost is the caller's bug, not the token's: refused (as the middlewares refuse it at construction), never turned into 1.
      if (options.cost !== undefined && !isValidCost(options.cost)) return Promise.reject(invalidCost());
      if (deps.failures) {
        const ip = options.ip; // read once: it may be a getter over the framework's request
        if (typeof ip === 'string') return throttled(deps.failures, token, options, ip);
      }
      return check(token, options);
    } catch (error) {
      return Promise.reject(error);
    }
  };

  function check(token: unknown, options: VerifyOptions): Promise<VerifyResult> {
    try {
      if (typeof token !== 'string') return Promise.resolve(reject('MALFORMED', null, null));
      const hot = hotEntry(token);
      if (hot) {
        const result = settle(token, hot.record.id, hot, options);
        return result instanceof Promise ? result : Promise.resolve(result);
      }
      const id = lookupId(token);
      if (id === null) return Promise.resolve(reject('MALFORMED', null, null));
      const cached = deps.cache.get(id);
      if (!cached) return checkStored(token, id, options);
      if (!deps.tokenHasher.matches(token, cached.record.hash)) return wrongSecret(id);
      const result = settle(token, id, cached, options);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The hot path: a cached key whose stored hash this token matches. A matching SHA-256 means the
   * token is the very one we minted (or imported), so parsing it again would only repeat checks it
   * passed at creation; its prefix is still checked, as the accepted prefixes may have changed.
   * Anything else returns null and takes the full path, which gives every answer its exact code.
   */
  function hotEntry(token: string): CachedKey | null {
    const length = token.length;
    if (length > MAX_TOKEN_LENGTH || length < TAIL_LENGTH + 2 || token.charCodeAt(length - TAIL_LENGTH - 1) !== 0x5f /* _ */) return null;
    const entry = deps.cache.get(token.slice(length - TAIL_LENGTH, length - TAIL_LENGTH + ID_LENGTH));
    if (!entry || !hasAcceptedPrefix(token, length - TAIL_LENGTH - 1)) return null;
    return deps.tokenHasher.matches(token, entry.record.hash) ? entry : null;
  }

  /** `prefixes.has(token.slice(0, prefixLength))` without the slice. */
  function hasAcceptedPrefix(token: string, prefixLength: number): boolean {
    for (const p of prefixList) if (p.length === prefixLength && token.startsWith(p)) return true;
    return false;
  }

  /**
   * The cache only serves a token whose hash matches. A wrong secret for a cached id costs exactly
   * what an unknown id costs — one primary-key read that finds nothing (a random id) — so timing
   * cannot tell which ids exist, from the first probe on; a store outage answers alike too.
   */
  async function wrongSecret(id: string): Promise<VerifyResult> {
    try {
      await withTimeout(deps.store.findById(decoyId()), deps.storeTimeoutMs);
    } catch (error) {
      storeFault('findById', error);
      return reject('STORE_UNAVAILABLE', id, null);
    }
    return reject('INVALID', id, null);
  }

  /** Loads the key as it is now (see `load`); a fault, a timeout or endless overtaking fails closed. */
  async function loadNow(id: string, token: string): Promise<CachedKey | null | VerifyResult> {
    let entry: Awaited<ReturnType<typeof load>>;
    try {
      entry = await load(id, token);
    } catch (error) {
      storeFault('findById', error);
      return reject('STORE_UNAVAILABLE', id, null);
    }
    if (entry === OVERTAKEN) return reject('STORE_UNAVAILABLE', id, null);
    return entry === MISMATCH ? reject('INVALID', id, null) : entry;
  }

  async function checkStored(token: string, id: string, options: VerifyOptions): Promise<VerifyResult> {
    const entry = await loadNow(id, token);
    if (!entry) return reject('NOT_FOUND', id, null);
    if ('valid' in entry) return entry;
    return settle(token, id, entry, options);
  }

  /**
   * Status, address and permissions: synchronous. Rate limits and credits need a round trip. Every
   * caller has already matched the token against `entry`'s hash. `limits` false: a re-check of a
   * request already counted (`options.limits: false`, or a recheck).
   */
  function settle(
    token: string,
    id: string,
    entry: CachedKey,
    options: VerifyOptions,
    limits = options.limits !== false,
  ): VerifyResult | Promise<VerifyResult> {
    const { record } = entry;

    const now = deps.now();
    if (record.revokedAt) return reject('REVOKED', id, record.tenantId);
    if (!record.enabled) return reject('DISABLED', id, record.tenantId);
    if (record.expiresAt && record.expiresAt.getTime() <= now) return reject('EXPIRED', id, record.tenantId);
    if (record.ipAllowlist.length > 0) {
      // Read only for a key with an allowlist: the middlewares make `ip` a getter over the request.
      const ip = options.ip;
      if (ip === undefined || !entry.allowsAddress(ip)) return reject('FORBIDDEN_ADDRESS', id, record.tenantId);
    }

    const denied = checkPermissions(entry, options);
    if (denied) return denied;

    const cost = options.cost ?? 1;
    if (limits && (record.rateLimits.length > 0 || record.remaining !== null)) return limitAndSpend(token, id, entry, options, cost, now);
    return admit(id, entry, entry.key, now);
  }

  async function limitAndSpend(token: string, id: string, entry: CachedKey, options: VerifyOptions, cost: number, now: number): Promise<VerifyResult> {
    const { record, key } = entry;
    // Taken in the same turn as the cache read or the store read that gave `entry`.
    const ticket = deps.cache.ticket(id);
    const limited = await rateLimit(record, cost, now);
    if (limited) return limited;

    let resultKey = key;
    if (record.remaining !== null) {
      // Cost 0 still asks the store, so the answer shows the current balance, not the cached one.
      let left: number | VerifyResult;
      try {
        left = await spend(entry, cost, now);
      } catch (error) {
        storeFault('consume', error);
        return reject('STORE_UNAVAILABLE', id, record.tenantId);
      }
      if (typeof left !== 'number') return left;
      resultKey = Object.freeze({ ...key, remaining: left });
    }
    // The key changed while its limits and credits were being counted: answer from its new state.
    if (!deps.cache.isCurrent(id, ticket)) return recheck(token, id, options, resultKey.remaining);
    return admit(id, entry, resultKey, now);
  }

  /** Status and permissions again from a fresh read, limits already counted; `remaining` as spent. */
  async function recheck(token: string, id: string, options: VerifyOptions, remaining: number | null): Promise<VerifyResult> {
    const fresh = await loadNow(id, token);
    if (!fresh) return reject('NOT_FOUND', id, null);
    if ('valid' in fresh) return fresh;
    // Not `{ ...options, limits: false }`: a spread would drop an `ip` getter (the middlewares').
    const result = await settle(token, id, fresh, options, false);
    return result.valid && remaining !== null ? { ...result, key: Object.freeze({ ...result.key, remaining }) } : result;
  }

  function admit(id: string, entry: CachedKey, resultKey: CachedKey['key'], now: number): VerifyResult {
    touch(id, now);
    if (deps.hasListener) deps.emit({ type: 'key.verified', at: new Date(now), keyId: id, tenantId: entry.record.tenantId });
    return { valid: true, key: resultKey, permissions: entry.permissions };
  }
}

export type Verify = ReturnType<typeof createVerifier>;
