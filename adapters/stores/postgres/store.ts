import {
  KeysmithError,
  listedStatuses,
  touchDueBefore,
  type ApiKeyRecord,
  type KeyStatus,
  type KeyPatch,
  type KeyStore,
  type ListQuery,
  type ListResult,
} from 'keysmith';
import { z } from 'zod';
import { createHash } from 'node:crypto';
import { run, sqlState, supportsNamedStatements, type Queryable } from './client.js';
import { SELECT_COLUMNS, epochMs, insertParts, rowToRecord, setParts, timeFromColumn } from './columns.js';
import { migrate } from './migrate.js';
import { tableNames } from './table.js';

export interface PostgresStoreOptions {
  /** A node-postgres `Pool` or `Client`, a PGlite instance, or anything with `query(text, params)`. */
  client: Queryable;
  /** Table name, optionally schema-qualified (`auth.api_keys`); lower-case identifiers only. @default 'keysmith_api_keys' */
  table?: string;
  /**
   * Send the verify path's statements (the lookup and the credit decrement) as named prepared statements, so
   * the server parses and plans them once per connection. Turn it off behind PgBouncer in
   * transaction mode, which cannot keep prepared statements.
   * @default true for node-postgres, false for other clients (PGlite)
   */
  prepare?: boolean;
}

/** A `KeyStore` on PostgreSQL, with the one call that prepares its table. */
export type PostgresStore = KeyStore & {
  /**
   * Creates or upgrades the store's table (runs `migrate` for it; idempotent): call it at start-up, or
   * run `migrate` (or `keysmith migrate`) from your deploy step instead. Returns the versions applied now.
   */
  setup(): Promise<{ applied: number[] }>;
};

const optionsSchema = z.object({
  client: z.custom<Queryable>(
    (c) => typeof c === 'object' && c !== null && typeof (c as Queryable).query === 'function',
    'client needs a query(text, params) method',
  ),
  table: z.string().optional(),
  prepare: z.boolean().optional(),
});

/** The SQL condition of one derived status (see `keyStatus`); `now` is a bound timestamptz. */
function statusCondition(status: KeyStatus, now: string): string {
  const live = `revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${now})`;
  switch (status) {
    case 'revoked':
      return 'revoked_at IS NOT NULL';
    case 'expired':
      return `(revoked_at IS NULL AND expires_at <= ${now})`;
    case 'paused':
      return `(${live} AND NOT enabled)`;
    case 'active':
      return `(${live} AND enabled)`;
  }
}

/** Escapes LIKE's wildcards and its escape character, so a search matches literally. */
const likeLiteral = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * A `KeyStore` on PostgreSQL. Every guarded write is one `UPDATE … WHERE <guard> RETURNING`, every
 * tenant-scoped statement filters `tenant_id` itself, and every value is a bound parameter.
 * Run `migrate(client)` (or migrations/001_api_keys.sql) first.
 */
