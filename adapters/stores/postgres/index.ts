/**
 * keysmith/postgres: a `KeyStore` on PostgreSQL for any client with `query(text, params)`
 * (node-postgres `Pool` or `Client`, PGlite). The drivers are optional peers; only types are shared.
 *
 * ```ts
 * import pg from 'pg';
 * import { createPostgresStore } from 'keysmith/postgres';
 * const store = await createPostgresStore({ client: new pg.Pool({ connectionString }) });
 * ```
 */
import type { KeyStore } from 'keysmith';
import { migrate } from './migrate.js';
import { postgresStore, type PostgresStoreOptions } from './store.js';

export { postgresStore, type PostgresStoreOptions } from './store.js';
export { migrate, appliedVersions, migrationSql, MIGRATIONS, type Migration, type MigrateOptions } from './migrate.js';
export { PostgresStoreError, type Queryable } from './client.js';
export { DEFAULT_TABLE } from './table.js';
export { postgresInvalidation, type PostgresInvalidationOptions, type PgListenClient } from './invalidation.js';

/** Runs `migrate` for the table, then returns `postgresStore` over it: the one-call setup. */
export async function createPostgresStore(options: PostgresStoreOptions): Promise<KeyStore> {
  const store = postgresStore(options); // validates the options before anything is sent
  await migrate(options.client, options.table === undefined ? {} : { table: options.table });
  return store;
}
