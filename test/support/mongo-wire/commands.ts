import { Long, type Document } from 'bson';
import { MemoryCollection, project, sameDocument, type IndexSpec } from './collection.js';
import { badValue, CommandError, notSupported } from './errors.js';
import type { ServerState } from './state.js';

export interface CommandContext {
  db: string;
  connectionId: number;
  state: ServerState;
}

type Handler = (cmd: Document, ctx: CommandContext) => Document;

/** The wire version of MongoDB 7.0: within what drivers 6.x and 7.x accept. */
export const MAX_WIRE_VERSION = 21;

const doc = (value: unknown, field: string): Document => {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CommandError(14, 'TypeMismatch', `'${field}' must be an object`);
  return value as Document;
};
const list = (value: unknown, field: string): Document[] => {
  if (!Array.isArray(value)) throw new CommandError(14, 'TypeMismatch', `'${field}' must be an array`);
  return value.map((v, i) => doc(v, `${field}.${i}`));
};
const int = (value: unknown): number | undefined => (value === undefined || value === null ? undefined : Number(value));
const refuse = (cmd: Document, options: string[]) => {
  for (const option of options) if (cmd[option] !== undefined) throw notSupported(`The '${option}' option`);
};

/** Runs one write statement; a CommandError becomes a writeError of that statement, as on a real server. */
const writeError = (index: number, error: unknown): Document => {
  const e = error instanceof CommandError ? error : badValue((error as Error).message);
  return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...e.extra };
};

const hello: Handler = (_cmd, ctx) => ({
  helloOk: true,
  isWritablePrimary: true,
  ismaster: true,
  maxBsonObjectSize: 16 * 1024 * 1024,
  maxMessageSizeBytes: 48_000_000,
  maxWriteBatchSize: 100_000,
  localTime: new Date(),
  logicalSessionTimeoutMinutes: 30,
  connectionId: ctx.connectionId,
  minWireVersion: 0,
  maxWireVersion: MAX_WIRE_VERSION,
  readOnly: false,
  ok: 1,
});

