import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ApiKeyRecord } from 'keysmith';
import { migrate, type Queryable } from 'keysmith/postgres';
import { freshPGlite } from './pglite.js';

/** A PGlite boot (WebAssembly, from the initdb template in support/pglite.ts): a second or two, more on a loaded 2-core machine. */
export const START_TIMEOUT = 120_000;

/** The real server to test against, when the environment names one (CI always does). */
export const PG_URL = process.env.KEYSMITH_PG_URL;

/** host:port/database of the server, without credentials, for test names and logs. */
export function describeServer(url = PG_URL ?? ''): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'an unparsable KEYSMITH_PG_URL';
  }
}

/** One database to run tests on: a migrated table, its client, and how to tear it down. */
export interface PgTarget {
  label: string;
  client: Queryable;
  /** The `table` option to give the adapter. */
  table: string | undefined;
  /** The same table, quoted, for the tests' own SQL. */
  quotedTable: string;
  close(): Promise<void>;
}

/** An in-memory PGlite with the default table. */
export async function pgliteTarget(): Promise<PgTarget> {
  const db = await freshPGlite();
  await migrate(db);
  return { label: 'PGlite (embedded, in memory)', client: db, table: undefined, quotedTable: '"keysmith_api_keys"', close: () => db.close() };
}

export const freshSchemaName = () => `keysmith_test_${randomBytes(6).toString('hex')}`;

/**
 * A pg Pool on the real server, with the table in a schema of its own (`keysmith_test_<random>`),
 * so parallel runs never collide; `close` drops the schema.
 */
export async function serverTarget(poolOptions: pg.PoolConfig = {}): Promise<PgTarget & { pool: pg.Pool; schema: string }> {
  if (!PG_URL) throw new Error('KEYSMITH_PG_URL is not set');
  const schema = freshSchemaName();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10, ...poolOptions });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  const table = `${schema}.api_keys`;
  await migrate(pool, { table });
  return {
    label: `PostgreSQL server ${describeServer()} (pg.Pool, max ${pool.options.max}, schema ${schema})`,
    client: pool,
    pool,
    schema,
    table,
    quotedTable: `"${schema}"."api_keys"`,
    async close() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

const date = (v: unknown) => (v === null ? null : new Date(v as string));

/**
 * Reads a record with plain SQL and its own mapping (row_to_json, not the adapter's select list or
 * row mapping), so the conformance suite checks what really landed in the table.
 */
export function rawFindById(client: Queryable, quotedTable: string) {
  return async (id: string): Promise<ApiKeyRecord | null> => {
    const { rows } = await client.query(`SELECT row_to_json(k)::text AS j FROM ${quotedTable} k WHERE k.id = $1`, [id]);
    if (rows.length === 0) return null;
    const r = JSON.parse(rows[0]!.j as string) as Record<string, unknown>;
    return {
      id: r.id as string,
      tenantId: r.tenant_id as string,
      name: r.name as string,
      prefix: r.prefix as string,
      preview: r.preview as string,
      hash: r.hash as string,
      scopes: r.scopes as string[],
      roles: r.roles as string[],
      preset: r.preset as string | null,
      resources: r.resources as Record<string, string[]>,
      requireMapping: r.require_mapping as boolean | string[],
      mcp: r.mcp as ApiKeyRecord['mcp'],
      enabled: r.enabled as boolean,
      expiresAt: date(r.expires_at),
      revokedAt: date(r.revoked_at),
      revokedBy: r.revoked_by as string | null,
      createdAt: new Date(r.created_at as string),
      createdBy: r.created_by as string | null,
      updatedAt: date(r.updated_at),
      lastUsedAt: date(r.last_used_at),
      ownerId: r.owner_id as string | null,
      ipAllowlist: r.ip_allowlist as string[],
      remaining: r.remaining as number | null,
      refill: r.refill as ApiKeyRecord['refill'],
      refilledAt: date(r.refilled_at),
      rateLimits: r.rate_limits as ApiKeyRecord['rateLimits'],
      metadata: r.metadata as Record<string, unknown>,
      supersededBy: r.superseded_by as string | null,
      version: r.version as number,
    };
  };
}
