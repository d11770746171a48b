import { afterAll, beforeAll, describe, it } from 'vitest';
import { postgresStore } from 'keysmith/postgres';
import { runStoreConformance } from 'keysmith/testing';
import { START_TIMEOUT, PG_URL, describeServer, pgliteTarget, rawFindById, serverTarget, type PgTarget } from '../support/pg.js';

/** Runs the unchanged conformance suite on one target, shared by all its tests (ids are random). */
function conformanceOn(name: string, open: () => Promise<PgTarget>) {
  let target: PgTarget;
  beforeAll(async () => {
    target = await open();
    console.info(`[keysmith/postgres] conformance against ${target.label}`);
  }, START_TIMEOUT);
  afterAll(() => target?.close());
  runStoreConformance({
    name,
    createStore: () => ({ store: postgresStore({ client: target.client, table: target.table }), rawFindById: rawFindById(target.client, target.quotedTable) }),
    test: { describe, it },
  });
}

describe('postgres on PGlite', () => conformanceOn('postgres (PGlite, embedded)', pgliteTarget));

describe.skipIf(!PG_URL)(`postgres on a real server (KEYSMITH_PG_URL=${PG_URL ? describeServer() : 'unset'})`, () =>
  conformanceOn(`postgres (server ${PG_URL ? describeServer() : ''}, pg.Pool max 10)`, () => serverTarget()),
);
