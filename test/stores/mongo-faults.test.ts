import assert from 'node:assert/strict';
import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createKeyring, isKeysmithError, type KeyStore } from 'keysmith';
import { formatToken } from '../../src/token/token.js';
import { mongoStore } from 'keysmith/mongo';
import { makeRecord } from 'keysmith/testing';
import { startMongoWireServer } from '../support/mongo-wire/index.js';
import { mongoTargets, type MongoSession } from '../support/mongo-wire/targets.js';
import { closedPort } from '../support/wait.js';

const hasCode = (code: string) => (e: unknown) => isKeysmithError(e) && e.code === code;
const someToken = formatToken({ prefix: 'sk', id: 'A'.repeat(16), secret: 'b'.repeat(32) });

describe('mongo faults: unreachable server', () => {
  it('verify answers STORE_UNAVAILABLE in bounded time and management calls reject with STORE_UNAVAILABLE', async () => {
    const client = new MongoClient(`mongodb://127.0.0.1:${await closedPort()}/?directConnection=true`, {
      serverSelectionTimeoutMS: 500,
      connectTimeoutMS: 500,
    });
    try {
      const keyring = createKeyring({ store: mongoStore({ collection: client.db('x').collection('api_keys') }), prefix: 'sk', cache: false });
      const started = Date.now();
      const result = await keyring.verify(someToken);
      assert.equal(result.valid, false);
      assert.equal(!result.valid && result.code, 'STORE_UNAVAILABLE');
      assert.ok(Date.now() - started < 3_000, `verify took ${Date.now() - started} ms`);
      await assert.rejects(keyring.create({ tenantId: 't1', name: 'k' }), hasCode('STORE_UNAVAILABLE'));
      await assert.rejects(keyring.list('t1'), hasCode('STORE_UNAVAILABLE'));
      await assert.rejects(keyring.get('t1', 'A'.repeat(16)), hasCode('STORE_UNAVAILABLE'));
      await assert.rejects(keyring.revoke('t1', 'A'.repeat(16)), hasCode('STORE_UNAVAILABLE'));
      await assert.rejects(keyring.update('t1', 'A'.repeat(16), { name: 'x' }), hasCode('STORE_UNAVAILABLE'));
    } finally {
      await client.close();
    }
  });

  it('a server that goes away mid-run turns verify into STORE_UNAVAILABLE (fail closed)', async () => {
    const server = await startMongoWireServer();
    const client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 500, connectTimeoutMS: 500 }).connect();
    try {
      const keyring = createKeyring({ store: mongoStore({ collection: client.db('x').collection('api_keys') }), prefix: 'sk', cache: false });
      const { token } = await keyring.create({ tenantId: 't1', name: 'k' });
      assert.equal((await keyring.verify(token)).valid, true);
      await server.close();
      const result = await keyring.verify(token);
      assert.equal(!result.valid && result.code, 'STORE_UNAVAILABLE');
    } finally {
      await client.close();
      await server.close();
    }
  });
});

for (const target of mongoTargets()) {
  describe(`${target.label}: typed errors and operator smuggling`, () => {
    let session: MongoSession;
    let store: KeyStore;
    const sent: CommandStartedEvent[] = [];
    beforeAll(async () => {
      session = await target.open({ monitorCommands: true });
      session.client.on('commandStarted', (e) => sent.push(e));
      store = mongoStore({ collection: session.db.collection('api_keys') });
    });
    afterAll(async () => session?.close());

    it('a duplicate id surfaces as DUPLICATE_ID, from the store and from keyring.import', async () => {
      const record = makeRecord();
      await store.insert(record);
      await assert.rejects(
        store.insert(makeRecord({ id: record.id })),
        (e: unknown) => hasCode('DUPLICATE_ID')(e) && (e as Error & { cause?: { code?: number } }).cause?.code === 11000,
      );
      const keyring = createKeyring({ store, prefix: 'sk' });
      const adopt = { tenantId: 't_import', name: 'legacy', hash: 'ab'.repeat(32), scheme: 'sha256-hex' as const };
      await keyring.import(adopt);
      await assert.rejects(keyring.import(adopt), hasCode('DUPLICATE_ID'));
    });

    it('an object where a string, number or date belongs is VALIDATION, sends no query and matches nothing', async () => {
      const victim = makeRecord({ remaining: 5, refill: { amount: 5, interval: 'day' } });
      await store.insert(victim);
      const op = { $ne: null } as never;
      const { id, tenantId } = victim;
      const q = { page: 1, limit: 10 };
      const calls: [string, () => Promise<unknown>][] = [
        ['findById(id)', () => store.findById(op)],
        ['get(tenantId)', () => store.get(op, id)],
        ['get(id)', () => store.get(tenantId, op)],
        ['list(tenantId)', () => store.list(op, q)],
        ['list(search)', () => store.list(tenantId, { ...q, search: op })],
        ['list(ownerId)', () => store.list(tenantId, { ...q, ownerId: op })],
        ['list(page)', () => store.list(tenantId, { ...q, page: op })],
        ['update(tenantId)', () => store.update(op, id, { name: 'pwned' })],
        ['update(id)', () => store.update(tenantId, op, { name: 'pwned' })],
        ['update(patch value)', () => store.update(tenantId, id, { name: op })],
        ['update(patch field)', () => store.update(tenantId, id, { $where: 'x' } as never)],
        ['update(version)', () => store.update(tenantId, id, { name: 'pwned' }, op)],
        ['revoke(tenantId)', () => store.revoke(op, id, new Date(), null)],
        ['revoke(id)', () => store.revoke(tenantId, op, new Date(), null)],
        ['revoke(by)', () => store.revoke(tenantId, id, new Date(), op)],
        ['consume(id)', () => store.consume(op, 1)],
        ['consume(cost)', () => store.consume(id, op)],
        ['refill(id)', () => store.refill(op, 5, new Date())],
        ['refill(periodStart)', () => store.refill(id, 5, op)],
        ['touch(id)', () => store.touch(op, new Date())],
        ['touch(at)', () => store.touch(id, '2099-01-01' as never)],
        ['insert(tenantId)', () => store.insert(makeRecord({ tenantId: op }))],
      ];
      for (const [name, call] of calls) {
        sent.length = 0;
        await assert.rejects(call(), hasCode('VALIDATION'), name);
        assert.deepStrictEqual(
          sent.map((e) => e.commandName),
          [],
          `${name} sent no command`,
        );
      }
      assert.deepStrictEqual(await store.findById(id), victim, 'nothing changed');
    });

    it('through the keyring, operator objects never reach the store either', async () => {
      const keyring = createKeyring({ store, prefix: 'sk' });
      const { key } = await keyring.create({ tenantId: 't_smuggle', name: 'k' });
      assert.equal(await keyring.get({ $ne: null } as never, key.id), null);
      await assert.rejects(keyring.list('t_smuggle', { search: { $ne: null } as never }), hasCode('VALIDATION'));
      await assert.rejects(keyring.revoke({ $ne: null } as never, key.id), hasCode('NOT_FOUND'));
      assert.equal((await keyring.get('t_smuggle', key.id))?.revokedAt, null);
    });
  });
}
