import assert from 'node:assert/strict';
import { makeRecord, race, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

export function raceTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    '100 parallel revokes of one key: exactly one wins',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const results = await race(100, (i) => store.revoke(record.tenantId, record.id, new Date(), `admin_${i}`));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const stored = (await store.findById(record.id))!;
      assert.equal(stored.revokedBy, winners[0]!.revokedBy);
      assert.equal(stored.version, 2);
    }),
  );

  it(
    '200 parallel updates at the same version: exactly one wins, and it is what is stored',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const results = await race(200, (i) => store.update(record.tenantId, record.id, { name: `writer ${i}` }, 1));
      const winners = results.filter((r) => r !== null);
      assert.equal(winners.length, 1);
      const stored = (await store.findById(record.id))!;
      assert.equal(stored.name, winners[0]!.name);
      assert.equal(stored.version, 2);
    }),
  );

  it(
    'read-then-versioned-update by 20 writers loses no update',
    t(async ({ store }) => {
      const record = makeRecord({ metadata: { count: 0 } });
      await store.insert(record);
      await race(20, async () => {
        for (;;) {
          const current = (await store.get(record.tenantId, record.id))!;
          const count = (current.metadata.count as number) + 1;
          if (await store.update(record.tenantId, record.id, { metadata: { count } }, current.version)) return;
        }
      });
      const stored = (await store.findById(record.id))!;
      assert.deepStrictEqual(stored.metadata, { count: 20 });
      assert.equal(stored.version, 21);
    }),
    60_000,
  );

  it(
    '20 parallel consume(1) against 5 credits: exactly 5 succeed',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 5 });
      await store.insert(record);
      const results = await race(20, () => store.consume(record.id, 1));
      assert.equal(results.filter((r) => r !== null).length, 5);
      assert.deepStrictEqual(results.filter((r) => r !== null).sort(), [0, 1, 2, 3, 4]);
      assert.equal((await store.findById(record.id))!.remaining, 0);
    }),
  );

  it(
    'parallel refills of one period: exactly one applies',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 0, refill: { amount: 10, interval: 'day' }, refilledAt: new Date(Date.UTC(2026, 0, 1)) });
      await store.insert(record);
      const period = new Date(Date.UTC(2026, 0, 2));
      const results = await race(30, () => store.refill(record.id, 10, period));
      assert.equal(results.filter((r) => r !== null).length, 1);
      assert.equal((await store.findById(record.id))!.remaining, 10);
    }),
  );

  it(
    'parallel touches out of order keep the latest',
    t(async ({ store }) => {
      const record = makeRecord();
      await store.insert(record);
      const times = Array.from({ length: 50 }, (_, i) => new Date(Date.UTC(2026, 0, 1) + ((i * 37) % 50) * 1000));
      await race(times.length, (i) => store.touch(record.id, times[i]!));
      const latest = new Date(Math.max(...times.map((d) => d.getTime())));
      assert.deepStrictEqual((await store.findById(record.id))!.lastUsedAt, latest);
    }),
  );
}
