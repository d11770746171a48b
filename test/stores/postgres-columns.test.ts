import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rowToRecord, rowToRecordByFields } from '../../adapters/stores/postgres/columns.js';
import { parsedRowToRecord } from '../../adapters/stores/postgres/parsers.js';

/** Column values as node-postgres (strings for int8, 't'/'f' never: booleans) or PGlite (numbers) hand them over. */
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const jsonText = fc.jsonValue().map((v) => JSON.stringify(v));
const epochMs = fc.integer({ min: 0, max: 253_402_300_799_000 });
const row = fc.record({
  id: fc.string(),
  tenant_id: fc.string(),
  name: fc.string(),
  prefix: fc.string(),
  preview: fc.string(),
  hash: fc.string(),
  scopes: jsonText,
  roles: jsonText,
  preset: nullable(fc.string()),
  resources: jsonText,
  require_mapping: jsonText,
  mcp: jsonText,
  enabled: fc.oneof(fc.boolean(), fc.constantFrom('t', 'true', 'f')),
  expires_at: nullable(fc.oneof(epochMs, epochMs.map(String))),
  revoked_at: nullable(epochMs),
  revoked_by: nullable(fc.string()),
  created_at: epochMs,
  created_by: nullable(fc.string()),
  updated_at: nullable(epochMs),
  last_used_at: nullable(epochMs.map(String)),
  owner_id: nullable(fc.string()),
  ip_allowlist: jsonText,
  remaining: nullable(fc.oneof(fc.integer(), fc.integer().map(String))),
  refill: nullable(jsonText),
  refilled_at: nullable(epochMs),
  rate_limits: jsonText,
  metadata: jsonText,
  superseded_by: nullable(fc.string()),
  version: fc.oneof(fc.integer({ min: 1 }), fc.integer({ min: 1 }).map(String)),
});

describe('postgres rows', () => {
  it('rowToRecord (one fixed-shape literal) agrees with the FIELDS mapping: same fields, same order, same values', () => {
    fc.assert(
      fc.property(row, (r) => {
        const fast = rowToRecord(r);
        const generic = rowToRecordByFields(r);
        expect(Object.keys(fast)).toEqual(Object.keys(generic));
        expect(fast).toEqual(generic);
      }),
      { numRuns: 300 },
    );
  });

  it('parsedRowToRecord (a row whose values the driver parsed) gives the same record, fields in the same order', () => {
    const times = ['expires_at', 'revoked_at', 'created_at', 'updated_at', 'last_used_at', 'refilled_at'];
    const jsons = ['scopes', 'roles', 'resources', 'require_mapping', 'mcp', 'ip_allowlist', 'refill', 'rate_limits', 'metadata'];
    fc.assert(
      fc.property(row, (r) => {
        const parsed: Record<string, unknown> = { ...r, enabled: r.enabled === true || r.enabled === 't' || r.enabled === 'true' };
        for (const c of times) parsed[c] = r[c as keyof typeof r] === null ? null : new Date(Number(r[c as keyof typeof r]));
        for (const c of jsons) parsed[c] = r[c as keyof typeof r] === null ? null : JSON.parse(r[c as keyof typeof r] as string);
        const fromParsed = parsedRowToRecord(parsed);
        expect(Object.keys(fromParsed)).toEqual(Object.keys(rowToRecord(r)));
        expect(fromParsed).toEqual(rowToRecord(r));
      }),
      { numRuns: 300 },
    );
  });
});
