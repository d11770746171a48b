import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { startMongoWireServer, type MongoWireServer } from './server.js';

const WIRE_LABEL = 'mongo (wire test server)';
const REAL_LABEL = 'mongo (real server)';

export interface MongoSession {
  client: MongoClient;
  /** A fresh database for this run; dropped by `close`. */
  db: Db;
  /** The wire test server, or null on a real server. */
  server: MongoWireServer | null;
  close(): Promise<void>;
}

export interface MongoTarget {
  label: typeof WIRE_LABEL | typeof REAL_LABEL;
  open(options?: MongoClientOptions): Promise<MongoSession>;
}

const freshDbName = () => `keysmith_test_${Date.now()}_${Math.random().toString(36).slice(2, 8)}`;

async function connect(url: string, server: MongoWireServer | null, options: MongoClientOptions = {}): Promise<MongoSession> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000, ...options });
  await client.connect();
  const db = client.db(freshDbName());
  return {
    client,
    db,
    server,
    async close() {
      try {
        await db.dropDatabase();
      } finally {
        await client.close();
        await server?.close();
      }
    },
  };
}

/**
 * Where the MongoDB tests run: always the wire test server (test/support/mongo-wire), and also a
 * real server when KEYSMITH_MONGO_URL is set (a fresh database per run, dropped at the end).
 */
export function mongoTargets(): MongoTarget[] {
  const targets: MongoTarget[] = [
    {
      label: WIRE_LABEL,
      open: async (options) => {
        const server = await startMongoWireServer();
        return connect(server.url, server, options);
      },
    },
  ];
  const url = process.env.KEYSMITH_MONGO_URL;
  if (url) targets.push({ label: REAL_LABEL, open: (options) => connect(url, null, options) });
  return targets;
}
