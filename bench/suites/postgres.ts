import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createKeyring, type KeyStore } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { migrate, postgresStore, type Queryable } from 'keysmith/postgres';
import { INSERT_PLACEHOLDERS, PLAIN_COLUMNS, insertParams } from '../../adapters/stores/postgres/columns.js';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup, speedRatio, speedRatioInterval, type Measurement } from '../lib/measure.js';
import { row, skipped, type Row } from '../lib/rows.js';
import { PG_URL, describeUrl, postgresProblem } from '../lib/services.js';
import { verdict } from '../lib/targets.js';

const KEYS = 1000;
/** Long enough that no entry expires during the run: "warm" means every call is a cache hit. */
const WARM_CACHE = { ttlMs: 600_000 };

/**
 * keysmith verify on one database, warm and cold, next to a bare primary-key SELECT through the
 * same client and the memory store's warm verify (the yardsticks of two targets), all interleaved.
 */
async function onDatabase(client: Queryable, table: string, quotedTable: string, named: boolean) {
  let findSql = '';
  // Records the SQL of the adapter's lookup; a Proxy keeps the client's kind (what the store checks
  // to choose its read), and the measured store gets the client itself.
  const spy = new Proxy(client, {
    get(target, key) {
      if (key === 'query')
        return (text: unknown, ...rest: unknown[]) => {
          findSql = typeof text === 'string' ? text : (text as { text: string }).text;
          return (target.query as (...a: unknown[]) => unknown).call(target, text, ...rest);
        };
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const store = postgresStore({ client, table });
  const { tokens, ids } = await seed(store, 'sk', KEYS, KEYS);
  await postgresStore({ client: spy, table }).findById(ids[0]!); // records the adapter's own lookup SQL
  const warm = createKeyring({ store, prefix: 'sk', cache: WARM_CACHE });
  const cold = createKeyring({ store, prefix: 'sk', cache: false });

  const mem: KeyStore = memoryStore();
  const memSeed = await seed(mem, 'sk', KEYS, KEYS);
  const memWarm = createKeyring({ store: mem, prefix: 'sk', cache: WARM_CACHE });

  const next = () => cycle(tokens);
  const [nextWarm, nextCold] = [next(), next()];
  const [nextId, nextSqlId, nextPreparedId] = [cycle(ids), cycle(ids), cycle(ids)];
  const nextMem = cycle(memSeed.tokens);
  // Warm every cache (and write every lastUsedAt once) before measuring.
  for (const t of tokens)
    if (!(await warm.verify(t)).valid || !(await cold.verify(t)).valid) throw new Error('bench setup: a seeded key does not verify on Postgres');
  for (const t of memSeed.tokens) await memWarm.verify(t);
  const raw = `SELECT * FROM ${quotedTable} WHERE id = $1`;

  return measureGroup(
    [
      { name: 'mem', fn: () => memWarm.verify(nextMem()), async: true },
      { name: 'warm', fn: () => warm.verify(nextWarm()), async: true },
      { name: 'cold', fn: () => cold.verify(nextCold()), async: true },
      { name: 'raw', fn: () => client.query(raw, [nextId()]), async: true },
      { name: 'sql', fn: () => client.query(findSql, [nextSqlId()]), async: true },
      // The fair yardstick where keysmith prepares its lookup: the raw SELECT prepared too.
      ...(named
        ? [
            {
              name: 'rawPrepared',
              fn: () => (client as unknown as pg.Pool).query({ name: 'bench_raw_lookup', text: raw, values: [nextPreparedId()] }),
              async: true,
            },
          ]
        : []),
    ],
    // A cold verify is a ~100–200 µs round trip and its target is a ratio within 15%: more and
    // longer rounds than the in-process groups, so the ratio's interval is narrow enough to judge.
    { rounds: 15, roundMs: 300, latencyMs: 400 },
  );
}

/**
 * keysmith create (validation, token, SHA-256, the store's INSERT) next to a raw INSERT of the same
 * columns and values through the same client into the same table (named and prepared on
 * node-postgres, as keysmith's is), rounds interleaved.
 */
async function createOn(client: Queryable, table: string, quotedTable: string, named: boolean) {
  const keyring = createKeyring({ store: postgresStore({ client, table }), prefix: 'sk' });
  const input = { tenantId: 'bench-create', name: 'bench key', scopes: ['evidence:read'] };
  // The values keysmith sends for such a key, with a fresh id per call.
  const { key } = await keyring.create(input);
  const params = insertParams((await postgresStore({ client, table }).findById(key.id))!);
  const text = `INSERT INTO ${quotedTable} (${PLAIN_COLUMNS}) VALUES (${INSERT_PLACEHOLDERS})`;
  // Random ids as keysmith's are (sequential ones would all land on the primary key's last page).
  const values = () => [randomBytes(12).toString('base64url').slice(0, 16), ...params.slice(1)];
  const pool = client as unknown as pg.Pool;
  return measureGroup(
    [
      { name: 'create', fn: () => keyring.create(input), async: true },
      {
        name: 'rawInsert',
        fn: () => (named ? pool.query({ name: 'bench_raw_insert', text, values: values() }) : client.query(text, values())),
        async: true,
      },
    ],
    { rounds: 9, roundMs: 200, latencyMs: 400 },
  );
}

function createRows(prefix: string, section: string, m: Record<string, Measurement>, driver: string): Row[] {
  const share = speedRatio(m.create!, m.rawInsert!);
  const percent = `${Math.round(share * 100)}% of a raw INSERT's rate`;
  return [
    row(`${prefix}.create`, section, 'keysmith create (validation, token, SHA-256, INSERT)', m.create!, {
      // The issue's target is the server's; PGlite runs the INSERT in this process, so create's own CPU counts in full.
      ...(prefix === 'pg' ? { target: verdict(share >= 0.95, `≥ 95% of a raw INSERT's rate (${(share * 100).toFixed(1)}%)`) } : {}),
      note: prefix === 'pg' ? 'one INSERT per call' : `one INSERT per call; ${percent}`,
    }),
    row(`${prefix}.rawInsert`, section, `raw INSERT of the same columns${named(driver)} (${driver})`, m.rawInsert!, {
      note: 'the yardstick of create',
    }),
  ];
}

const named = (driver: string) => (driver === 'pg.Pool' ? ', named prepared statement' : '');

function rows(prefix: string, section: string, m: Record<string, Measurement>, driver: string): Row[] {
  const warmShare = speedRatio(m.warm!, m.mem!);
  // Time per call relative to the raw lookup, from interleaved rounds (steadier than one latency pass).
  // On node-postgres keysmith prepares its lookup, so the yardstick is the raw SELECT prepared too.
  const yardstick = m.rawPrepared ?? m.raw!;
  const coldCost = speedRatio(yardstick, m.cold!);
  const coldInterval = speedRatioInterval(yardstick, m.cold!);
  const bound = m.rawPrepared ? 1.15 : 1.2;
  const out = [
    row(`${prefix}.warm`, section, 'keysmith verify, warm (cache on)', m.warm!, {
      vsFloor: 'floor',
      vsPeer: 'ba.verify',
      target: verdict(warmShare >= 0.8, `≥ 80% of memory warm (${Math.round(warmShare * 100)}%)`),
      note: 'cache hit: the database is not asked',
    }),
    row(`${prefix}.cold`, section, `keysmith verify, cold (cache: false)${m.rawPrepared ? ', named prepared statement' : ''}`, m.cold!, {
      target: verdict(coldCost <= bound, `≤ ${bound}× ${m.rawPrepared ? 'prepared ' : ''}raw lookup's time (${coldCost.toFixed(2)}×)`),
      note: `one primary-key SELECT per call${coldInterval ? `; per-round ratios: 95% interval of the median ${coldInterval.low.toFixed(2)}–${coldInterval.high.toFixed(2)}×` : ''}`,
    }),
    row(`${prefix}.raw`, section, `raw SELECT * … WHERE id = $1 (${driver})`, m.raw!, { note: 'the lookup with no keysmith around it' }),
  ];
  if (m.rawPrepared) {
    out.push(
      row(`${prefix}.rawPrepared`, section, `raw SELECT * … WHERE id = $1, named prepared statement (${driver})`, m.rawPrepared, {
        note: 'the yardstick of the cold target',
      }),
    );
  }
  out.push(
    row(`${prefix}.sql`, section, `the adapter's findById SQL, sent directly, unprepared (${driver})`, m.sql!, {
      note: `${speedRatio(m.raw!, m.sql!).toFixed(2)}× raw time: the plain columns, parsed and planned on every call`,
    }),
  );
  return out;
}

export async function pgliteSuite(): Promise<Row[]> {
  const db = new PGlite();
  try {
    await migrate(db);
    const m = await onDatabase(db, 'keysmith_api_keys', '"keysmith_api_keys"', false);
    const c = await createOn(db, 'keysmith_api_keys', '"keysmith_api_keys"', false);
    const section = 'PGlite (embedded, in process)';
    return [...rows('pglite', section, m, 'PGlite'), ...createRows('pglite', section, c, 'PGlite')];
  } finally {
    await db.close();
  }
}

export async function postgresSuite(): Promise<Row[]> {
  const section = `PostgreSQL server (${describeUrl(PG_URL)}, pg.Pool, loopback)`;
  const problem = await postgresProblem();
  if (problem) return [skipped('pg.warm', section, 'keysmith verify on PostgreSQL', `${problem}; set KEYSMITH_PG_URL`)];
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  const schema = `keysmith_bench_${randomBytes(5).toString('hex')}`;
  try {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    const table = `${schema}.api_keys`;
    await migrate(pool, { table });
    const m = await onDatabase(pool, table, `"${schema}"."api_keys"`, true);
    const c = await createOn(pool, table, `"${schema}"."api_keys"`, true);
    return [...rows('pg', section, m, 'pg.Pool'), ...createRows('pg', section, c, 'pg.Pool')];
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  }
}
