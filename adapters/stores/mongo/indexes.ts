import type { Collection, IndexDescription } from 'mongodb';
import type { MongoKeyDocument } from './document.js';

/**
 * The indexes the store needs besides MongoDB's own unique `_id` index (which is the key id, so
 * the verify path and every guarded write are primary-key lookups and duplicates are refused).
 * `keysmith_tenant_created` serves `list(tenantId)`: tenant equality, newest first, id as tie-break.
 */
export const MONGO_INDEXES: readonly IndexDescription[] = [{ key: { tenantId: 1, createdAt: -1, _id: -1 }, name: 'keysmith_tenant_created' }];

/** Creates the indexes; safe to call on every start (creating an existing index is a no-op). */
export async function ensureIndexes(collection: Collection<MongoKeyDocument>): Promise<string[]> {
  return collection.createIndexes(MONGO_INDEXES.map((index) => ({ ...index })));
}
