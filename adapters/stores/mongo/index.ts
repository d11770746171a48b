/**
 * keysmith/mongo: the key store on MongoDB through the official `mongodb` driver (an optional peer;
 * only its types are imported here).
 *
 * ```ts
 * const client = await new MongoClient(url).connect();
 * const store = mongoStore({ collection: client.db('app').collection('api_keys') });
 * await store.setup(); // creates the indexes; idempotent
 * const keyring = createKeyring({ store, prefix: 'sk_live' });
 * ```
 */
export { mongoStore, escapeRegex, type MongoStore, type MongoStoreOptions } from './store.js';
export { MONGO_INDEXES } from './indexes.js';
export type { MongoKeyDocument } from './document.js';
