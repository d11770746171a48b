import { run, type Queryable } from './client.js';
import { SQL_001_API_KEYS, SQL_002_REQUIRE_MAPPING, SQL_003_SUPERSEDED_BY } from './schema-sql.js';
import { DEFAULT_TABLE, tableNames, type TableNames } from './table.js';

export interface Migration {
  version: number;
  /** The file name in migrations/, without `.sql`. */
  name: string;
  /** The file's SQL, written for the default table name. */
  sql: string;
}

/** Every migration keysmith ships, oldest first. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: '001_api_keys', sql: SQL_001_API_KEYS },
  { version: 2, name: '002_require_mapping', sql: SQL_002_REQUIRE_MAPPING },
  { version: 3, name: '003_superseded_by', sql: SQL_003_SUPERSEDED_BY },
];

export interface MigrateOptions {
  /** The same `table` as given to `postgresStore`. @default 'keysmith_api_keys' */
  table?: string;
}

// Any fixed number: concurrent migrate() calls (several app instances starting) wait for each other.
const MIGRATE_LOCK = 7_305_146_391;

/**
 * A migration's SQL for your table name (the file is written for the default one), for teams that
 * run migrations with their own tool: `migrationSql(MIGRATIONS[0], { table: 'auth.api_keys' })`.
 */
export function migrationSql(migration: Migration, options: MigrateOptions = {}): string {
  return sqlFor(migration, tableNames(options.table));
}

function sqlFor(migration: Migration, names: TableNames): string {
  return migration.sql.replaceAll(`"${DEFAULT_TABLE}_tenant_list_idx"`, names.listIndex).replaceAll(`"${DEFAULT_TABLE}"`, names.table);
}

/**
 * Creates or upgrades the key table. Idempotent: each migration runs once per table and is recorded
 * in `keysmith_migrations` (same schema as the table). The whole run is one DO block, so it is one
 * transaction on any client, serialized by an advisory lock. Returns the versions that were missing
 * when it started and are recorded now (empty when the table was already up to date).
 */
export async function migrate(client: Queryable, options: MigrateOptions = {}): Promise<{ applied: number[] }> {
  const names = tableNames(options.table);
  // The validated name holds only [a-z0-9_.], so it is safe inside a string literal.
  const tableLiteral = `'${names.name}'`;
  const before = await versionsOf(client, names);
  const pending = MIGRATIONS.filter((m) => !before.includes(m.version));
  if (pending.length === 0) return { applied: [] };

  const steps = pending.map(
    (m) => `
  IF NOT EXISTS (SELECT 1 FROM ${names.migrations} WHERE table_name = ${tableLiteral} AND version = ${m.version}) THEN
${sqlFor(m, names)}
    INSERT INTO ${names.migrations} (table_name, version, name) VALUES (${tableLiteral}, ${m.version}, '${m.name}');
  END IF;`,
  );
  await run(
    client,
    'migrate',
    `DO $keysmith_migrate$
BEGIN
  PERFORM pg_advisory_xact_lock(${MIGRATE_LOCK});
  IF to_regclass('${names.migrations}') IS NULL THEN
    CREATE TABLE ${names.migrations} (
      table_name text NOT NULL,
      version    integer NOT NULL,
      name       text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (table_name, version)
    );
  END IF;${steps.join('')}
END
$keysmith_migrate$`,
    [],
  );
  const after = await versionsOf(client, names);
  return { applied: after.filter((v) => !before.includes(v)) };
}

/** Versions recorded for this table; none when the migrations table does not exist yet. */
export function appliedVersions(client: Queryable, options: MigrateOptions = {}): Promise<number[]> {
  return versionsOf(client, tableNames(options.table));
}

async function versionsOf(client: Queryable, names: TableNames): Promise<number[]> {
  // A row or none, and versions as text: whatever the client's parsers make of booleans and integers.
  const exists = await run(client, 'migrate', `SELECT 1 WHERE to_regclass($1::text) IS NOT NULL`, [names.migrations]);
  if (exists.length === 0) return [];
  const rows = await run(client, 'migrate', `SELECT version::text AS version FROM ${names.migrations} WHERE table_name = $1::text ORDER BY version`, [
    names.name,
  ]);
  return rows.map((r) => Number(r.version));
}
