import type { KeyStore } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { mongoStore } from 'keysmith/mongo';
import { postgresStore } from 'keysmith/postgres';
import { mongoTargets } from './mongo-wire/targets.js';
import { PG_URL, pgliteTarget, serverTarget } from './pg.js';

export interface OpenStore {
  store: KeyStore;
  close(): Promise<void>;
}

/**
 * Every store the store-wide tests run on: memory, PGlite, the real PostgreSQL server when KEYSMITH_PG_URL
 * is set, and MongoDB through the wire test server (plus a real one with KEYSMITH_MONGO_URL).
 */
export const STORE_TARGETS: { label: string; open: () => Promise<OpenStore> }[] = [
  { label: 'memory', open: async () => ({ store: memoryStore(), close: async () => {} }) },
  {
    label: 'postgres (PGlite)',
    open: async () => {
      const t = await pgliteTarget();
      return { store: postgresStore({ client: t.client }), close: t.close };
    },
  },
  ...(PG_URL
    ? [
        {
          label: 'postgres (server)',
          open: async () => {
            const t = await serverTarget();
            return { store: postgresStore({ client: t.client, table: t.table }), close: t.close };
          },
        },
      ]
    : []),
  ...mongoTargets().map((target) => ({
    label: target.label,
    open: async () => {
      const session = await target.open();
      const store = mongoStore({ collection: session.db.collection('api_keys') });
      await store.setup();
      return { store, close: session.close };
    },
  })),
];

/**
 * The same store, except that the first `parties` calls of `get` for `id` are held until all of
 * them have read: every racer then starts from the same version (better-auth's race gate), which
 * a pooled driver would otherwise spread out in time.
 */
export function gatedGets(inner: KeyStore, id: string, parties: number): KeyStore {
  let arrived = 0;
  let open!: () => void;
  const allRead = new Promise<void>((resolve) => (open = resolve));
  return {
    insert: (r) => inner.insert(r),
    findById: (i) => inner.findById(i),
    async get(tenantId, i) {
      if (i !== id || arrived >= parties) return inner.get(tenantId, i);
      const record = await inner.get(tenantId, i);
      if (++arrived === parties) open();
      await allRead;
      return record;
    },
    list: (t, q) => inner.list(t, q),
    update: (t, i, p, v) => inner.update(t, i, p, v),
    revoke: (t, i, at, by) => inner.revoke(t, i, at, by),
    supersede: (t, i, c, v) => inner.supersede(t, i, c, v),
    consume: (i, c) => inner.consume(i, c),
    refill: (i, a, p) => inner.refill(i, a, p),
    touch: (i, at) => inner.touch(i, at),
  };
}
