import { PGlite } from '@electric-sql/pglite';
import type { KeyStore } from 'keysmith';
import { createPostgresStore } from 'keysmith/postgres';

/**
 * The store every example uses: PostgreSQL embedded in the process (PGlite, in memory) with the
 * key table migrated, so there is nothing to install. For a real server, pass a pg Pool instead:
 *
 *   createPostgresStore({ client: new pg.Pool({ connectionString: process.env.DATABASE_URL }) })
 */
export function defaultStore(): Promise<KeyStore> {
  return createPostgresStore({ client: new PGlite() });
}
