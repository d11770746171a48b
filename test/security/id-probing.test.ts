import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { formatToken, parseToken } from '../../src/token/token.js';
import { countingStore } from '../support/counting-store.js';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS as targets, type OpenStore } from '../support/store-targets.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const base62 = (length: number) => fc.string({ unit: fc.constantFrom(...BASE62), minLength: length, maxLength: length });

/**
 * Issue 12, item 8: with the default cache, a wrong secret for an existing (cached) id must cost
 * what an unknown id costs, from the very first probe — otherwise one request tells which ids
 * exist. Timing is measured in bench/ (bench/suites/id-probing.ts); here the mechanism is asserted:
 * both probes make exactly the same store calls with the same outcome (one read that finds nothing).
 */
for (const target of targets) {
  describe(`probing ids: ${target.label}`, () => {
    let opened: OpenStore;
    beforeAll(async () => {
      opened = await target.open();
    }, START_TIMEOUT);
    afterAll(async () => opened?.close());

    it('a wrong secret for a cached id makes the same store calls as an unknown id, first probe included', async () => {
      await fc.assert(
        fc.asyncProperty(base62(16), base62(32), base62(32), fc.boolean(), async (unknownId, secret1, secret2, unknownFirst) => {
          const found: boolean[] = []; // what each findById returned: a record, or nothing
          const counted = countingStore({ ...opened.store, findById: (i) => opened.store.findById(i).then((r) => (found.push(r !== null), r)) });
          const keyring = createKeyring({ store: counted.store, prefix: 'sk' }); // the default cache
          const { token } = await keyring.create({ tenantId: 'probe', name: 'k' });
          expect((await keyring.verify(token)).valid).toBe(true); // cached now
          const { id, secret } = parseToken(token)!;
          const wrong = formatToken({ prefix: 'sk', id, secret: secret1 === secret ? secret2 : secret1 });
          const unknown = formatToken({ prefix: 'sk', id: unknownId, secret: secret1 });

          const cost = async (probe: string) => {
            const before = { ...counted.calls };
            found.length = 0;
            const result = await keyring.verify(probe);
            expect(result).toMatchObject({ valid: false, message: 'The API key is invalid' });
            const calls = Object.fromEntries(
              Object.entries(counted.calls)
                .map(([m, n]) => [m, n - (before[m] ?? 0)])
                .filter(([, n]) => n !== 0),
            );
            return { calls, found: [...found] };
          };
          const order = unknownFirst ? [unknown, wrong] : [wrong, unknown];
          const [a, b] = [await cost(order[0]!), await cost(order[1]!)];
          expect(a).toEqual({ calls: { findById: 1 }, found: [false] }); // one read, and it finds nothing
          expect(b).toEqual(a);
          // The valid key still answers from memory: the warm path asks the store nothing.
          const again = { ...counted.calls };
          expect((await keyring.verify(token)).valid).toBe(true);
          expect(counted.calls.findById).toBe(again.findById);
        }),
        { numRuns: 10 },
      );
    });
  });
}
