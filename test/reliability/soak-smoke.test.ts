import { describe, expect, it } from 'vitest';
import { judge, type RevocableKey, type Sent } from '../../bench/suites/soak-keys.js';
import { soakOne } from '../../bench/suites/soak-run.js';

/** The soak's judge and a short run of it, so `bench/soak.ts` cannot rot or pass by accident. */
describe('soak judge', () => {
  const at = (category: Sent['category'], sentAt = 10, key?: RevocableKey): Sent => ({ category, path: '/docs', token: 't', sentAt, key });
  const body = (code: string) => JSON.stringify({ error: { code, message: 'm' } });

  it('fixed categories need their exact status and code', () => {
    expect(judge(at('valid'), 200, 'ok', 11)).toBe('right');
    expect(judge(at('valid'), 401, body('INVALID'), 11)).toBe('wrong');
    expect(judge(at('wrongScope'), 403, body('INSUFFICIENT_SCOPE'), 11)).toBe('right');
    expect(judge(at('wrongScope'), 403, body('FORBIDDEN_RESOURCE'), 11)).toBe('wrong');
    expect(judge(at('expired'), 401, body('REVOKED'), 11)).toBe('wrong');
    expect(judge(at('unknown'), 401, body('INVALID'), 11)).toBe('right');
  });

  it('a key being revoked: 200 before the revoke, 401 REVOKED after it returned, either while in flight', () => {
    expect(judge(at('revoking', 10, { id: 'k', token: 't' }), 200, 'ok', 11)).toBe('right');
    expect(judge(at('revoking', 10, { id: 'k', token: 't', revokeSentAt: 20 }), 401, body('REVOKED'), 15)).toBe('wrong');
    expect(judge(at('revoking', 10, { id: 'k', token: 't', revokeSentAt: 5 }), 401, body('REVOKED'), 15)).toBe('either');
    expect(judge(at('revoking', 10, { id: 'k', token: 't', revokeSentAt: 5, revokeDoneAt: 8 }), 200, 'ok', 15)).toBe('wrong');
    expect(judge(at('revoking', 10, { id: 'k', token: 't', revokeSentAt: 5, revokeDoneAt: 8 }), 401, body('REVOKED'), 15)).toBe('right');
  });
});

describe('soak smoke run', () => {
  it('3,000 mixed requests against Fastify with revocations: every answer right', async () => {
    const r = await soakOne('fastify', {
      requests: 3_000,
      maxSeconds: 20,
      connections: 10,
      sizes: { valid: 100, revoked: 20, expired: 20, revoking: 40 },
      cacheMax: 50,
      limiterCounters: 20,
    });
    expect(r.requests).toBe(3_000);
    expect({ wrong: r.wrong, examples: r.examples, transport: r.transportErrors, accepted: r.acceptedAfterRevoke, revokeFailures: r.revokeFailures }).toEqual({
      wrong: 0,
      examples: [],
      transport: 0,
      accepted: 0,
      revokeFailures: 0,
    });
    expect(r.revocations).toBe(40);
    expect(r.limiterSize).toBeLessThanOrEqual(20);
    expect(Object.values(r.byCategory).every((n) => n > 0)).toBe(true);
  }, 40_000);
});