export function postgresStore(options: PostgresStoreOptions): PostgresStore {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new KeysmithError('CONFIG', 'postgresStore needs { client } with a query(text, params) method');
  const { client } = parsed.data;
  const T = tableNames(parsed.data.table).table;
  const prepare = parsed.data.prepare ?? supportsNamedStatements(client);
  // Statement names are per connection and must not clash between tables or keysmith versions' SQL.
  // Computed once here: the verify path's SQL is constant for a store.
  const named = (operation: string, text: string) =>
    prepare ? `keysmith_${operation}_${createHash('sha1').update(text).digest('hex').slice(0, 16)}` : undefined;
  const FIND_BY_ID = `SELECT ${SELECT_COLUMNS} FROM ${T} WHERE id = $1::text`;
  const FIND_BY_ID_NAME = named('findById', FIND_BY_ID);
  const CONSUME = `UPDATE ${T} SET remaining = remaining - $2::bigint WHERE id = $1::text AND remaining >= $2::bigint RETURNING remaining`;
  const CONSUME_NAME = named('consume', CONSUME);

  /** `name`: a named prepared statement (the verify path's), or none. */
  const one = async (operation: string, text: string, params: unknown[], name?: string): Promise<ApiKeyRecord | null> => {
    const row = (await run(client, operation, text, params, name))[0];
    return row ? rowToRecord(row) : null;
  };
  const count = async (operation: string, text: string, params: unknown[], name?: string): Promise<number | null> => {
    const row = (await run(client, operation, text, params, name))[0];
    return row ? Number(row.remaining) : null;
  };

  return {
    setup: () => migrate(client, parsed.data.table === undefined ? {} : { table: parsed.data.table }),

    async insert(record) {
      const { columns, placeholders, params } = insertParts(record);
      try {
        await run(client, 'insert', `INSERT INTO ${T} (${columns}) VALUES (${placeholders})`, params);
      } catch (error) {
        // The primary key is the table's only unique constraint.
        if (sqlState(error) === '23505') throw new KeysmithError('DUPLICATE_ID', 'A key with this id already exists');
        throw error;
      }
    },

    findById(id) {
      return one('findById', FIND_BY_ID, [id], FIND_BY_ID_NAME);
    },

    get(tenantId, id) {
      return one('get', `SELECT ${SELECT_COLUMNS} FROM ${T} WHERE tenant_id = $1::text AND id = $2::text`, [tenantId, id]);
    },

    async list(tenantId, query: ListQuery): Promise<ListResult<ApiKeyRecord>> {
      const params: unknown[] = [];
      const bind = (value: unknown, cast: string) => `$${params.push(value)}::${cast}`;
      const where: string[] = [];
      if (tenantId !== null) where.push(`tenant_id = ${bind(tenantId, 'text')}`);
      const statuses = listedStatuses(query);
      if (statuses !== null && statuses.length === 3 && !statuses.includes('revoked'))
        where.push('revoked_at IS NULL'); // the default list
      else if (statuses !== null) {
        const now = statuses.some((s) => s !== 'revoked') ? bind((query.now ?? new Date()).toISOString(), 'timestamptz') : '';
        where.push(statuses.length === 0 ? 'false' : `(${statuses.map((s) => statusCondition(s, now)).join(' OR ')})`);
      }
      if (query.resource) where.push(`(resources -> ${bind(query.resource.kind, 'text')}) @> jsonb_build_array(${bind(query.resource.id, 'text')})`);
      if (query.ownerId === null) where.push('owner_id IS NULL');
      else if (query.ownerId !== undefined) where.push(`owner_id = ${bind(query.ownerId, 'text')}`);
      if (query.search) {
        const pattern = bind(likeLiteral(query.search), 'text');
        where.push(`(name ILIKE ${pattern} ESCAPE '\\' OR preview ILIKE ${pattern} ESCAPE '\\')`);
      }
      const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
      const limit = bind(query.limit, 'integer');
      const offset = bind((query.page - 1) * query.limit, 'bigint');
      // One statement, so the page and the total come from the same snapshot; the count row is
      // there even when the page is empty.
      const rows = await run(
        client,
        'list',
        `SELECT c.total, p.* FROM (SELECT count(*) AS total FROM ${T} ${filter}) c
         LEFT JOIN LATERAL (SELECT ${SELECT_COLUMNS} FROM ${T} ${filter}
                            ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}) p ON true`,
        params,
      );
      return { items: rows.filter((r) => r.id !== null && r.id !== undefined).map(rowToRecord), total: Number(rows[0]?.total ?? 0) };
    },

    update(tenantId, id, patch: KeyPatch, expectedVersion) {
      const { assignments, params } = setParts(patch, 3);
      const versionGuard = expectedVersion === undefined ? '' : ` AND version = $${params.push(expectedVersion) + 2}::integer`;
      return one(
        'update',
        `UPDATE ${T} SET ${[...assignments, 'version = version + 1'].join(', ')}
         WHERE tenant_id = $1::text AND id = $2::text AND revoked_at IS NULL${versionGuard}
         RETURNING ${SELECT_COLUMNS}`,
        [tenantId, id, ...params],
      );
    },

    revoke(tenantId, id, at, by) {
      return one(
        'revoke',
        `UPDATE ${T} SET revoked_at = $3::timestamptz, revoked_by = $4::text, updated_at = $3::timestamptz, version = version + 1
         WHERE tenant_id = $1::text AND id = $2::text AND revoked_at IS NULL
         RETURNING ${SELECT_COLUMNS}`,
        [tenantId, id, at.toISOString(), by],
      );
    },

    async supersede(tenantId, id, change, expectedVersion) {
      const params: unknown[] = [tenantId, id, change.successorId, change.expiresAt.toISOString(), change.at.toISOString()];
      const versionGuard = expectedVersion === undefined ? '' : ` AND version = $${params.push(expectedVersion)}::integer`;
      // The CTE locks the row and reads the credits it holds now (after any consume that committed
      // first); the UPDATE zeroes them in the same statement, so no consume can slip in between.
      const rows = await run(
        client,
        'supersede',
        `WITH old AS (
           SELECT id AS old_id, remaining AS old_remaining, refilled_at AS old_refilled_at FROM ${T}
           WHERE tenant_id = $1::text AND id = $2::text AND revoked_at IS NULL AND superseded_by IS NULL
             AND (expires_at IS NULL OR expires_at >= $4::timestamptz)${versionGuard}
           FOR UPDATE
         )
         UPDATE ${T} SET superseded_by = $3::text, expires_at = $4::timestamptz,
           remaining = CASE WHEN remaining IS NULL THEN NULL ELSE 0 END, refill = NULL,
           updated_at = $5::timestamptz, version = version + 1
         FROM old WHERE id = old.old_id
         RETURNING ${SELECT_COLUMNS}, old.old_remaining AS moved_remaining, ${epochMs('old.old_refilled_at', 'moved_refilled_at')}`,
        params,
      );
      const row = rows[0];
      if (!row) return null;
      return {
        record: rowToRecord(row),
        remaining: row.moved_remaining === null || row.moved_remaining === undefined ? null : Number(row.moved_remaining),
        refilledAt: timeFromColumn(row.moved_refilled_at),
      };
    },

    consume(id, cost) {
      return count('consume', CONSUME, [id, cost], CONSUME_NAME);
    },

    refill(id, amount, periodStart) {
      return count(
        'refill',
        `UPDATE ${T} SET remaining = $2::bigint, refilled_at = $3::timestamptz
         WHERE id = $1::text AND refill IS NOT NULL AND (refilled_at IS NULL OR refilled_at < $3::timestamptz)
         RETURNING remaining`,
        [id, amount, periodStart.toISOString()],
      );
    },

    async touch(id, at, minIntervalMs = 0) {
      // The WHERE skips the write (and its row lock) when the stored time is within the interval:
      // however many instances verify a key, it is written at most once per interval.
      await run(
        client,
        'touch',
        `UPDATE ${T} SET last_used_at = GREATEST(last_used_at, $2::timestamptz)
         WHERE id = $1::text AND (last_used_at IS NULL OR last_used_at < $3::timestamptz)`,
        [id, at.toISOString(), touchDueBefore(at, minIntervalMs).toISOString()],
      );
    },
  };
}
