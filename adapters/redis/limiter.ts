import { createHash } from 'node:crypto';
import { KeysmithError, type LimitCheck, type LimitDecision, type RateLimiter } from 'keysmith';
import type { RedisLike } from './client.js';
import { REFUND_SCRIPT, SLIDING_WINDOW_SCRIPT } from './sliding-window.lua.js';

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SHA = sha1(SLIDING_WINDOW_SCRIPT);
const REFUND_SHA = sha1(REFUND_SCRIPT);

export interface RedisLimiterOptions {
  /** An ioredis client (or anything with `evalsha` and `eval`). */
  client: RedisLike;
  /** Prepended to every counter key; no `{` or `}` (keysmith sets the hash tag). @default 'keysmith:rl:' */
  keyPrefix?: string;
}

/**
 * A counter's three Redis keys (hits, sum, seq), hash-tagged by its group (or by itself), so one
 * limit — and every counter of one group — lives in one Redis Cluster slot.
 */
function counterKeys(prefix: string, check: LimitCheck): [string, string, string] {
  const base = check.group === undefined ? `${prefix}{${check.key}}` : `${prefix}{${check.group}}:${check.key}`;
  return [base, `${base}:sum`, `${base}:seq`];
}

/**
 * A rate limiter for a fleet: every instance shares the counters in Redis, and each decision is one
 * Lua script, so N instances sharing a limit of L admit exactly L per window between them.
 * Works on one Redis and on Redis Cluster (ioredis `Cluster`): the script declares every key it
 * touches, and the counters of one call share a hash tag (their `group`, keysmith's: the tenant).
 * Errors (Redis down, counters of different groups on Cluster) are thrown; the keyring's
 * `limiterFailure` decides what that means.
 */
export function redisLimiter(options: RedisLimiterOptions): RateLimiter & Required<Pick<RateLimiter, 'refund'>> {
  const prefix = options.keyPrefix ?? 'keysmith:rl:';
  if (typeof prefix !== 'string' || /[{}]/.test(prefix))
    throw new KeysmithError('CONFIG', 'redisLimiter keyPrefix must be a string without "{" or "}" (keysmith sets the hash tag)');
  const { client } = options;

  const run = async (keys: string[], args: (string | number)[], script = SLIDING_WINDOW_SCRIPT, sha = SHA): Promise<unknown> => {
    try {
      return await client.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error)?.message).includes('NOSCRIPT')) throw error;
      return client.eval(script, keys.length, ...keys, ...args);
    }
  };

  return {
    async limit(checks: readonly LimitCheck[], cost: number): Promise<LimitDecision> {
      if (checks.length === 0) return { allowed: true, remaining: 0 };
      const keys = checks.flatMap((c) => counterKeys(prefix, c));
      const args = [cost, ...checks.flatMap((c) => [c.limit, c.windowMs])];
      const reply = (await run(keys, args)) as number[];
      if (reply[0] === 1) return { allowed: true, remaining: Number(reply[1]) };
      return { allowed: false, index: Number(reply[1]), retryAfterMs: Number(reply[2]) };
    },
    async refund(checks: readonly LimitCheck[], cost: number): Promise<void> {
      if (checks.length === 0 || !(cost > 0)) return;
      await run(
        checks.flatMap((c) => counterKeys(prefix, c)),
        [cost],
        REFUND_SCRIPT,
        REFUND_SHA,
      );
    },
  };
}
