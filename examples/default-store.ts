import { PGlite } from '@electric-sql/pglite';
import type { KeyStore } from 'keysmith';
import { postgresStore } from 'keysmith/postgres';

/**
 * The store every example uses: PostgreSQL embedded in the process (PGlite, in memory) with the
 * key table set up, so there is nothing to install. For a real server, pass a pg Pool instead:
 *
 *   postgresStore({ client: new pg.Pool({ connectionString: process.env.DATABASE_URL }) })
 *
 * Pass your own PGlite to close it when done (`await db.close()`); an open one keeps the process alive.
 */
export async function defaultStore(db: PGlite = new PGlite()): Promise<KeyStore> {
  const store = postgresStore({ client: db });
  await store.setup();
  return store;
}
