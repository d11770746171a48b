import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expectTypeOf, it } from 'vitest';
import { migrate, postgresStore, type Queryable } from 'keysmith/postgres';
import { runStoreConformance } from 'keysmith/testing';
import { PG_URL, describeServer, freshSchemaName, rawFindById } from '../support/pg.js';

describe('postgres clients (types)', () => {
  it('a pg Pool, a pg Client and a PGlite instance are each a Queryable', () => {
    expectTypeOf<pg.Pool>().toExtend<Queryable>();
    expectTypeOf<pg.Client>().toExtend<Queryable>();
    expectTypeOf<PGlite>().toExtend<Queryable>();
  });
});

/** The conformance suite over another kind of node-postgres client, in a fresh schema of its own. */
function conformanceOnServer(name: string, connect: () => Promise<Queryable & { end(): Promise<void> }>) {
  describe.skipIf(!PG_URL)(`postgres on a real server ${PG_URL ? describeServer() : '(KEYSMITH_PG_URL unset)'} through ${name}`, () => {
    const schema = freshSchemaName();
    const table = `${schema}.api_keys`;
    let client: Queryable & { end(): Promise<void> };
    beforeAll(async () => {
      client = await connect();
      await client.query(`CREATE SCHEMA "${schema}"`);
      await migrate(client, { table });
      console.info(`[keysmith/postgres] conformance against ${describeServer()} through ${name}, schema ${schema}`);
    });
    afterAll(async () => {
      if (!client) return;
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    });
    runStoreConformance({
      name: `postgres (server, ${name})`,
      createStore: () => ({ store: postgresStore({ client, table }), rawFindById: rawFindById(client, `"${schema}"."api_keys"`) }),
      test: { describe, it },
    });
  });
}

// One connection: node-postgres queues the parallel calls of the race tests on it.
conformanceOnServer('a single pg.Client', async () => {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  return client;
});

// An application may have replaced node-postgres's type parsers; the adapter reads text, booleans
// and numbers in any form, so it still round-trips when every value arrives as raw text.
conformanceOnServer(
  'a pg.Pool whose type parsers return raw text',
  async () =>
    new pg.Pool({ connectionString: PG_URL, max: 10, types: { getTypeParser: (() => (value: string) => value) as unknown as typeof pg.types.getTypeParser } }),
);
