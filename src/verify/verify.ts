import type { Policy } from '../permissions/policy.js';
import type { Hasher, TokenHasher } from '../token/hash.js';
import { importedIdFromSha256Hex } from '../token/imported.js';
import { ID_LENGTH, MAX_TOKEN_LENGTH, TAIL_LENGTH, newId as decoyId, parseToken } from '../token/token.js';
import { decide } from './decide.js';
import { createEffects, type EffectDeps } from './effects.js';
import { prepare, type CachedKey } from './key-cache.js';
import type { FailureThrottle } from './limits/failed-attempts.js';
import { withTimeout } from './timeout.js';
import { invalidCost, isValidCost, type VerifyOptions } from './verify-options.js';
import type { VerifyFailureCode, VerifyResult } from './verify-result.js';

/** What the verify path needs: the effect dependencies, plus how to find and check a token's key. */
export interface VerifierDeps extends EffectDeps {
  prefixes: ReadonlySet<string>;
  tokenHasher: TokenHasher;
  hasher: Hasher;
  policy: Policy;
  acceptImported: ((token: string) => boolean) | null;
  /** Failed verifications per client network, counted apart from `limiter`; null for no throttling. */
  failures: FailureThrottle | null;
}

/** Reads of one verify that a change may overtake before it fails closed. */
const MAX_READS = 4;

const GUESS_CODES = new Set<VerifyFailureCode>(['MALFORMED', 'NOT_FOUND', 'INVALID']);

