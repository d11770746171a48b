import type { Keyring } from './keyring-api.js';
import { KeysmithError, isKeysmithError, storeUnavailable } from './errors/errors.js';
import { emitter, describeError, type EventListener } from './events/events.js';
import { defaultHasher, TokenHasher, type Hasher, type Pepper } from './token/hash.js';
import { KeyCache, type CacheOptions } from './verify/key-cache.js';
import { Policy, type PolicyOptions } from './permissions/policy.js';
import type { KeyStore } from './store/store.js';
import { isValidPrefix, pattern } from './token/token.js';
import { createVerifier } from './verify/verify.js';
import type { VerifyOptions } from './verify/verify-options.js';
import type { VerifyResult } from './verify/verify-result.js';
import { createManagement } from './management/management.js';
import { resolveCreateDefaults, type CreateDefaults } from './management/create-defaults.js';
import type { RateLimiter } from './verify/limits/limiter.js';
import { memoryLimiter } from './verify/limits/memory-limiter.js';
import { createFailureThrottle, type FailedAttemptsOptions } from './verify/limits/failed-attempts.js';
import { isKeyIdMessage, type InvalidationChannel } from './invalidation/invalidation.js';

export interface KeyringOptions extends PolicyOptions {
  store: KeyStore;
  /** Token prefix for new keys: letters, digits and `_` (`sk`, `sk_live`, `mcp_live`). */
  prefix: string;
  /** Older prefixes still accepted by verify (after a prefix change). */
  acceptPrefixes?: string[];
  /** HMAC peppers; the first hashes new keys, the rest still verify older ones. */
  pepper?: Pepper | Pepper[];
  /**
   * Verified-record cache; `false` turns it off. Size `max` to the keys in use within `ttlMs`;
   * a `cache.undersized` event says, once, when it is too small. @default { ttlMs: 10_000, max: 10_000 }
   */
  cache?: CacheOptions | false;
  /** Epoch milliseconds; inject one in tests. @default Date.now */
  clock?: () => number;
  onEvent?: EventListener;
  /** At most one `lastUsedAt` write per key per interval. @default 60_000 */
  touchIntervalMs?: number;
  /** Verify fails closed (`STORE_UNAVAILABLE`) when the store takes longer. @default 5_000 */
  storeTimeoutMs?: number;
  /**
   * Tokens of another format to look up as imported keys (see `keyring.import`). Tokens that do
   * not match never reach the store.
   */
  importedTokens?: RegExp | ((token: string) => boolean);
  /** Counts keys' named rate limits. @default memoryLimiter() — one process */
  limiter?: RateLimiter;
  /** When the limiter fails: 'closed' answers STORE_UNAVAILABLE, 'open' admits and reports `store.error`. @default 'closed' */
  limiterFailure?: 'closed' | 'open';
  /**
   * Throttle guessing: failed verifications (malformed, unknown, wrong secret) per client network
   * (an IPv4 address, an IPv6 /64), counted in a limiter of their own. Off by default.
   */
  failedAttempts?: FailedAttemptsOptions;
  /**
   * Fleet-wide cache invalidation (Redis pub/sub, PostgreSQL LISTEN/NOTIFY). Without one, other
   * instances see a change when their cached record's TTL ends.
   */
  invalidation?: InvalidationChannel;
  /**
   * What `create` gives the fields its input leaves out (scopes, roles, preset, resources,
   * requireMapping, mcp, expiresIn); explicit input and the preset's fields win. Checked here.
   */
  createDefaults?: CreateDefaults;
  /** The SHA-256 implementation. @default node's native one-shot hash when present, else @noble/hashes */
  hasher?: Hasher;
}

/** The policy of each keyring (effective permissions of a record), for keysmith's own tests and tools. */
const policies = new WeakMap<Keyring, Policy>();

