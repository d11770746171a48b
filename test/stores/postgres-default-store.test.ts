import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { makeRecord } from 'keysmith/testing';
import { defaultStore } from '../../examples/default-store.js';
import { START_TIMEOUT } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';

describe('examples/default-store.ts: PGlite in memory, migrated', () => {
  it(
    'gives a ready store that a keyring mints, verifies and lists keys with',
    async () => {
      const db = await freshPGlite();
      const store = await defaultStore(db);
      const record = makeRecord();
      await store.insert(record);
      assert.deepStrictEqual(await store.findById(record.id), record);

      const keyring = createKeyring({ store, prefix: 'sk_demo' });
      const { key, token } = await keyring.create({ tenantId: 'acme', name: 'Reporting job', scopes: ['invoices:read'] });
      const result = await keyring.verify(token, { scopes: ['invoices:read'] });
      assert.ok(result.valid && result.key.id === key.id);
      assert.deepStrictEqual(
        (await keyring.list('acme', {})).items.map((k) => k.id),
        [key.id],
      );
      await db.close();
    },
    START_TIMEOUT,
  );
});
