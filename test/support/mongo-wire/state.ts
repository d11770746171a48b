import { Long, type Document } from 'bson';
import { MemoryCollection } from './collection.js';
import { CommandError } from './errors.js';

interface OpenCursor {
  ns: string;
  docs: Document[];
}

/** Everything the server holds: databases of collections, and the cursors still open on them. */
export class ServerState {
  private readonly databases = new Map<string, Map<string, MemoryCollection>>();
  private readonly cursors = new Map<number, OpenCursor>();
  private nextCursorId = 1;

  /** The collection, created on demand when `create`; otherwise undefined when it does not exist. */
  collection(db: string, name: unknown, create: boolean): MemoryCollection | undefined {
    if (typeof name !== 'string' || name === '' || name.includes('$'))
      throw new CommandError(73, 'InvalidNamespace', `Invalid collection name: ${String(name)}`);
    let collections = this.databases.get(db);
    if (!collections && create) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    let collection = collections?.get(name);
    if (!collection && create && collections) {
      collection = new MemoryCollection(`${db}.${name}`);
      collections.set(name, collection);
    }
    return collection;
  }

  dropCollection(db: string, name: string): void {
    this.databases.get(db)?.delete(name);
  }

  dropDatabase(db: string): void {
    this.databases.delete(db);
  }

  /** The reply's `cursor` field: the first batch, and an id for getMore when more remain. */
  firstBatch(ns: string, docs: Document[], batchSize: number | undefined): Document {
    const size = batchSize === undefined || batchSize <= 0 ? 101 : batchSize;
    const first = docs.slice(0, size);
    const rest = docs.slice(size);
    let id = 0;
    if (rest.length > 0) {
      id = this.nextCursorId++;
      this.cursors.set(id, { ns, docs: rest });
    }
    return { firstBatch: first, id: Long.fromNumber(id), ns };
  }

  nextBatch(id: number, ns: string, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id);
    if (!cursor || cursor.ns !== ns) throw new CommandError(43, 'CursorNotFound', `cursor id ${id} not found`);
    const size = batchSize === undefined || batchSize <= 0 ? cursor.docs.length : batchSize;
    const batch = cursor.docs.splice(0, size);
    if (cursor.docs.length === 0) this.cursors.delete(id);
    return { nextBatch: batch, id: Long.fromNumber(cursor.docs.length === 0 ? 0 : id), ns };
  }

  killCursor(id: number): boolean {
    return this.cursors.delete(id);
  }

  get openCursors(): number {
    return this.cursors.size;
  }
}