const handlers: Record<string, Handler> = {
  hello,
  isMaster: hello,
  ismaster: hello,
  ping: () => ({ ok: 1 }),
  buildInfo: () => ({ version: '7.0.0', versionArray: [7, 0, 0, 0], maxBsonObjectSize: 16 * 1024 * 1024, ok: 1 }),
  endSessions: () => ({ ok: 1 }),

  insert(cmd, { db, state }) {
    const collection = state.collection(db, cmd.insert, true)!;
    const writeErrors: Document[] = [];
    let n = 0;
    for (const [index, document] of list(cmd.documents, 'documents').entries()) {
      try {
        collection.insert(document);
        n += 1;
      } catch (error) {
        writeErrors.push(writeError(index, error));
        if (cmd.ordered !== false) break;
      }
    }
    return { n, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
  },

  find(cmd, { db, state }) {
    refuse(cmd, ['collation', 'hint', 'let', 'min', 'max', 'tailable', 'awaitData']);
    const ns = `${db}.${cmd.find}`;
    const options = { sort: doc(cmd.sort, 'sort'), skip: int(cmd.skip), limit: int(cmd.limit), projection: doc(cmd.projection, 'projection') };
    const docs = state.collection(db, cmd.find, false)?.find(doc(cmd.filter, 'filter'), options) ?? [];
    if (cmd.singleBatch === true) return { cursor: { firstBatch: docs.slice(0, int(cmd.batchSize) || undefined), id: Long.fromNumber(0), ns }, ok: 1 };
    return { cursor: state.firstBatch(ns, docs, int(cmd.batchSize)), ok: 1 };
  },

  getMore(cmd, { db, state }) {
    return { cursor: state.nextBatch(Number(cmd.getMore), `${db}.${cmd.collection}`, int(cmd.batchSize)), ok: 1 };
  },

  killCursors(cmd, { state }) {
    const ids = (Array.isArray(cmd.cursors) ? cmd.cursors : []).map(Number);
    const killed = ids.filter((id) => state.killCursor(id));
    const toLongs = (xs: number[]) => xs.map((x) => Long.fromNumber(x));
    return { cursorsKilled: toLongs(killed), cursorsNotFound: toLongs(ids.filter((id) => !killed.includes(id))), cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  },

  findAndModify(cmd, { db, state }) {
    refuse(cmd, ['collation', 'hint', 'let', 'arrayFilters']);
    if (cmd.upsert === true) throw notSupported('upsert');
    const collection = state.collection(db, cmd.findAndModify, false);
    const query = doc(cmd.query, 'query');
    const fields = doc(cmd.fields, 'fields');
    if (cmd.remove === true) {
      const [removed] = collection?.delete(query, 1) ?? [];
      return { lastErrorObject: { n: removed ? 1 : 0 }, value: project(removed ?? null, fields), ok: 1 };
    }
    if (cmd.update === undefined) throw badValue('Either an update or remove=true must be specified');
    const result = collection?.updateOne(query, doc(cmd.update, 'update'), doc(cmd.sort, 'sort')) ?? null;
    const value = result ? (cmd.new === true ? result[1] : result[0]) : null;
    return { lastErrorObject: { n: result ? 1 : 0, updatedExisting: result !== null }, value: project(value, fields), ok: 1 };
  },

  update(cmd, { db, state }) {
    const collection = state.collection(db, cmd.update, false);
    const writeErrors: Document[] = [];
    let n = 0;
    let nModified = 0;
    for (const [index, statement] of list(cmd.updates, 'updates').entries()) {
      try {
        refuse(statement, ['collation', 'hint', 'arrayFilters']);
        if (statement.upsert === true) throw notSupported('upsert');
        const q = doc(statement.q, 'q');
        const u = doc(statement.u, 'u');
        if (!collection) continue;
        if (statement.multi === true) {
          const r = collection.updateMany(q, u);
          n += r.n;
          nModified += r.nModified;
        } else {
          const r = collection.updateOne(q, u);
          if (r) n += 1;
          if (r && !sameDocument(r[0], r[1])) nModified += 1;
        }
      } catch (error) {
        writeErrors.push(writeError(index, error));
        if (cmd.ordered !== false) break;
      }
    }
    return { n, nModified, ...(writeErrors.length > 0 ? { writeErrors } : {}), ok: 1 };
  },

  delete(cmd, { db, state }) {
    const collection = state.collection(db, cmd.delete, false);
    let n = 0;
    for (const statement of list(cmd.deletes, 'deletes')) {
      refuse(statement, ['collation', 'hint']);
      n += collection?.delete(doc(statement.q, 'q'), Number(statement.limit ?? 0)).length ?? 0;
    }
    return { n, ok: 1 };
  },

  aggregate(cmd, { db, state }) {
    refuse(cmd, ['explain', 'collation', 'hint', 'let']);
    if (typeof cmd.aggregate !== 'string') throw notSupported('A database-level aggregate');
    const ns = `${db}.${cmd.aggregate}`;
    const collection = state.collection(db, cmd.aggregate, false) ?? new MemoryCollection(ns);
    const docs = collection.aggregate(list(cmd.pipeline, 'pipeline'));
    return { cursor: state.firstBatch(ns, docs, int(doc(cmd.cursor, 'cursor').batchSize)), ok: 1 };
  },

  createIndexes(cmd, { db, state }) {
    const existed = state.collection(db, cmd.createIndexes, false) !== undefined;
    const collection = state.collection(db, cmd.createIndexes, true)!;
    const before = collection.indexes.length;
    for (const spec of list(cmd.indexes, 'indexes')) collection.createIndex(indexSpec(spec));
    const after = collection.indexes.length;
    return {
      createdCollectionAutomatically: !existed,
      numIndexesBefore: before,
      numIndexesAfter: after,
      ...(after === before ? { note: 'all indexes already exist' } : {}),
      ok: 1,
    };
  },

  listIndexes(cmd, { db, state }) {
    const collection = state.collection(db, cmd.listIndexes, false);
    if (!collection) throw new CommandError(26, 'NamespaceNotFound', `ns does not exist: ${db}.${cmd.listIndexes}`);
    return {
      cursor: state.firstBatch(
        collection.ns,
        collection.indexes.map((i) => ({ ...i })),
        int(doc(cmd.cursor, 'cursor').batchSize),
      ),
      ok: 1,
    };
  },

  drop(cmd, { db, state }) {
    const collection = state.collection(db, cmd.drop, false);
    state.dropCollection(db, cmd.drop as string);
    return { ns: `${db}.${cmd.drop}`, nIndexesWas: collection?.indexes.length ?? 0, ok: 1 };
  },

  dropDatabase(_cmd, { db, state }) {
    state.dropDatabase(db);
    return { dropped: db, ok: 1 };
  },
};

/** Plain ascending/descending indexes, optionally unique; anything else is refused. */
function indexSpec(spec: Document): IndexSpec {
  const key = doc(spec.key, 'key');
  const { key: _k, name, unique, v: _v, ...rest } = spec;
  if (Object.keys(rest).length > 0) throw notSupported(`Index option(s) ${Object.keys(rest).join(', ')}`);
  if (typeof name !== 'string' || name === '') throw new CommandError(9, 'FailedToParse', 'An index needs a name');
  if (Object.keys(key).length === 0 || !Object.values(key).every((d) => d === 1 || d === -1)) {
    throw new CommandError(67, 'CannotCreateIndex', `Only 1/-1 index keys are supported: ${JSON.stringify(key)}`);
  }
  if (unique === true && Object.keys(key).length === 1 && key._id !== undefined) {
    throw new CommandError(197, 'InvalidIndexSpecificationOption', "The field 'unique' is not valid for an _id index specification");
  }
  return { v: 2, key, name, ...(unique === true ? { unique: true as const } : {}) };
}

/** Runs one command and always answers with a document (`ok: 0` for every failure). */
export function runCommand(cmd: Document, ctx: CommandContext): Document {
  const name = Object.keys(cmd)[0] ?? '';
  const handler = Object.hasOwn(handlers, name) ? handlers[name] : undefined;
  if (!handler) return { ok: 0, errmsg: `no such command: '${name}'`, code: 59, codeName: 'CommandNotFound' };
  try {
    return handler(cmd, ctx);
  } catch (error) {
    const e = error instanceof CommandError ? error : badValue((error as Error).message);
    return { ok: 0, errmsg: e.message, code: e.code, codeName: e.codeName, ...e.extra };
  }
}