/** The verify path: parse → cache or primary-key lookup → constant-time compare → status → permissions → credits. */
export function createVerifier(deps: VerifierDeps) {
  const prefixList = [...deps.prefixes];
  const effects = createEffects(deps);
  const { reject, storeFault, admit } = effects;

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
   * With failed-guess throttling. Counting and checking are one atomic limiter call: every attempt
   * that could be a guess first takes a unit of its network's failure counter (refused when the
   * window is full), and gives it back (`refund`) once it turned out not to be a guess. So however
   * many attempts run at once, at most `limit` of them per window get past the throttle to a store
   * lookup. A token whose hash matches a cached key cannot be a guess: it only probes (cost 0), so
   * a busy client is never refused for its own concurrency.
   */
  const throttled = async (failures: FailureThrottle, token: unknown, options: VerifyOptions, ip: string): Promise<VerifyResult> => {
    const checks = failures.checksFor(ip);
    const known = typeof token === 'string' && hotEntry(token) !== null;
    let reserved = false;
    try {
      const decision = await failures.limiter.limit(checks, known ? 0 : 1, deps.now());
      if (!decision.allowed) return reject('RATE_LIMITED', null, null, { retryAfterMs: decision.retryAfterMs });
      reserved = !known;
    } catch (error) {
      storeFault('limiter', error);
      if (deps.limiterFailure === 'closed') return reject('STORE_UNAVAILABLE', null, null);
    }
    let guess = true;
    try {
      const result = await check(token, options);
      guess = !result.valid && GUESS_CODES.has(result.code);
      return result;
    } finally {
      if (reserved && !guess) await failures.limiter.refund(checks, 1, deps.now()).catch((error: unknown) => storeFault('limiter', error));
      // The limiter failed open before the check: count a guess the old way, best effort.
      else if (!reserved && !known && guess) await failures.limiter.limit(checks, 1, deps.now()).catch((error: unknown) => storeFault('limiter', error));
    }
  };

  /**
   * Verify as the middlewares call it: a cache hit on a key without rate limits or credits is
   * answered synchronously (no promise, no microtask); anything that needs the store or a limiter
   * returns a promise. Throws synchronously only for the caller's own bug (a bad cost).
   */
  function verifyNow(token: unknown, options: VerifyOptions = {}): VerifyResult | Promise<VerifyResult> {
    // A bad cost is the caller's bug, not the token's: refused (as the middlewares refuse it at construction), never turned into 1.
    if (options.cost !== undefined && !isValidCost(options.cost)) throw invalidCost();
    if (deps.failures) {
      const ip = options.ip; // read once: it may be a getter over the framework's request
      if (typeof ip === 'string') return throttled(deps.failures, token, options, ip);
    }
    return check(token, options);
  }

  return {
    verifyNow,
    /** `keyring.verify`: `verifyNow` as one promise; any exception becomes a rejection, exactly as from an async function. */
    verify(token: unknown, options?: VerifyOptions): Promise<VerifyResult> {
      try {
        const result = verifyNow(token, options);
        return result instanceof Promise ? result : Promise.resolve(result);
      } catch (error) {
        return Promise.reject(error);
      }
    },
  };

  function check(token: unknown, options: VerifyOptions): VerifyResult | Promise<VerifyResult> {
    if (typeof token !== 'string') return reject('MALFORMED', null, null);
    const hot = hotEntry(token);
    if (hot) return settle(token, hot.record.id, hot, options);
    const id = lookupId(token);
    if (id === null) return reject('MALFORMED', null, null);
    const cached = deps.cache.get(id);
    if (!cached) return checkStored(token, id, options);
    if (!deps.tokenHasher.matches(token, cached.record.hash)) return wrongSecret(id);
    return settle(token, id, cached, options);
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

  /**
   * A cache miss: the key as it is now, from one primary-key lookup, prepared once and cached. The
   * read is generation-checked: when the key changed while it was in flight (a management call
   * here, or an invalidation message), what it returned may be older than that change, so it is
   * neither cached nor believed, and the key is read again; when every read was overtaken, verify
   * fails closed. A record whose hash the token does not match is neither prepared nor cached
   * (INVALID). A fault or a timeout fails closed. One async function, not three: a cold verify
   * pays one suspension for its read and nothing more.
   */
  async function loadNow(id: string, token: string): Promise<CachedKey | null | VerifyResult> {
    try {
      for (let attempt = 0; attempt < MAX_READS; attempt++) {
        const ticket = deps.cache.ticket(id);
        const record = await withTimeout(deps.store.findById(id), deps.storeTimeoutMs);
        if (!deps.cache.isCurrent(id, ticket)) continue;
        if (!record) return null;
        if (!deps.tokenHasher.matches(token, record.hash)) return reject('INVALID', id, null);
        const entry = prepare(record, deps.policy);
        deps.cache.fill(id, entry, ticket);
        return entry;
      }
    } catch (error) {
      storeFault('findById', error);
    }
    return reject('STORE_UNAVAILABLE', id, null);
  }

  async function checkStored(token: string, id: string, options: VerifyOptions): Promise<VerifyResult> {
    const entry = await loadNow(id, token);
    if (!entry) return reject('NOT_FOUND', id, null);
    if ('valid' in entry) return entry;
    return settle(token, id, entry, options);
  }

  /**
   * Applies `decide`'s verdict: a refusal or an admission at once (synchronous), or counting the
   * key's rate limits and credits (a round trip). Every caller has already matched the token against
   * `entry`'s hash. `limits` false: a re-check of a request already counted (`options.limits:
   * false`, or a recheck).
   */
  function settle(
    token: string,
    id: string,
    entry: CachedKey,
    options: VerifyOptions,
    limits = options.limits !== false,
  ): VerifyResult | Promise<VerifyResult> {
    const now = deps.now();
    const verdict = decide(entry, options, now, limits);
    if (verdict === 'admit') return admit(id, entry, entry.key, now);
    if (verdict === 'count') return limitAndSpend(token, id, entry, options, options.cost ?? 1, now);
    return reject(verdict.code, id, entry.record.tenantId, 'requiredScopes' in verdict ? { requiredScopes: verdict.requiredScopes } : {});
  }

  async function limitAndSpend(token: string, id: string, entry: CachedKey, options: VerifyOptions, cost: number, now: number): Promise<VerifyResult> {
    const { record, key } = entry;
    // Taken in the same turn as the cache read or the store read that gave `entry`.
    const ticket = deps.cache.ticket(id);
    const limited = await effects.rateLimit(record, cost, now);
    if (limited) return limited;

    let resultKey = key;
    if (record.remaining !== null) {
      // Cost 0 still asks the store, so the answer shows the current balance, not the cached one.
      let left: number | VerifyResult;
      try {
        left = await effects.spend(entry, cost, now);
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
}
