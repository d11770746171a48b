import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from 'keysmith';
import { Policy } from '../../src/permissions/policy.js';
import { prepare } from '../../src/verify/key-cache.js';

/** A record with every field set, Dates included, as a store returns it. */
function fullRecord(): ApiKeyRecord {
  const at = (iso: string) => new Date(iso);
  return {
    id: 'AbCdEfGhIjKlMnOp',
    tenantId: 't1',
    name: 'k',
    prefix: 'sk',
    preview: 'sk_AbCd…wxyz',
    hash: 'sha256:00',
    scopes: ['docs:read'],
    roles: [],
    preset: null,
    resources: { project: ['p1'] },
    requireMapping: ['project'],
    mcp: { enabled: true, tools: { mode: 'allow', names: ['search'] }, readOnly: false },
    enabled: true,
    expiresAt: at('2027-01-01T00:00:00Z'),
    revokedAt: at('2026-12-01T00:00:00Z'),
    revokedBy: 'admin',
    createdAt: at('2026-01-01T00:00:00Z'),
    createdBy: 'admin',
    updatedAt: at('2026-02-01T00:00:00Z'),
    lastUsedAt: at('2026-03-01T00:00:00Z'),
    ownerId: 'u1',
    ipAllowlist: ['10.0.0.0/8'],
    remaining: 5,
    refill: { amount: 5, interval: 'day' },
    refilledAt: at('2026-04-01T00:00:00Z'),
    rateLimits: [{ name: 'rps', limit: 10, windowMs: 1000 }],
    metadata: { plan: { tier: 'pro' } },
    supersededBy: null,
    version: 3,
  };
}

describe('prepare: the key verify hands out', () => {
  it('copies every Date field of the record (verify decides on the record’s own) and freezes the rest', () => {
    const record = fullRecord();
    const { key, permissions } = prepare(record, new Policy({}));
    const dateFields = Object.keys(record).filter((field) => record[field as keyof ApiKeyRecord] instanceof Date);
    expect(dateFields.length).toBe(6);
    for (const field of dateFields) {
      const handed = (key as unknown as Record<string, unknown>)[field];
      expect(handed, field).toBeInstanceOf(Date);
      expect(handed, field).not.toBe(record[field as keyof ApiKeyRecord]);
      expect((handed as Date).getTime(), field).toBe((record[field as keyof ApiKeyRecord] as Date).getTime());
    }
    expect(Object.isFrozen(key)).toBe(true);
    expect(Object.isFrozen(key.metadata.plan)).toBe(true);
    expect(Object.isFrozen(key.mcp.tools.names)).toBe(true);
    expect(Object.isFrozen(key.rateLimits[0])).toBe(true);
    expect(Object.isFrozen(permissions.scopes)).toBe(true);
    expect('hash' in key).toBe(false);
  });
});
