import assert from 'node:assert/strict';
import type { CommandStartedEvent, Document } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { isKeysmithError } from 'keysmith';
import { MONGO_INDEXES, mongoStore, type MongoKeyDocument, type MongoStore } from 'keysmith/mongo';
import { makeRecord, newTenant } from 'keysmith/testing';
import { mongoTargets, type MongoSession } from '../support/mongo-wire/targets.js';

const DATA_COMMANDS = new Set(['insert', 'find', 'findAndModify', 'update', 'delete', 'aggregate', 'count', 'getMore']);

for (const target of mongoTargets()) {
  describe(`${target.label}: adapter`, () => {
    let session: MongoSession;
    let store: MongoStore;
    const sent: CommandStartedEvent[] = [];
    /** The data commands `run` sends, so a test can see the exact queries. */
    const commandsOf = async (run: () => Promise<unknown>): Promise<CommandStartedEvent[]> => {
      sent.length = 0;
      await run();
      return sent.filter((e) => DATA_COMMANDS.has(e.commandName));
    };

    beforeAll(async () => {
      session = await target.open({ monitorCommands: true });
      session.client.on('commandStarted', (e) => sent.push(e));
      store = mongoStore({ collection: session.db.collection('api_keys') });
      await store.setup();
    });
    afterAll(async () => session?.close());

    it('setup is idempotent and creates the tenant listing index; _id is the unique key id', async () => {
      assert.deepStrictEqual(await store.setup(), ['keysmith_tenant_created']);
      assert.deepStrictEqual(await store.ensureIndexes(), ['keysmith_tenant_created']); // the deprecated name still works
      const indexes = await session.db.collection('api_keys').listIndexes().toArray();
      const byName = Object.fromEntries(indexes.map((i) => [i.name as string, i as Document]));
      assert.deepStrictEqual(Object.keys(byName).sort(), ['_id_', 'keysmith_tenant_created']);
      assert.deepStrictEqual(byName.keysmith_tenant_created!.key, MONGO_INDEXES[0]!.key);
      assert.deepStrictEqual(byName._id_!.key, { _id: 1 });
    });

    it('stores the documented shape: string _id, BSON dates, metadata as a JSON string', async () => {
      const record = makeRecord({ metadata: { $set: 'x', 'a.b': 1, nested: { $gt: '' } } });
      await store.insert(record);
      const raw = await session.db.collection('api_keys').findOne({ _id: record.id as never }, { promoteValues: false });
      assert.ok(raw);
      assert.equal(typeof raw._id, 'string');
      assert.equal(raw.id, undefined);
      assert.ok(raw.createdAt instanceof Date && raw.expiresAt instanceof Date);
      assert.equal(raw.metadata, JSON.stringify(record.metadata));
      assert.deepStrictEqual(await store.findById(record.id), record);
    });

    it('consume is one findAndModify guarded by remaining >= cost', async () => {
      const record = makeRecord({ remaining: 5 });
      await store.insert(record);
      const cmds = await commandsOf(() => store.consume(record.id, 2));
      assert.deepStrictEqual(
        cmds.map((c) => c.commandName),
        ['findAndModify'],
      );
      assert.deepStrictEqual(cmds[0]!.command.query, { _id: record.id, remaining: { $gte: 2 } });
      assert.deepStrictEqual(cmds[0]!.command.update, { $inc: { remaining: -2 } });
    });

    it('revoke and versioned update are one findAndModify each, with tenant, revokedAt and version in the filter', async () => {
      const record = makeRecord();
      await store.insert(record);
      const upd = await commandsOf(() => store.update(record.tenantId, record.id, { name: 'n' }, 1));
      assert.deepStrictEqual(
        upd.map((c) => c.commandName),
        ['findAndModify'],
      );
      assert.deepStrictEqual(upd[0]!.command.query, { _id: record.id, tenantId: record.tenantId, revokedAt: null, version: 1 });
      assert.deepStrictEqual(upd[0]!.command.update, { $set: { name: 'n' }, $inc: { version: 1 } });
      const rev = await commandsOf(() => store.revoke(record.tenantId, record.id, new Date(), 'admin'));
      assert.deepStrictEqual(
        rev.map((c) => c.commandName),
        ['findAndModify'],
      );
      assert.deepStrictEqual(rev[0]!.command.query, { _id: record.id, tenantId: record.tenantId, revokedAt: null });
    });

    it('refill and touch are one guarded update each ($max for lastUsedAt)', async () => {
      const record = makeRecord({ remaining: 0, refill: { amount: 3, interval: 'day' } });
      await store.insert(record);
      const period = new Date(Date.UTC(2026, 4, 1));
      const refill = await commandsOf(() => store.refill(record.id, 3, period));
      assert.deepStrictEqual(
        refill.map((c) => c.commandName),
        ['update'],
      );
      assert.deepStrictEqual(refill[0]!.command.updates[0].q, {
        _id: record.id,
        refill: { $ne: null },
        $or: [{ refilledAt: null }, { refilledAt: { $lt: period } }],
      });
      const at = new Date(Date.UTC(2026, 4, 2));
      const touch = await commandsOf(() => store.touch(record.id, at));
      assert.deepStrictEqual(
        touch.map((c) => c.commandName),
        ['update'],
      );
      assert.deepStrictEqual(touch[0]!.command.updates[0].u, { $max: { lastUsedAt: at } });
    });

    it('get and list put the tenant inside the query; search is sent as an escaped, case-insensitive literal', async () => {
      const tenantId = newTenant();
      const record = makeRecord({ tenantId, name: 'dot.star .* (x) $where' });
      await store.insert(record);
      const get = await commandsOf(() => store.get(tenantId, record.id));
      assert.deepStrictEqual(
        get.map((c) => c.commandName),
        ['find'],
      );
      assert.deepStrictEqual(get[0]!.command.filter, { _id: record.id, tenantId });
      const search = '.*(x) $where';
      const list = await commandsOf(() => store.list(tenantId, { page: 1, limit: 10, search }));
      const find = list.find((c) => c.commandName === 'find')!;
      const pattern = { $regex: '\\.\\*\\(x\\) \\$where', $options: 'i' };
      assert.deepStrictEqual(find.command.filter, { tenantId, revokedAt: null, $or: [{ name: pattern }, { preview: pattern }] });
      assert.deepStrictEqual(
        [...(find.command.sort as Map<string, number>)],
        [
          ['createdAt', -1],
          ['_id', -1],
        ],
      ); // the driver sends sort as an ordered Map
      const count = list.find((c) => c.commandName === 'aggregate')!;
      assert.deepStrictEqual(count.command.pipeline[0], { $match: find.command.filter });
      assert.deepStrictEqual(
        (await store.list(tenantId, { page: 1, limit: 10, search: 'X) $WH' })).items.map((r) => r.id),
        [record.id],
      );
      assert.equal((await store.list(tenantId, { page: 1, limit: 10, search: 'a\0b' })).total, 0);
    });

    it('takes a collection typed with the document shape, and refuses a missing one', async () => {
      const typed = mongoStore({ collection: session.db.collection<MongoKeyDocument>('api_keys') });
      const record = makeRecord();
      await typed.insert(record);
      assert.deepStrictEqual(await store.findById(record.id), record);
      assert.throws(
        () => mongoStore({} as never),
        (e: unknown) => isKeysmithError(e) && e.code === 'CONFIG',
      );
    });
  });
}
