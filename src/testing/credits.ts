import assert from 'node:assert/strict';
import { makeRecord, newId, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function creditTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'consume subtracts the cost while enough credits remain',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 10 });
      await store.insert(record);
      assert.equal(await store.consume(record.id, 3), 7);
      assert.equal(await store.consume(record.id, 7), 0);
      assert.equal(await store.consume(record.id, 1), null);
      assert.equal((await store.findById(record.id))!.remaining, 0);
    }),
  );

  it(
    'consume never goes below zero, and is null for unlimited or unknown keys',
    t(async ({ store }) => {
      const limited = makeRecord({ remaining: 2 });
      const unlimited = makeRecord({ remaining: null });
      await store.insert(limited);
      await store.insert(unlimited);
      assert.equal(await store.consume(limited.id, 3), null);
      assert.equal((await store.findById(limited.id))!.remaining, 2);
      assert.equal(await store.consume(unlimited.id, 1), null);
      assert.equal((await store.findById(unlimited.id))!.remaining, null);
      assert.equal(await store.consume(newId(), 1), null);
    }),
  );

  it(
    'refill applies once per period and never moves back',
    t(async ({ store }) => {
      const jan = new Date(Date.UTC(2026, 0, 1));
      const feb = new Date(Date.UTC(2026, 1, 1));
      const record = makeRecord({ remaining: 1, refill: { amount: 100, interval: 'month' }, refilledAt: jan });
      await store.insert(record);
      assert.equal(await store.refill(record.id, 100, jan), null);
      assert.equal(await store.refill(record.id, 100, feb), 100);
      assert.equal(await store.refill(record.id, 100, feb), null);
      assert.equal(await store.refill(record.id, 100, jan), null);
      const found = (await store.findById(record.id))!;
      assert.equal(found.remaining, 100);
      assert.deepStrictEqual(found.refilledAt, feb);
    }),
  );

  it(
    'refill is null for a key without a refill setting',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 1, refill: null });
      await store.insert(record);
      assert.equal(await store.refill(record.id, 100, new Date()), null);
      assert.equal((await store.findById(record.id))!.remaining, 1);
    }),
  );

  it(
    'touch moves lastUsedAt forward only',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const t1 = new Date(Date.UTC(2026, 2, 1, 0, 0, 0, 500));
      const t0 = new Date(Date.UTC(2026, 1, 1));
      await store.touch(record.id, t1);
      await store.touch(record.id, t0);
      const found = (await store.findById(record.id))!;
      assert.deepStrictEqual(found.lastUsedAt, t1);
      assert.equal(found.version, record.version, 'touch is not an edit: version stays');
      await store.touch(newId(), t1); // unknown id: no error
    }),
  );

  it(
    'touch with an interval skips a key written less than an interval before (one write per interval across instances)',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const minute = 60_000;
      const t0 = new Date(Date.UTC(2026, 2, 1, 0, 0, 0, 250));
      await store.touch(record.id, t0, minute); // never used: written
      assert.deepStrictEqual((await store.findById(record.id))!.lastUsedAt, t0);
      await store.touch(record.id, new Date(t0.getTime() + minute - 1), minute); // within the interval: skipped
      assert.deepStrictEqual((await store.findById(record.id))!.lastUsedAt, t0);
      const t1 = new Date(t0.getTime() + minute + 1);
      await store.touch(record.id, t1, minute); // an interval later: written
      assert.deepStrictEqual((await store.findById(record.id))!.lastUsedAt, t1);
      await store.touch(record.id, new Date(t1.getTime() - 5 * minute), minute); // never back
      assert.deepStrictEqual((await store.findById(record.id))!.lastUsedAt, t1);
    }),
  );
}
