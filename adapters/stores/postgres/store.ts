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
import { run, sqlState, supportsNamedStatements, type Queryable, type Row } from './client.js';
import { INSERT_PLACEHOLDERS, PLAIN_COLUMNS, SELECT_COLUMNS, epochMs, insertParams, rowToRecord, setParts, timeFromColumn } from './columns.js';
import { ColumnFormError, isPGlite, parsedRowToRecord, pgTypes, pgliteDateStyleIsIso, pgliteParsesAsExpected } from './parsers.js';
import { migrate } from './migrate.js';
import { tableNames } from './table.js';

export interface PostgresStoreOptions {
  /** A node-postgres `Pool` or `Client`, a PGlite instance, or anything with `query(text, params)`. */
  client: Queryable;
  /** Table name, optionally schema-qualified (`auth.api_keys`); lower-case identifiers only. @default 'keysmith_api_keys' */
  table?: string;
  /**
   * Send the statements of verify (the lookup, the credit decrement) and of create (the INSERT) as named
   * prepared statements, so the server parses and plans them once per connection. Turn it off behind PgBouncer in
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
  const INSERT = `INSERT INTO ${T} (${PLAIN_COLUMNS}) VALUES (${INSERT_PLACEHOLDERS})`;
  const INSERT_NAME = named('insert', INSERT);
  const CONSUME = `UPDATE ${T} SET remaining = remaining - $2::bigint WHERE id = $1::text AND remaining >= $2::bigint RETURNING remaining`;
  const CONSUME_NAME = named('consume', CONSUME);

  // Reads select plain columns when keysmith chooses how they are parsed (parsers.ts): node-postgres
  // takes this store's `types` on every query, PGlite's own parsers are checked once (and its
  // DateStyle on the first read). Otherwise, and for good once a value came in another form (a
  // connection with another DateStyle, pg-native ignoring `types`), they select SELECT_COLUMNS.
  const types = supportsNamedStatements(client) ? pgTypes() : undefined;
  let plain: boolean | null = types !== undefined ? true : isPGlite(client) && pgliteParsesAsExpected(client) ? null : false;
  let dateStyleChecked: Promise<void> | undefined;

  /** Both select lists of one read; named when the statement is the verify path's. */
  interface Read {
    plain: string;
    typed: string;
    plainName?: string;
    typedName?: string;
  }
  const read = (operation: string, sql: (columns: string) => string, prepared = false): Read => {
    const r: Read = { plain: sql(PLAIN_COLUMNS), typed: sql(SELECT_COLUMNS) };
    if (prepared) [r.plainName, r.typedName] = [named(operation, r.plain), named(operation, r.typed)];
    return r;
  };
  const FIND_BY_ID = read('findById', (columns) => `SELECT ${columns} FROM ${T} WHERE id = $1::text`, true);

  /** Runs a read (so safe to run again) and maps its rows with the converter of the form they came in. */
  const select = async <R>(operation: string, sql: Read, params: unknown[], map: (rows: Row[], toRecord: (row: Row) => ApiKeyRecord) => R): Promise<R> => {
    if (plain === null) {
      dateStyleChecked ??= pgliteDateStyleIsIso(client).then((iso) => {
        plain ??= iso;
      });
      await dateStyleChecked;
    }
    if (plain) {
      try {
        const rows = await run(client, operation, sql.plain, params, sql.plainName, types);
        if (types === undefined || types.used) return map(rows, parsedRowToRecord);
      } catch (error) {
        if (!(error instanceof ColumnFormError)) throw error;
      }
      plain = false;
    }
    return map(await run(client, operation, sql.typed, params, sql.typedName), rowToRecord);
  };
  const first = (rows: Row[], toRecord: (row: Row) => ApiKeyRecord) => (rows[0] ? toRecord(rows[0]) : null);

  /** A write's RETURNING row (SELECT_COLUMNS: a write cannot be run again in another form). */
  const one = async (operation: string, text: string, params: unknown[]): Promise<ApiKeyRecord | null> => {
    const row = (await run(client, operation, text, params))[0];
    return row ? rowToRecord(row) : null;
  };
  const count = async (operation: string, text: string, params: unknown[], name?: string): Promise<number | null> => {
    const row = (await run(client, operation, text, params, name))[0];
    return row ? Number(row.remaining) : null;
  };

  return {
    setup: () => migrate(client, parsed.data.table === undefined ? {} : { table: parsed.data.table }),

    async insert(record) {
      try {
        await run(client, 'insert', INSERT, insertParams(record), INSERT_NAME);
      } catch (error) {
        // The primary key is the table's only unique constraint.
        if (sqlState(error) === '23505') throw new KeysmithError('DUPLICATE_ID', 'A key with this id already exists');
        throw error;
      }
    },

    findById(id) {
      return select('findById', FIND_BY_ID, [id], first);
    },

    get(tenantId, id) {
      return select(
        'get',
        read('get', (columns) => `SELECT ${columns} FROM ${T} WHERE tenant_id = $1::text AND id = $2::text`),
        [tenantId, id],
        first,
      );
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
      const sql = read(
        'list',
        (columns) => `SELECT c.total, p.* FROM (SELECT count(*) AS total FROM ${T} ${filter}) c
         LEFT JOIN LATERAL (SELECT ${columns} FROM ${T} ${filter}
                            ORDER BY created_at DESC, id DESC LIMIT ${limit} OFFSET ${offset}) p ON true`,
      );
      return select('list', sql, params, (rows, toRecord) => ({
        items: rows.filter((r) => r.id !== null && r.id !== undefined).map(toRecord),
        total: Number(rows[0]?.total ?? 0),
      }));
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
