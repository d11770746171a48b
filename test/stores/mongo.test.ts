import { afterAll, beforeAll, describe, it } from 'vitest';
import { mongoStore } from 'keysmith/mongo';
import { runStoreConformance } from 'keysmith/testing';
import { rawFindById } from '../support/mongo-wire/raw-record.js';
import { mongoTargets, type MongoSession } from '../support/mongo-wire/targets.js';

// The wire test server always; a real server too when KEYSMITH_MONGO_URL is set.
for (const target of mongoTargets()) {
  describe(target.label, () => {
    let session: MongoSession;
    beforeAll(async () => {
      session = await target.open();
      await mongoStore({ collection: session.db.collection('api_keys') }).setup();
    });
    afterAll(async () => session?.close());

    runStoreConformance({
      name: target.label,
      // One shared collection, as in production: the suite isolates tests by random tenant and key ids.
      createStore: () => {
        const collection = session.db.collection('api_keys');
        return { store: mongoStore({ collection }), rawFindById: (id) => rawFindById(collection, id) };
      },
      test: { describe, it },
    });
  });
}
