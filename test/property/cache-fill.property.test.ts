import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, type Keyring, type VerifyOptions, type VerifyResult } from 'keysmith';
import { gatedReads } from '../support/gated-reads.js';
import { START_TIMEOUT } from '../support/pg.js';
import { STORE_TARGETS as targets, type OpenStore } from '../support/store-targets.js';
import { runs } from '../support/runs.js';

/**
 * Issue 12, item 1: a verify whose store read started before a management call and finished after
 * it must neither answer with the old state nor put the old record back into the cache.
 *
 * fast-check picks the interleaving: when verifies start (each sends its read at once, the gate
 * holds the answer), when the change runs, and in which order held answers are delivered.
 */
type Change = 'revoke' | 'pause' | 'narrow' | 'rotate' | 'expire';
type Step = { op: 'verify' } | { op: 'release'; pick: number } | { op: 'change' };

/** What the change does to the key, and the verify options that see it. */
const clock = { now: Date.UTC(2026, 0, 1) };
const CHANGES: Record<Change, { run: (k: Keyring, tenant: string, id: string) => Promise<unknown>; options: VerifyOptions }> = {
  revoke: { run: (k, t, id) => k.revoke(t, id), options: {} },
  pause: { run: (k, t, id) => k.setEnabled(t, id, false), options: {} },
  narrow: { run: (k, t, id) => k.update(t, id, { scopes: ['docs:read'] }), options: { scopes: ['docs:write'] } },
  rotate: { run: (k, t, id) => k.rotate(t, id, { graceMs: 0 }), options: {} },
  expire: { run: (k, t, id) => k.update(t, id, { expiresAt: new Date(clock.now + 1_000) }).then(() => (clock.now += 2_000)), options: {} },
};

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ op: 'verify' as const }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('release' as const), pick: fc.nat(20) }) },
);

const scenario = fc.record({
  change: fc.constantFrom<Change>('revoke', 'pause', 'narrow', 'rotate', 'expire'),
  warm: fc.boolean(),
  /** A key with credits: its verifies also wait for the store's atomic decrement. */
  credits: fc.boolean(),
  before: fc.array(step, { minLength: 1, maxLength: 8 }),
  after: fc.array(step, { maxLength: 8 }),
});

let run = 0;

for (const target of targets) {
  describe(`verify never answers or caches a state older than a returned change: ${target.label}`, () => {
    let opened: OpenStore;
    beforeAll(async () => {
      opened = await target.open();
    }, START_TIMEOUT);
    afterAll(async () => opened?.close());

    it('stale reads in flight during revoke, pause, narrowing, rotation or expiry never win (random interleavings)', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async ({ change, warm, credits, before, after }) => {
          run++;
          const gate = gatedReads(opened.store);
          const keyring = createKeyring({ store: gate.store, prefix: 'sk', cache: { ttlMs: 60_000 }, clock: () => clock.now });
          const tenant = `fill${run}`;
          const { key, token } = await keyring.create({
            tenantId: tenant,
            name: 'k',
            scopes: ['docs:read', 'docs:write'],
            ...(credits ? { remaining: 1_000 } : {}),
          });
          const { options } = CHANGES[change];
          if (warm) {
            gate.open();
            expect((await keyring.verify(token, options)).valid).toBe(true);
            gate.close();
          }

          let changeReturned = false;
          const late: Promise<VerifyResult>[] = [];
          const pending: Promise<unknown>[] = [];
          const play = async (s: Step) => {
            if (s.op === 'verify') {
              const startedAfter = changeReturned;
              const v = keyring.verify(token, options);
              // Answered after the change returned: must show the new state.
              pending.push(v.then((r) => (changeReturned ? late.push(Promise.resolve(r)) : undefined)));
              if (startedAfter) late.push(v);
            } else if (s.op === 'release') {
              gate.releaseOne(s.pick);
              await new Promise((r) => setImmediate(r));
            }
          };
          for (const s of before) await play(s);
          await gate.allAnswered(); // the held reads all took their snapshot before the change
          await CHANGES[change].run(keyring, tenant, key.id);
          changeReturned = true;
          for (const s of after) await play(s);
          // Deliver everything still held (re-reads included) until every verify has answered.
          gate.open();
          let settled = false;
          const all = Promise.all(pending).then(() => (settled = true));
          while (!settled) {
            while (gate.releaseOne(0));
            await new Promise((r) => setImmediate(r));
          }
          await all;

          for (const result of await Promise.all(late)) expect(result.valid, `a verify answered after ${change} returned`).toBe(false);
          // And nothing stale was left in the cache.
          expect((await keyring.verify(token, options)).valid, `the cache after ${change}`).toBe(false);
        }),
        { numRuns: target.label === 'memory' ? runs(75, 150) : runs(20, 40) },
      );
    }, 120_000);
  });
}
