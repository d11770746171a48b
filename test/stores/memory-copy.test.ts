import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from 'keysmith';
import { copyRecord } from '../../adapters/stores/memory/copy-record.js';
import { runs } from '../support/runs.js';

/** The memory store copies records with `copyRecord` instead of `structuredClone`: same result, nothing shared. */

const date = fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true });
const orNull = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const json = fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });

const record: fc.Arbitrary<ApiKeyRecord> = fc.record({
  id: fc.string(),
  tenantId: fc.string(),
  name: fc.string(),
  prefix: fc.string(),
  preview: fc.string(),
  hash: fc.string(),
  scopes: fc.array(fc.string(), { maxLength: 4 }),
  roles: fc.array(fc.string(), { maxLength: 3 }),
  preset: orNull(fc.string()),
  resources: fc.dictionary(fc.string(), fc.array(fc.string(), { maxLength: 3 }), { maxKeys: 3 }),
  requireMapping: fc.oneof(fc.boolean(), fc.array(fc.string(), { maxLength: 3 })),
  mcp: fc.record({
    enabled: fc.boolean(),
    tools: fc.record({ mode: fc.constantFrom('all' as const, 'allow' as const, 'deny' as const), names: fc.array(fc.string(), { maxLength: 3 }) }),
    readOnly: fc.boolean(),
  }),
  enabled: fc.boolean(),
  expiresAt: orNull(date),
  revokedAt: orNull(date),
  revokedBy: orNull(fc.string()),
  createdAt: date,
  createdBy: orNull(fc.string()),
  updatedAt: orNull(date),
  lastUsedAt: orNull(date),
  ownerId: orNull(fc.string()),
  ipAllowlist: fc.array(fc.string(), { maxLength: 3 }),
  remaining: orNull(fc.integer()),
  refill: orNull(fc.record({ amount: fc.nat(), interval: fc.oneof(fc.constantFrom('day' as const, 'month' as const), fc.nat()) })),
  refilledAt: orNull(date),
  rateLimits: fc.array(
    fc.record(
      { name: fc.string(), limit: fc.nat(), windowMs: fc.nat(), per: fc.constantFrom('key' as const, 'owner' as const) },
      { requiredKeys: ['name', 'limit', 'windowMs'] },
    ),
    { maxLength: 2 },
  ),
  metadata: json,
  supersededBy: orNull(fc.string()),
  version: fc.nat(),
});

/** Every object (or array, or Date) reachable in `copy` is a different object from the one at the same place in `original`. */
function sharesNothing(original: unknown, copy: unknown, path = 'record'): void {
  if (original === null || typeof original !== 'object') return;
  expect(copy, `${path} is shared`).not.toBe(original);
  for (const key of Object.keys(original)) sharesNothing((original as Record<string, unknown>)[key], (copy as Record<string, unknown>)[key], `${path}.${key}`);
}

describe('copyRecord', () => {
  it('equals structuredClone for every record, and shares no object with the original', () => {
    fc.assert(
      fc.property(record, (r) => {
        const copy = copyRecord(r);
        expect(copy).toStrictEqual(structuredClone(r));
        expect(Object.keys(copy)).toEqual(Object.keys(r));
        sharesNothing(r, copy);
      }),
      { numRuns: runs(300, 2_000) },
    );
  });

  it('keeps an own __proto__ key of metadata as data, never as the prototype', () => {
    const metadata = JSON.parse('{"__proto__": {"admin": true}}') as Record<string, unknown>;
    const r = fc.sample(record, { numRuns: 1, seed: 1 })[0]!;
    const copy = copyRecord({ ...r, metadata });
    expect(Object.getPrototypeOf(copy.metadata)).toBe(Object.prototype);
    expect(Object.keys(copy.metadata)).toEqual(['__proto__']);
    expect((copy.metadata as { admin?: unknown }).admin).toBeUndefined();
  });
});
