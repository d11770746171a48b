import {
  KeysmithError,
  listedStatuses,
  touchDueBefore,
  type ApiKeyRecord,
  type KeyStatus,
  type KeyPatch,
  type KeyStore,
  type ListQuery,
  type ListResult,
} from 'keysmith';
import type { Collection, Document, Filter } from 'mongodb';
import { fromDocument, toDocument, toDocumentPatch, type MongoKeyDocument } from './document.js';
import { ensureIndexes } from './indexes.js';
import {
  bySchema,
  check,
  countSchema,
  dateSchema,
  idSchema,
  listQuerySchema,
  patchSchema,
  recordSchema,
  supersessionSchema,
  versionSchema,
} from './validate.js';

export interface MongoStoreOptions<TSchema extends Document = Document> {
  /** A collection of the official `mongodb` driver (6.x or 7.x), e.g. `db.collection('api_keys')`. */
  collection: Collection<TSchema>;
}

/** A `KeyStore` on a MongoDB collection, with the one call that prepares it. */
export type MongoStore = KeyStore & {
  /** Creates the store's indexes (idempotent): call it at start-up. Returns their names. */
  setup(): Promise<string[]>;
  /** @deprecated Use `setup()`, the name every keysmith store gives the call that prepares its database. */
  ensureIndexes(): Promise<string[]>;
};

/** Every character that means something in a regular expression, escaped so search text is literal. */
export function escapeRegex(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/#-]/g, '\\$&').replace(/\0/g, '\\x00');
}

