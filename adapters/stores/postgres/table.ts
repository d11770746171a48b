import { z } from 'zod';
import { KeysmithError } from 'keysmith';

export const DEFAULT_TABLE = 'keysmith_api_keys';

// Lower-case only, so a name means the same quoted or unquoted. The table part stays short enough
// that "<table>_tenant_list_idx" fits Postgres's 63-byte identifiers without being truncated.
const tableNameSchema = z
  .string()
  .regex(
    /^(?:[a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,46}$/,
    'Use a lower-case identifier, optionally schema-qualified ("keys" or "auth.keys"), at most 47 characters',
  )
  .refine((name) => !/(^|\.)keysmith_migrations$/.test(name), 'keysmith_migrations is the name of the migrations table');

export interface TableNames {
  /** As given, e.g. `auth.api_keys`; recorded in the migrations table. */
  name: string;
  /** Quoted for SQL: `"auth"."api_keys"`. */
  table: string;
  /** The listing index (indexes live in their table's schema, so never qualified). */
  listIndex: string;
  /** The migrations table, in the same schema as the key table. */
  migrations: string;
}

const quote = (identifier: string) => `"${identifier}"`;

/** Validates the `table` option and gives every name the SQL needs, already quoted. */
export function tableNames(option: unknown = DEFAULT_TABLE): TableNames {
  const parsed = tableNameSchema.safeParse(option);
  if (!parsed.success) {
    throw new KeysmithError('CONFIG', `Invalid Postgres table name: ${parsed.error.issues[0]?.message ?? 'not a string'}`);
  }
  const name = parsed.data;
  const dot = name.indexOf('.');
  const schema = dot === -1 ? null : name.slice(0, dot);
  const base = dot === -1 ? name : name.slice(dot + 1);
  const qualify = (identifier: string) => (schema === null ? quote(identifier) : `${quote(schema)}.${quote(identifier)}`);
  return { name, table: qualify(base), listIndex: quote(`${base}_tenant_list_idx`), migrations: qualify('keysmith_migrations') };
}
