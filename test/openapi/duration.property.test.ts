import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { updateKeyInputSchema } from 'keysmith';
import { parseDuration } from '../../src/management/duration.js';
import { runs } from '../support/runs.js';

// expiresIn is stated as schemas (so the OpenAPI document can say it); they must accept exactly what parseDuration does.
describe('expiresIn schema and parseDuration agree', () => {
  it('on durations, near-durations and numbers', () => {
    const near = fc.tuple(fc.stringMatching(/^[0-9]{0,8}$/), fc.constantFrom('s', 'm', 'h', 'd', 'w', 'y', 'x', '', 'D', ' d')).map(([n, u]) => n + u);
    const value = fc.oneof(near, fc.string(), fc.integer(), fc.double(), fc.constantFrom(0, -0, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2));
    fc.assert(
      fc.property(value, (v) => {
        expect(updateKeyInputSchema.safeParse({ expiresIn: v }).success, String(v)).toBe(parseDuration(v) !== null);
      }),
      { numRuns: runs(500, 2000) },
    );
  });
});
