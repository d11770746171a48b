/**
 * keysmith/postgres: a `KeyStore` on PostgreSQL for any client with `query(text, params)`
 * (node-postgres `Pool` or `Client`, PGlite). The drivers are optional peers; only types are shared.
 *
 * ```ts
 * import pg from 'pg';
 * import { postgresStore } from 'keysmith/postgres';
 * const store = postgresStore({ client: new pg.Pool({ connectionString }) });
 * await store.setup(); // creates or upgrades the table; idempotent
 * ```
 */
import { postgresStore, type PostgresStore, type PostgresStoreOptions } from './store.js';

export { postgresStore, type PostgresStore, type PostgresStoreOptions } from './store.js';
export { migrate, appliedVersions, migrationSql, MIGRATIONS, type Migration, type MigrateOptions } from './migrate.js';
export { PostgresStoreError, type Queryable } from './client.js';
export { DEFAULT_TABLE } from './table.js';
export { postgresInvalidation, type PostgresInvalidationOptions, type PgListenClient } from './invalidation.js';

/**
 * `postgresStore(options)`, then `store.setup()`: the store with its table ready.
 * @deprecated Use `postgresStore(options)` and `await store.setup()`: every store is made by a
 * synchronous `<database>Store()` and prepared by its `setup()`.
 */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const store = postgresStore(options); // validates the options before anything is sent
  await store.setup();
  return store;
}