/** The filter of one derived status (see `keyStatus`). A null date never matches $lte/$gt. */
function statusFilter(status: KeyStatus, now: Date): Filter<MongoKeyDocument> {
  const live: Filter<MongoKeyDocument> = { revokedAt: null, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
  switch (status) {
    case 'revoked':
      return { revokedAt: { $ne: null } };
    case 'expired':
      return { revokedAt: null, expiresAt: { $lte: now } };
    case 'paused':
      return { ...live, enabled: false };
    case 'active':
      return { ...live, enabled: true };
  }
}

const isDuplicateKey = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

/**
 * A `KeyStore` on a MongoDB collection. Each ATOMIC method is one `findOneAndUpdate` or `updateOne`
 * whose filter is the guard, so the server decides and no read-then-write race exists. Every
 * value that reaches a filter is type-checked first (see validate.ts).
 */
export function mongoStore<TSchema extends Document = Document>(options: MongoStoreOptions<TSchema>): MongoStore {
  if (!options || typeof options.collection !== 'object' || options.collection === null) {
    throw new KeysmithError('CONFIG', 'mongoStore needs { collection } from the mongodb driver');
  }
  // The caller's collection may be typed for their own use; ours holds MongoKeyDocuments.
  const keys = options.collection as unknown as Collection<MongoKeyDocument>;
  const found = (doc: MongoKeyDocument | null): ApiKeyRecord | null => (doc ? fromDocument(doc) : null);

  return {
    setup: () => ensureIndexes(keys),
    ensureIndexes: () => ensureIndexes(keys),

    async insert(record) {
      const doc = toDocument(check(recordSchema, record, 'record'));
      try {
        await keys.insertOne(doc);
      } catch (error) {
        if (isDuplicateKey(error)) throw new KeysmithError('DUPLICATE_ID', 'A key with this id already exists', { cause: error });
        throw error;
      }
    },

    async findById(id) {
      return found(await keys.findOne({ _id: check(idSchema, id, 'id') }));
    },

    async get(tenantId, id) {
      return found(await keys.findOne({ _id: check(idSchema, id, 'id'), tenantId: check(idSchema, tenantId, 'tenantId') }));
    },

    async list(tenantId, query: ListQuery): Promise<ListResult<ApiKeyRecord>> {
      const q = check(listQuerySchema, query, 'query');
      const filter: Filter<MongoKeyDocument> = {};
      const all: Filter<MongoKeyDocument>[] = [];
      if (tenantId !== null) filter.tenantId = check(idSchema, tenantId, 'tenantId');
      const statuses = listedStatuses(q);
      if (statuses !== null && statuses.length === 3 && !statuses.includes('revoked'))
        filter.revokedAt = null; // the default list
      else if (statuses !== null) {
        const now = q.now ?? new Date();
        all.push(statuses.length === 0 ? { _id: { $in: [] } } : { $or: statuses.map((s) => statusFilter(s, now)) });
      }
      if (q.ownerId !== undefined) filter.ownerId = q.ownerId;
      // The kind is an identifier (validated), so the path cannot name an operator or another field.
      if (q.resource) filter[`resources.${q.resource.kind}`] = q.resource.id;
      if (q.search) {
        const pattern = { $regex: escapeRegex(q.search), $options: 'i' };
        all.push({ $or: [{ name: pattern }, { preview: pattern }] });
      }
      if (all.length === 1) Object.assign(filter, all[0]);
      else if (all.length > 1) filter.$and = all;
      const [docs, total] = await Promise.all([
        keys
          .find(filter)
          .sort({ createdAt: -1, _id: -1 })
          .skip((q.page - 1) * q.limit)
          .limit(q.limit)
          .toArray(),
        keys.countDocuments(filter),
      ]);
      return { items: docs.map(fromDocument), total };
    },

    async update(tenantId, id, patch: KeyPatch, expectedVersion) {
      const filter: Filter<MongoKeyDocument> = { _id: check(idSchema, id, 'id'), tenantId: check(idSchema, tenantId, 'tenantId'), revokedAt: null };
      const version = check(versionSchema, expectedVersion, 'expectedVersion');
      if (version !== undefined) filter.version = version;
      const set = toDocumentPatch(check(patchSchema, patch, 'patch'));
      const change = Object.keys(set).length > 0 ? { $set: set, $inc: { version: 1 } } : { $inc: { version: 1 } };
      return found(await keys.findOneAndUpdate(filter, change, { returnDocument: 'after' }));
    },

    async revoke(tenantId, id, at, by) {
      const when = check(dateSchema, at, 'at');
      const doc = await keys.findOneAndUpdate(
        { _id: check(idSchema, id, 'id'), tenantId: check(idSchema, tenantId, 'tenantId'), revokedAt: null },
        { $set: { revokedAt: when, revokedBy: check(bySchema, by, 'by'), updatedAt: when }, $inc: { version: 1 } },
        { returnDocument: 'after' },
      );
      return found(doc);
    },

    async supersede(tenantId, id, change, expectedVersion) {
      const { successorId, expiresAt, at } = check(supersessionSchema, change, 'change');
      // `supersededBy: null` also matches documents written before the field existed.
      const filter: Filter<MongoKeyDocument> = {
        _id: check(idSchema, id, 'id'),
        tenantId: check(idSchema, tenantId, 'tenantId'),
        revokedAt: null,
        supersededBy: null,
        $or: [{ expiresAt: null }, { expiresAt: { $gte: expiresAt } }],
      };
      const version = check(versionSchema, expectedVersion, 'expectedVersion');
      if (version !== undefined) filter.version = version;
      // One findOneAndUpdate returning the document as it was: the credits it held when the write
      // happened are the ones handed over. `$min: { remaining: 0 }` zeroes a balance and leaves null
      // (unlimited) alone, since null sorts before every number.
      const before = await keys.findOneAndUpdate(
        filter,
        { $set: { supersededBy: successorId, expiresAt, refill: null, updatedAt: at }, $min: { remaining: 0 }, $inc: { version: 1 } },
        { returnDocument: 'before' },
      );
      if (!before) return null;
      const old = fromDocument(before);
      const record: ApiKeyRecord = {
        ...old,
        supersededBy: successorId,
        expiresAt,
        remaining: old.remaining === null ? null : 0,
        refill: null,
        updatedAt: at,
        version: old.version + 1,
      };
      return { record, remaining: old.remaining, refilledAt: old.refilledAt };
    },

    async consume(id, cost) {
      const spend = check(countSchema, cost, 'cost');
      // `remaining: { $gte }` never matches null (unlimited) or a missing key.
      const doc = await keys.findOneAndUpdate(
        { _id: check(idSchema, id, 'id'), remaining: { $gte: spend } },
        { $inc: { remaining: -spend } },
        { returnDocument: 'after', projection: { remaining: 1 } },
      );
      return doc ? doc.remaining : null;
    },

    async refill(id, amount, periodStart) {
      const start = check(dateSchema, periodStart, 'periodStart');
      const result = await keys.updateOne(
        { _id: check(idSchema, id, 'id'), refill: { $ne: null }, $or: [{ refilledAt: null }, { refilledAt: { $lt: start } }] },
        { $set: { remaining: check(countSchema, amount, 'amount'), refilledAt: start } },
      );
      return result.matchedCount === 1 ? amount : null;
    },

    async touch(id, at, minIntervalMs = 0) {
      // The filter skips the write when the stored time is within the interval (so instances
      // verifying the same key write it at most once per interval); $max keeps it monotonic.
      const when = check(dateSchema, at, 'at');
      const before = touchDueBefore(when, minIntervalMs);
      await keys.updateOne({ _id: check(idSchema, id, 'id'), $or: [{ lastUsedAt: null }, { lastUsedAt: { $lt: before } }] }, { $max: { lastUsedAt: when } });
    },
  };
}
