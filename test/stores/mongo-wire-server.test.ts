import assert from 'node:assert/strict';
import { connect as tcpConnect } from 'node:net';
import { serialize, deserialize, type Document } from 'bson';
import { MongoClient, MongoServerError, ObjectId, type Collection, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { MAX_WIRE_VERSION, startMongoWireServer, type MongoWireServer } from '../support/mongo-wire/index.js';

// Tests of the test server itself, through the real `mongodb` driver over a real socket.
describe('mongo wire test server', () => {
  let server: MongoWireServer;
  let client: MongoClient;
  let db: Db;
  let n = 0;
  const fresh = (): Collection<Document> => db.collection(`c${++n}`);
  const rejectsWith = (promise: Promise<unknown>, code: number) => assert.rejects(promise, (e: unknown) => e instanceof MongoServerError && e.code === code);

  beforeAll(async () => {
    server = await startMongoWireServer();
    client = await new MongoClient(server.url, { serverSelectionTimeoutMS: 2_000 }).connect();
    db = client.db('wire');
  });
  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('answers the legacy OP_QUERY isMaster handshake, then hello, ping and buildInfo over OP_MSG', async () => {
    assert.equal(server.received[0]?.toLowerCase(), 'ismaster');
    const hello = await db.admin().command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.equal(hello.maxWireVersion, MAX_WIRE_VERSION);
    assert.equal((await db.admin().command({ ping: 1 })).ok, 1);
    assert.equal((await db.admin().command({ buildInfo: 1 })).version, '7.0.0');
  });

  it('rejects any other command with CommandNotFound (59), and unsupported options with 115', async () => {
    await rejectsWith(db.command({ serverStatus: 1 }), 59);
    await rejectsWith(db.command({ collStats: 'x' }), 59);
    const c = fresh();
    await c.insertOne({ _id: 'a' as never });
    await rejectsWith(c.find({}, { collation: { locale: 'en' } }).toArray(), 115);
    await rejectsWith(c.updateOne({ _id: 'b' as never }, { $set: { x: 1 } }, { upsert: true }), 115);
  });

  it('keeps string ids as strings and dates as dates; gives an ObjectId only when no _id is sent', async () => {
    const c = fresh();
    const at = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    await c.insertOne({ _id: 'k1' as never, at, nested: { list: [1, 'two', null], none: null }, yes: true });
    const found = await c.findOne({ _id: 'k1' as never });
    assert.deepStrictEqual(found, { _id: 'k1', at, nested: { list: [1, 'two', null], none: null }, yes: true });
    // The driver adds ObjectIds itself; a raw insert without _id gets one from the server.
    await db.command({ insert: c.collectionName, documents: [{ x: 1 }] });
    const generated = await c.findOne({ x: 1 });
    assert.ok(generated?._id instanceof ObjectId);
    assert.equal((await c.findOne({ _id: generated._id }))?.x, 1);
  });

  it('enforces the _id index with E11000 (code 11000), keyPattern and keyValue', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'dup' as never, v: 1 });
    await assert.rejects(c.insertOne({ _id: 'dup' as never, v: 2 }), (e: unknown) => {
      const err = e as MongoServerError;
      return err.code === 11000 && err.message.startsWith('E11000 duplicate key error') && err.keyValue?._id === 'dup';
    });
    assert.equal((await c.findOne({ _id: 'dup' as never }))?.v, 1);
  });

  it('creates indexes idempotently, lists them, and enforces unique ones on insert, update and creation', async () => {
    const c = fresh();
    await c.insertMany([{ email: 'a' }, { email: 'b' }]);
    assert.deepStrictEqual(await c.createIndexes([{ key: { email: 1 }, name: 'email_u', unique: true }]), ['email_u']);
    await c.createIndexes([{ key: { email: 1 }, name: 'email_u', unique: true }]); // again: no-op
    const names = (await c.listIndexes().toArray()).map((i) => i.name);
    assert.deepStrictEqual(names, ['_id_', 'email_u']);
    await rejectsWith(c.insertOne({ email: 'a' }), 11000);
    await rejectsWith(c.updateOne({ email: 'b' }, { $set: { email: 'a' } }), 11000);
    await rejectsWith(c.findOneAndUpdate({ email: 'b' }, { $set: { email: 'a' } }), 11000);
    assert.equal(await c.countDocuments({ email: 'b' }), 1);
    await rejectsWith(c.createIndex({ email: -1 }, { name: 'email_u' }), 86);
    await rejectsWith(c.createIndex({ _id: 1 }, { unique: true, name: 'bad' }), 197);
    const d = fresh();
    await d.insertMany([{ k: 1 }, { k: 1 }]);
    await rejectsWith(d.createIndex({ k: 1 }, { unique: true }), 11000);
    await rejectsWith(db.collection('missing').listIndexes().toArray(), 26);
  });

  it('find filters, sorts, skips, limits and projects, and pages through getMore; close kills the cursor', async () => {
    const c = fresh();
    await c.insertMany(Array.from({ length: 7 }, (_, i) => ({ _id: `d${i}` as never, i, even: i % 2 === 0 })));
    const page = await c.find({ even: true }).sort({ i: -1 }).skip(1).limit(2).project({ i: 1, _id: 0 }).toArray();
    assert.deepStrictEqual(page, [{ i: 4 }, { i: 2 }]);
    const all = await c.find({}, { batchSize: 2 }).sort({ i: 1 }).toArray();
    assert.deepStrictEqual(
      all.map((d) => d.i),
      [0, 1, 2, 3, 4, 5, 6],
    );
    assert.ok(server.received.includes('getMore'));
    const cursor = c.find({}, { batchSize: 2 });
    await cursor.next();
    assert.equal(server.state.openCursors, 1);
    await cursor.close();
    assert.equal(server.state.openCursors, 0);
    assert.ok(server.received.includes('killCursors'));
  });

  it('findAndModify applies the update only when the filter matches, returning before or after', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'f' as never, n: 2, seen: null });
    const after = await c.findOneAndUpdate({ _id: 'f' as never, n: { $gte: 2 } }, { $inc: { n: -2 } }, { returnDocument: 'after', projection: { n: 1 } });
    assert.deepStrictEqual(after, { _id: 'f', n: 0 });
    assert.equal(await c.findOneAndUpdate({ _id: 'f' as never, n: { $gte: 2 } }, { $inc: { n: -2 } }), null);
    const before = await c.findOneAndUpdate({ _id: 'f' as never }, { $set: { seen: true } }, { returnDocument: 'before' });
    assert.equal(before?.seen, null);
    assert.deepStrictEqual(await c.findOneAndDelete({ _id: 'f' as never }), { _id: 'f', n: 0, seen: true });
    assert.equal(await c.countDocuments({}), 0);
  });

  it('update counts matched and modified, supports $max, replacement and multi; delete counts', async () => {
    const c = fresh();
    const jan = new Date(Date.UTC(2026, 0, 1));
    const feb = new Date(Date.UTC(2026, 1, 1));
    await c.insertMany([
      { _id: 'u1' as never, at: null, g: 1 },
      { _id: 'u2' as never, at: feb, g: 1 },
    ]);
    const up = await c.updateOne({ _id: 'u1' as never }, { $max: { at: jan } });
    assert.deepStrictEqual([up.matchedCount, up.modifiedCount], [1, 1]);
    const same = await c.updateOne({ _id: 'u2' as never }, { $max: { at: jan } });
    assert.deepStrictEqual([same.matchedCount, same.modifiedCount], [1, 0]);
    assert.deepStrictEqual((await c.findOne({ _id: 'u2' as never }))?.at, feb);
    const none = await c.updateOne({ _id: 'zz' as never }, { $set: { g: 2 } });
    assert.equal(none.matchedCount, 0);
    assert.equal((await c.updateMany({ g: 1 }, { $set: { g: 2 } })).modifiedCount, 2);
    await c.replaceOne({ _id: 'u1' as never }, { only: true });
    assert.deepStrictEqual(await c.findOne({ _id: 'u1' as never }), { _id: 'u1', only: true });
    await rejectsWith(c.updateOne({ _id: 'u2' as never }, { $set: { _id: 'other' } }), 66);
    assert.equal((await c.deleteOne({ g: 2 })).deletedCount, 1);
    assert.equal((await c.deleteMany({})).deletedCount, 1);
  });

  it('aggregate runs $match/$group (countDocuments), and $where is refused', async () => {
    const c = fresh();
    await c.insertMany([{ t: 'a' }, { t: 'a' }, { t: 'b' }]);
    assert.equal(await c.countDocuments({ t: 'a' }), 2);
    assert.equal(await db.collection('never-created').countDocuments({}), 0);
    const groups = await c.aggregate([{ $group: { _id: '$t', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    assert.deepStrictEqual(groups, [
      { _id: 'a', n: 2 },
      { _id: 'b', n: 1 },
    ]);
    await rejectsWith(c.find({ $where: 'true' }).toArray(), 2);
    await rejectsWith(c.aggregate([{ $out: 'x' }]).toArray(), 115);
  });

  it('each findAndModify is atomic: 40 racing guarded decrements of 10 credits, exactly 10 win', async () => {
    const c = fresh();
    await c.insertOne({ _id: 'race' as never, credits: 10 });
    const results = await Promise.all(
      Array.from({ length: 40 }, () =>
        c.findOneAndUpdate({ _id: 'race' as never, credits: { $gte: 1 } }, { $inc: { credits: -1 } }, { returnDocument: 'after' }),
      ),
    );
    assert.equal(results.filter((r) => r !== null).length, 10);
    assert.equal((await c.findOne({ _id: 'race' as never }))?.credits, 0);
  });

  it('drop and dropDatabase remove data', async () => {
    const other = client.db('wire_drop');
    await other.collection('x').insertOne({ a: 1 });
    await other.collection('x').drop();
    assert.equal(await other.collection('x').countDocuments({}), 0);
    await other.collection('y').insertOne({ a: 1 });
    await other.dropDatabase();
    assert.equal(await other.collection('y').countDocuments({}), 0);
  });

  it('reads OP_MSG document sequences (kind 1) and drops a connection that sends garbage', async () => {
    const body = Buffer.from(serialize({ insert: 'seq', $db: 'wire' }));
    const docs = [{ _id: 's1' }, { _id: 's2' }].map((d) => Buffer.from(serialize(d)));
    const ident = Buffer.from('documents\0');
    const seqSize = Buffer.alloc(4);
    seqSize.writeInt32LE(4 + ident.length + docs[0]!.length + docs[1]!.length);
    const payload = Buffer.concat([Buffer.alloc(4), Buffer.from([0]), body, Buffer.from([1]), seqSize, ident, ...docs]);
    const header = Buffer.alloc(16);
    header.writeInt32LE(16 + payload.length, 0);
    header.writeInt32LE(7, 4);
    header.writeInt32LE(2013, 12);
    const reply = await roundTrip(server.port, Buffer.concat([header, payload]));
    assert.equal(reply.readInt32LE(8), 7, 'responseTo is our requestID');
    assert.deepStrictEqual(deserialize(reply.subarray(21)), { n: 2, ok: 1 });
    assert.equal(await db.collection('seq').countDocuments({}), 2);
    const garbage = Buffer.alloc(32, 0xff);
    await assert.rejects(roundTrip(server.port, garbage), /closed/);
    assert.equal((await db.admin().command({ ping: 1 })).ok, 1, 'the server still serves others');
  });
});

/** Sends raw bytes and resolves with the first complete reply, or rejects when the server hangs up. */
function roundTrip(port: number, bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        socket.destroy();
        resolve(data);
      }
    });
    socket.on('close', () => reject(new Error('connection closed without a reply')));
    socket.on('error', reject);
    socket.setTimeout(2_000, () => socket.destroy());
  });
}
