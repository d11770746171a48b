import assert from 'node:assert/strict';
import { makeRecord, newId, race, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

/** `supersede`, the store's half of `rotate`: credits handed over exactly once, a successor named once. */
export function supersedeTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);
  const at = new Date(Date.UTC(2026, 4, 5, 6, 7, 8, 9));
  const graceEnd = new Date(at.getTime() + 60_000);

  it(
    'supersede names the successor, ends the grace, zeroes credits and refill, bumps version, and returns what it took',
    t(async ({ store, rawFindById }) => {
      const refilledAt = new Date(Date.UTC(2026, 4, 1));
      const record = makeRecord({ remaining: 42, refill: { amount: 50, interval: 'month' }, refilledAt, expiresAt: new Date(at.getTime() + 86_400_000) });
      await store.insert(record);
      const successorId = newId();
      const handed = await store.supersede(record.tenantId, record.id, { successorId, expiresAt: graceEnd, at }, record.version);
      const expected = { ...record, supersededBy: successorId, expiresAt: graceEnd, remaining: 0, refill: null, updatedAt: at, version: 2 };
      assert.deepStrictEqual(handed, { record: expected, remaining: 42, refilledAt });
      assert.deepStrictEqual(await store.findById(record.id), expected);
      if (rawFindById) assert.deepStrictEqual(await rawFindById(record.id), expected);
      assert.equal(await store.consume(record.id, 1), null, 'nothing left to spend on the old key');
      assert.equal(await store.refill(record.id, 50, new Date(Date.UTC(2026, 5, 1))), null, 'and no refill brings credits back');
    }),
  );

  it(
    'supersede of an unlimited key leaves it unlimited and hands over null',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: null, expiresAt: null });
      await store.insert(record);
      const handed = await store.supersede(record.tenantId, record.id, { successorId: newId(), expiresAt: graceEnd, at });
      assert.ok(handed);
      assert.equal(handed.remaining, null);
      assert.equal(handed.refilledAt, null);
      assert.equal(handed.record.remaining, null);
      assert.deepStrictEqual(handed.record.expiresAt, graceEnd);
    }),
  );

  it(
    'supersede happens once: a second call, another tenant, a stale version, a revoked key or a later expiry return null and change nothing',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 5, expiresAt: new Date(at.getTime() + 86_400_000) });
      await store.insert(record);
      const change = { successorId: newId(), expiresAt: graceEnd, at };
      assert.equal(await store.supersede('other_tenant', record.id, change), null);
      assert.equal(await store.supersede(record.tenantId, newId(), change), null);
      assert.equal(await store.supersede(record.tenantId, record.id, change, record.version + 1), null);
      const later = { ...change, expiresAt: new Date(record.expiresAt!.getTime() + 1) };
      assert.equal(await store.supersede(record.tenantId, record.id, later), null, 'the grace never outlives the key');
      assert.deepStrictEqual(await store.findById(record.id), record);

      const first = await store.supersede(record.tenantId, record.id, change);
      assert.equal(first?.remaining, 5);
      assert.equal(await store.supersede(record.tenantId, record.id, { ...change, successorId: newId() }), null, 'one successor only');
      assert.deepStrictEqual(await store.findById(record.id), first!.record);

      const revoked = makeRecord();
      await store.insert(revoked);
      await store.revoke(revoked.tenantId, revoked.id, at, null);
      assert.equal(await store.supersede(revoked.tenantId, revoked.id, change), null);
    }),
  );

  it(
    'update can clear supersededBy (a failed rotation puts the old key back)',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 9, expiresAt: null });
      await store.insert(record);
      const handed = (await store.supersede(record.tenantId, record.id, { successorId: newId(), expiresAt: graceEnd, at }))!;
      const restored = await store.update(
        record.tenantId,
        record.id,
        { supersededBy: null, remaining: handed.remaining, expiresAt: record.expiresAt, refill: record.refill },
        handed.record.version,
      );
      assert.equal(restored?.supersededBy, null);
      assert.equal(restored?.remaining, 9);
    }),
  );

  it(
    'credits race a supersede: every credit is spent once, on the old key or handed over, never both',
    t(async ({ store }) => {
      for (let trial = 0; trial < 5; trial++) {
        const record = makeRecord({ remaining: 100, expiresAt: null });
        await store.insert(record);
        let handed: number | null | undefined;
        const results = await race(60, async (i) => {
          if (i === 20 + trial * 5) {
            const h = await store.supersede(record.tenantId, record.id, { successorId: newId(), expiresAt: graceEnd, at });
            handed = h?.remaining;
            return null;
          }
          return store.consume(record.id, 1);
        });
        const spent = results.filter((r) => r !== null).length;
        assert.equal(typeof handed, 'number', 'the supersede matched');
        assert.equal(spent + handed!, 100, `spent ${spent} on the old key, handed over ${handed}`);
        assert.equal((await store.findById(record.id))!.remaining, 0);
      }
    }),
  );

  it(
    'concurrent supersedes of one key: exactly one wins',
    t(async ({ store }) => {
      const record = makeRecord({ remaining: 10, expiresAt: null });
      await store.insert(record);
      const results = await race(10, () => store.supersede(record.tenantId, record.id, { successorId: newId(), expiresAt: graceEnd, at }, record.version));
      const won = results.filter((r) => r !== null);
      assert.equal(won.length, 1);
      assert.equal(won[0]!.remaining, 10);
      assert.equal((await store.findById(record.id))!.version, record.version + 1);
    }),
  );
}