/** The policy behind a keyring: internal, not part of the public API. */
export function policyOf(keyring: Keyring): Policy {
  const policy = policies.get(keyring);
  if (!policy) throw new KeysmithError('CONFIG', 'Not a keyring made by createKeyring');
  return policy;
}

/** `verify` that answers a cache hit synchronously (see `immediateVerifier`). */
type VerifyNow = (token: unknown, options?: VerifyOptions) => VerifyResult | Promise<VerifyResult>;

/** Each keyring's `verify` and its synchronous-when-it-can twin, for the middlewares' hot path. */
const immediate = new WeakMap<Pick<Keyring, 'verify'>, { verify: Keyring['verify']; verifyNow: VerifyNow }>();

/**
 * `keyring.verify`, answering a cache hit synchronously (no promise) when `keyring` was made by
 * `createKeyring`; for any other verifier, or once an application has replaced `keyring.verify`
 * (a wrapper for metrics, say), it calls `keyring.verify`. Internal, for the middlewares: may
 * throw synchronously where `verify` would reject.
 */
export function immediateVerifier(keyring: Pick<Keyring, 'verify'>): VerifyNow {
  const own = immediate.get(keyring);
  if (!own) return (token, options) => keyring.verify(token, options);
  // Checked per call: the application may wrap `verify` after the middleware was built.
  return (token, options) => (keyring.verify === own.verify ? own.verifyNow(token, options) : keyring.verify(token, options));
}

/**
 * Makes a keyring over a store: it mints, verifies and manages API keys (see `Keyring`).
 *
 * @throws KeysmithError `CONFIG` for a missing store, a bad prefix, unknown scopes in roles or presets.
 * @example
 * ```ts
 * import { createKeyring } from 'keysmith';
 * import { memoryStore } from 'keysmith/memory';
 * const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['evidence:read', 'evidence:write'] });
 * ```
 */
