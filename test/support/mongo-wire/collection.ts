import { deserialize, EJSON, ObjectId, serialize, type Document } from 'bson';
import { Aggregator, Query, update as applyUpdate } from 'mingo';
import { badValue, CommandError, duplicateKey, notSupported } from './errors.js';

/** mingo runs the query and update language; no server-side JavaScript, like a locked-down mongod. */
const MINGO = { scriptEnabled: false } as const;

export interface IndexSpec {
  v: 2;
  key: Document;
  name: string;
  unique?: true;
}

export interface FindOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
}

/** A deep copy through BSON itself, so stored documents never share objects with a request. */
const copy = (doc: Document): Document => deserialize(serialize(doc));
const at = (doc: Document, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Document)[k] : undefined), doc);
const idKey = (id: unknown): string => EJSON.stringify({ id }, { relaxed: false });
/** Whether two documents are the same, BSON types included. */
export const sameDocument = (a: Document, b: Document): boolean => EJSON.stringify(a, { relaxed: false }) === EJSON.stringify(b, { relaxed: false });

/** `doc` with a find-style projection applied (null stays null). */
export function project(doc: Document | null, projection: Document | undefined): Document | null {
  if (!doc || !projection || Object.keys(projection).length === 0) return doc;
  return new Query({}, MINGO).find([doc], projection).all()[0] as Document;
}

