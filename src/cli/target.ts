import type { Keyring } from 'keysmith';

/** What every store-backed command works on: the keyring, how to migrate its store, and how to let go of it. */
export interface Target {
  keyring: Keyring;
  /** Where the keys live, for messages (never with a password). */
  label: string;
  /** Creates or upgrades the store's table or indexes; resolves to a line saying what it did. */
  migrate?: () => Promise<string>;
  /** The SQL `migrate` would run (`migrate --print`), for PostgreSQL stores. */
  migrationSql?: () => string;
  /** Closes connections so the process can exit. */
  close(): Promise<void>;
}

/** The database handle a config module may name so that `keysmith migrate` can prepare it. */
interface ConfigStoreHandle {
  /** A node-postgres Pool/Client or a PGlite instance, and the `table` given to `postgresStore`. */
  postgres?: { client: { query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }> }; table?: string };
  /** The collection given to `mongoStore` (its indexes are ensured by `migrate`). */
  mongo?: { collection: unknown };
}

/**
 * What `keysmith.config.{ts,js}` exports (default export, or a function returning it, sync or async):
 * a keyring, or `{ keyring, postgres?, mongo?, close? }`.
 */
export interface CliConfig extends ConfigStoreHandle {
  keyring: Keyring;
  /** Called before the CLI exits (e.g. `() => pool.end()`). */
  close?: () => unknown;
}