export function createKeyring(options: KeyringOptions): Keyring {
  if (!options || typeof options.store !== 'object' || options.store === null) throw new KeysmithError('CONFIG', 'createKeyring needs a store');
  if (typeof options.prefix !== 'string' || !isValidPrefix(options.prefix)) {
    throw new KeysmithError('CONFIG', 'prefix must be letters and digits, optionally joined by "_" (for example "sk_live")');
  }
  for (const p of options.acceptPrefixes ?? []) if (!isValidPrefix(p)) throw new KeysmithError('CONFIG', `Invalid accepted prefix ${JSON.stringify(p)}`);

  const fa = options.failedAttempts;
  if (fa !== undefined && !(Number.isSafeInteger(fa.limit) && fa.limit > 0 && Number.isSafeInteger(fa.windowMs) && fa.windowMs > 0)) {
    throw new KeysmithError('CONFIG', 'failedAttempts needs a positive whole limit and windowMs');
  }
  if (fa?.limiter !== undefined && typeof fa.limiter.refund !== 'function') {
    throw new KeysmithError(
      'CONFIG',
      'failedAttempts.limiter needs refund(): attempts are counted before they are checked and given back when they were not guesses (memoryLimiter and redisLimiter have it)',
    );
  }
  if (fa?.limiter !== undefined && fa.limiter === options.limiter) {
    throw new KeysmithError(
      'CONFIG',
      "failedAttempts needs its own limiter (or none): sharing the keys' limiter would let a flood of guesses evict their rate-limit windows",
    );
  }
  const store = options.store;
  const hasher = options.hasher ?? defaultHasher;
  const tokenHasher = new TokenHasher(options.pepper === undefined ? [] : Array.isArray(options.pepper) ? options.pepper : [options.pepper], hasher);
  const policy = new Policy(options);
  const now = options.clock ?? Date.now;
  const emit = emitter(options.onEvent);
  const cache = new KeyCache(options.cache, (max) =>
    emit({
      type: 'cache.undersized',
      at: new Date(now()),
      max,
      reason: `More keys are in use than the verify cache holds (cache.max ${max}): evicted keys are read from the store again; raise cache.max`,
    }),
  );
  const imported = options.importedTokens;
  const acceptImported =
    imported === undefined
      ? null
      : imported instanceof RegExp
        ? (t: string) => new RegExp(imported.source, imported.flags.replace(/[gy]/g, '')).test(t)
        : imported;

  const verifier = createVerifier({
    store,
    prefixes: new Set([options.prefix, ...(options.acceptPrefixes ?? [])]),
    tokenHasher,
    hasher,
    policy,
    cache,
    now,
    emit,
    hasListener: options.onEvent !== undefined,
    touchIntervalMs: options.touchIntervalMs ?? 60_000,
    storeTimeoutMs: options.storeTimeoutMs ?? 5_000,
    acceptImported,
    limiter: options.limiter ?? memoryLimiter(),
    limiterFailure: options.limiterFailure ?? 'closed',
    failures: fa ? createFailureThrottle(fa) : null,
  });

  /** Runs a store call; anything but a KeysmithError becomes STORE_UNAVAILABLE (driver text stays in `cause`). */
  const guarded = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!isKeysmithError(error)) emit({ type: 'store.error', at: new Date(now()), operation, error: describeError(error) });
      throw storeUnavailable(error);
    }
  };

  const channel = options.invalidation;
  /** Drops the cached record here and, through the channel, on every other instance. */
  const changed = (id: string) => {
    cache.invalidate(id);
    channel
      ?.publish(id)
      .catch((error: unknown) => emit({ type: 'store.error', at: new Date(now()), operation: 'invalidation.publish', error: describeError(error) }));
  };
  let unsubscribe: Promise<() => Promise<void>> | null = null;
  if (channel) {
    let degraded = false;
    unsubscribe = channel.subscribe({
      onMessage: (message) => {
        if (isKeyIdMessage(message)) cache.invalidate(message);
      },
      onStatus: (status, reason) => {
        if (status === 'down' && !degraded) {
          degraded = true;
          emit({
            type: 'cache.degraded',
            at: new Date(now()),
            reason: `Invalidation channel down (${reason}); cached keys now last at most ${cache.ttlMs} ms`,
          });
        } else if (status === 'up' && degraded) {
          degraded = false;
          cache.clear(); // messages sent while we were away are lost: start clean
          emit({ type: 'cache.restored', at: new Date(now()), reason });
        }
      },
    });
    unsubscribe.catch((error: unknown) =>
      emit({ type: 'cache.degraded', at: new Date(now()), reason: `Invalidation channel failed to start: ${describeError(error)}` }),
    );
  }

  const defaults = resolveCreateDefaults(options.createDefaults, policy);
  const management = createManagement({ store, prefix: options.prefix, tokenHasher, hasher, policy, defaults, changed, now, emit, guarded });

  const keyring: Keyring = {
    prefix: options.prefix,
    /** Checks a token and, optionally, what the request needs. Never throws; see `VerifyResult`. */
    verify: verifier.verify, // never throws synchronously: errors arrive as rejections
    /** A RegExp for secret scanners that matches this keyring's tokens. */
    pattern: () => pattern(options.prefix),
    /** Forgets a cached record (an invalidation channel calls this for changes made elsewhere). */
    invalidate(id?: string) {
      if (id === undefined) cache.clear();
      else if (isKeyIdMessage(id)) cache.invalidate(id);
    },
    /** Resolves once the invalidation channel (if any) is listening. */
    async ready(): Promise<void> {
      await unsubscribe;
    },
    /** Stops listening on the invalidation channel. */
    async close(): Promise<void> {
      if (unsubscribe !== null) await (await unsubscribe.catch(() => async () => {}))();
    },
    ...management,
  };
  policies.set(keyring, policy);
  immediate.set(keyring, { verify: verifier.verify, verifyNow: verifier.verifyNow });
  return keyring;
}

export type { Keyring } from './keyring-api.js';
