import { createKeyring, type Keyring, type KeyStore, type Pepper } from 'keysmith';
import type { MongoStore } from 'keysmith/mongo';
import { CliError } from './errors.js';
import { importPeer } from './peers.js';
import type { Target } from './target.js';

/** Options that come with `--store`: the prefix and table, from flags or the environment. */
export interface StoreUrlOptions {
  store: string;
  prefix: string | undefined;
  /** PostgreSQL table (optionally `schema.table`) or MongoDB collection. */
  table: string | undefined;
}

/** `KEYSMITH_PEPPER=<id>:<secret>`: the pepper comes from the environment only, never from argv. */
function pepperFromEnv(env: NodeJS.ProcessEnv = process.env): Pepper | undefined {
  const value = env.KEYSMITH_PEPPER;
  if (value === undefined || value === '') return undefined;
  const at = value.indexOf(':');
  if (at <= 0 || at === value.length - 1) throw new CliError('KEYSMITH_PEPPER must be <id>:<secret> (for example p1:<random>)');
  return { id: value.slice(0, at), secret: value.slice(at + 1) };
}

/** host:port/db of a URL, without user or password. */
function safeLabel(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function keyringFor(store: KeyStore, prefix: string): Keyring {
  const pepper = pepperFromEnv();
  // No cache: a CLI call is one request, and a stale entry would hide a revoke made a second ago.
  return createKeyring({ store, prefix, cache: false, ...(pepper ? { pepper } : {}) });
}

interface PgModule {
  default: { Pool: new (config: Record<string, unknown>) => PgPool };
}
interface PgPool {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): Promise<void>;
}
interface PgliteModule {
  PGlite: new (dataDir?: string) => PgPool & { close(): Promise<void> };
}
interface MongoModule {
  MongoClient: new (url: string, options: Record<string, unknown>) => { db(name: string): { collection(name: string): unknown }; close(): Promise<void> };
}

async function postgresTarget(client: PgPool, table: string | undefined, prefix: string, label: string, close: () => Promise<void>): Promise<Target> {
  const { postgresStore, migrate, migrationSql, MIGRATIONS, DEFAULT_TABLE } = await import('keysmith/postgres');
  const options = table === undefined ? {} : { table };
  let store: KeyStore;
  try {
    store = postgresStore({ client, ...options });
  } catch (error) {
    throw new CliError(`--table: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    keyring: keyringFor(store, prefix),
    label: `${label} (table ${table ?? DEFAULT_TABLE})`,
    migrate: async () => {
      const { applied } = await migrate(client, options);
      return applied.length === 0 ? 'already up to date' : `applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}`;
    },
    migrationSql: () => MIGRATIONS.map((m) => `-- ${m.name}\n${migrationSql(m, options).trim()}\n`).join('\n'),
    close,
  };
}

/**
 * Opens the store a `--store` URL names: `postgres://…` / `postgresql://…` (node-postgres),
 * `pglite:<dir>` (embedded PostgreSQL in a directory; `pglite:memory` for a throwaway one) or
 * `mongodb://…` / `mongodb+srv://…` (the official driver; the database is the URL's path,
 * `keysmith` by default).
 */
export async function openStoreUrl(options: StoreUrlOptions): Promise<Target> {
  const { store: raw, table } = options;
  if (!options.prefix) throw new CliError('--store needs --prefix (or KEYSMITH_PREFIX): the prefix of the keyring, e.g. sk_live');
  const prefix = options.prefix;
  if (raw.startsWith('pglite:')) {
    const dir = raw.slice('pglite:'.length);
    const { PGlite } = await importPeer<PgliteModule>('@electric-sql/pglite', '--store pglite:');
    const db = dir === '' || dir === 'memory' ? new PGlite() : new PGlite(dir);
    return postgresTarget(db, table, prefix, `PGlite ${dir || 'memory'}`, () => db.close());
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError('--store must be a URL: postgres://…, mongodb://… or pglite:<dir>');
  }
  if (url.protocol === 'postgres:' || url.protocol === 'postgresql:') {
    const pg = await importPeer<PgModule>('pg', '--store postgres://');
    const pool = new pg.default.Pool({ connectionString: raw, max: 4, connectionTimeoutMillis: 5_000 });
    pool.on('error', () => {}); // an idle connection dropping must not end the process with a stack trace
    return postgresTarget(pool, table, prefix, safeLabel(url), () => pool.end());
  }
  if (url.protocol === 'mongodb:' || url.protocol === 'mongodb+srv:') {
    const { MongoClient } = await importPeer<MongoModule>('mongodb', '--store mongodb://');
    const { mongoStore } = await import('keysmith/mongo');
    const client = new MongoClient(raw, { serverSelectionTimeoutMS: 5_000 });
    const dbName = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'keysmith';
    const collectionName = table ?? 'api_keys';
    const store: MongoStore = mongoStore({ collection: client.db(dbName).collection(collectionName) as Parameters<typeof mongoStore>[0]['collection'] });
    return {
      keyring: keyringFor(store, prefix),
      label: `${safeLabel(url)} (collection ${dbName}.${collectionName})`,
      migrate: async () => `indexes ensured: ${(await store.ensureIndexes()).join(', ')}`,
      close: () => client.close(),
    };
  }
  throw new CliError(`--store: unsupported scheme "${url.protocol}" (use postgres://, mongodb:// or pglite:<dir>)`);
}