const immutableId = () => new CommandError(66, 'ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
const isOperatorDocument = (u: Document): boolean => Object.keys(u).some((k) => k.startsWith('$'));

/**
 * One collection in memory. Documents live in a Map keyed by `_id` (natural order = insertion
 * order). Every method is synchronous, so each command's read and write happen without any other
 * command in between: that is what makes findAndModify atomic here.
 */
export class MemoryCollection {
  private readonly docs = new Map<string, Document>();
  readonly indexes: IndexSpec[] = [{ v: 2, key: { _id: 1 }, name: '_id_' }];

  constructor(readonly ns: string) {}

  get size(): number {
    return this.docs.size;
  }

  /** Documents that may match: the one with that `_id` when the filter names a plain `_id`, else all. */
  private candidates(filter: Document): Document[] {
    const id = filter._id;
    const plain = typeof id === 'string' || typeof id === 'number' || id instanceof ObjectId;
    if (plain) {
      const doc = this.docs.get(idKey(id));
      return doc ? [doc] : [];
    }
    return [...this.docs.values()];
  }

  private matching(filter: Document): Document[] {
    const query = new Query(filter ?? {}, MINGO);
    return this.candidates(filter ?? {}).filter((d) => query.test(d));
  }

  /** Throws E11000 when `doc` would collide, in any unique index, with a document other than `self`. */
  private checkUnique(doc: Document, self: Document | null): void {
    for (const index of this.indexes) {
      if (index.name !== '_id_' && !index.unique) continue;
      const fields = Object.keys(index.key);
      const keyOf = (d: Document) =>
        EJSON.stringify(
          fields.map((f) => at(d, f) ?? null),
          { relaxed: false },
        );
      const mine = keyOf(doc);
      const clash = index.name === '_id_' ? this.docs.get(idKey(doc._id)) : [...this.docs.values()].find((d) => d !== self && keyOf(d) === mine);
      if (clash && clash !== self) throw duplicateKey(this.ns, index, Object.fromEntries(fields.map((f) => [f, at(doc, f) ?? null])));
    }
  }

  insert(input: Document): void {
    const doc = copy(input);
    if (doc._id === undefined) doc._id = new ObjectId();
    if (Object.keys(doc).some((k) => k.startsWith('$'))) throw badValue("Document can't have $ prefixed field names");
    this.checkUnique(doc, null);
    this.docs.set(idKey(doc._id), doc);
  }

  find(filter: Document, options: FindOptions = {}): Document[] {
    const query = new Query(filter ?? {}, MINGO);
    let cursor = query.find<Document>(this.candidates(filter ?? {}), options.projection);
    if (options.sort && Object.keys(options.sort).length > 0) cursor = cursor.sort(options.sort);
    if (options.skip) cursor = cursor.skip(options.skip);
    if (options.limit) cursor = cursor.limit(options.limit);
    return cursor.all().map(copy);
  }

  /** Applies `update` to the first match (after `sort`); returns [before, after] copies, or null. */
  updateOne(filter: Document, update: Document, sort?: Document): [Document, Document] | null {
    const matches = this.matching(filter);
    const target = sort && matches.length > 1 ? new Query({}, MINGO).find(matches).sort(sort).all()[0] : matches[0];
    if (!target) return null;
    const before = copy(target);
    const next = copy(target);
    if (Array.isArray(update)) throw notSupported('An aggregation pipeline update');
    const touchesId = Object.values(update).some(
      (fields) => fields !== null && typeof fields === 'object' && Object.keys(fields).some((p) => p === '_id' || p.startsWith('_id.')),
    );
    if (isOperatorDocument(update) && touchesId) throw immutableId();
    if (isOperatorDocument(update)) {
      try {
        applyUpdate(next, update, undefined, undefined, { cloneMode: 'deep' });
      } catch (error) {
        throw badValue(`Invalid update: ${(error as Error).message}`);
      }
    } else {
      for (const key of Object.keys(next)) if (key !== '_id') delete next[key];
      Object.assign(next, copy(update), { _id: before._id });
    }
    if (idKey(next._id) !== idKey(before._id)) throw immutableId();
    this.checkUnique(next, target);
    this.docs.set(idKey(next._id), next);
    return [before, copy(next)];
  }

  updateMany(filter: Document, update: Document): { n: number; nModified: number } {
    let n = 0;
    let nModified = 0;
    for (const doc of this.matching(filter)) {
      const result = this.updateOne({ _id: doc._id }, update);
      if (!result) continue;
      n += 1;
      if (!sameDocument(result[0], result[1])) nModified += 1;
    }
    return { n, nModified };
  }

  /** Deletes the first match (limit 1) or all of them (limit 0); returns the deleted documents. */
  delete(filter: Document, limit: number): Document[] {
    const victims = this.matching(filter).slice(0, limit === 1 ? 1 : undefined);
    for (const doc of victims) this.docs.delete(idKey(doc._id));
    return victims;
  }

  aggregate(pipeline: Document[]): Document[] {
    for (const stage of pipeline) {
      const name = Object.keys(stage)[0];
      if (name === '$out' || name === '$merge' || name === '$lookup' || name === '$unionWith') throw notSupported(`The ${name} stage`);
    }
    return new Aggregator(pipeline, MINGO).run([...this.docs.values()]).map(copy);
  }

  /** Adds an index; returns false when an identical one exists. Throws on a conflicting one. */
  createIndex(spec: IndexSpec): boolean {
    const sameName = this.indexes.find((i) => i.name === spec.name);
    const sameKey = this.indexes.find((i) => EJSON.stringify(i.key) === EJSON.stringify(spec.key));
    if (sameName) {
      if (EJSON.stringify(sameName.key) !== EJSON.stringify(spec.key)) {
        throw new CommandError(86, 'IndexKeySpecsConflict', `An existing index has the same name as the requested index but different keys: ${spec.name}`);
      }
      if (Boolean(sameName.unique) !== Boolean(spec.unique) && sameName.name !== '_id_') {
        throw new CommandError(85, 'IndexOptionsConflict', `An existing index has the same name as the requested index but different options: ${spec.name}`);
      }
      return false;
    }
    if (sameKey) throw new CommandError(85, 'IndexOptionsConflict', `Index already exists with a different name: ${sameKey.name}`);
    this.indexes.push(spec);
    try {
      for (const doc of this.docs.values()) this.checkUnique(doc, doc);
    } catch (error) {
      this.indexes.pop();
      throw error;
    }
    return true;
  }
}
