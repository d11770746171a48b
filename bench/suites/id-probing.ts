import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { createKeyring } from 'keysmith';
import { formatToken, parseToken } from '../../src/token/token.js';
import { migrate, postgresStore, type Queryable } from 'keysmith/postgres';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup } from '../lib/measure.js';
import { row, skipped, type Row } from '../lib/rows.js';
import { PG_URL, describeUrl, postgresProblem } from '../lib/services.js';
import { verdict } from '../lib/targets.js';

const KEYS = 500;
const SECRET = 'Z'.repeat(32);

/**
 * Median latencies of two calls made strictly alternately (a b a b …, the order flipped every pair),
 * so a load spike on this shared machine lands on both alike. In microseconds.
 */
async function pairedMedians(a: () => Promise<unknown>, b: () => Promise<unknown>, budgetMs = 3_000, maxPairs = 20_000) {
  const ta: number[] = [];
  const tb: number[] = [];
  const time = async (fn: () => Promise<unknown>, into: number[]) => {
    const t0 = performance.now();
    await fn();
    into.push((performance.now() - t0) * 1000);
  };
  const start = performance.now();
  for (let i = 0; i < maxPairs && performance.now() - start < budgetMs; i++) {
    if (i % 2 === 0) await time(a, ta).then(() => time(b, tb));
    else await time(b, tb).then(() => time(a, ta));
  }
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1]!;
  return { a: median(ta), b: median(tb), pairs: ta.length };
}

/**
 * Issue 12, item 8: can a prober tell an existing id from an unknown one by timing? With the
 * default cache, both a wrong secret for an existing (cached) id and an unknown id are measured,
 * interleaved; the target is a ratio of their median latencies within 0.8–1.25.
 */
async function onDatabase(client: Queryable, table: string | undefined, prefix: string, section: string, driver: string): Promise<Row[]> {
  const store = postgresStore({ client, table });
  const { tokens } = await seed(store, 'sk', KEYS, KEYS);
  const keyring = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 600_000, max: 10_000 } }); // default size, a TTL that outlasts the run
  for (const t of tokens) if (!(await keyring.verify(t)).valid) throw new Error('bench setup: a seeded key does not verify');
  const wrong = tokens.map((t) => formatToken({ prefix: 'sk', id: parseToken(t)!.id, secret: SECRET }));
  const unknown = tokens.map((_, i) =>
    formatToken({ prefix: 'sk', id: `probe${randomBytes(4).toString('hex')}${String(i).padStart(3, '0')}`, secret: SECRET }),
  );
  const [nextWrong, nextUnknown, nextValid] = [cycle(wrong), cycle(unknown), cycle(tokens)];
  const m = await measureGroup(
    [
      { name: 'wrong', fn: () => keyring.verify(nextWrong()), async: true },
      { name: 'unknown', fn: () => keyring.verify(nextUnknown()), async: true },
      { name: 'valid', fn: () => keyring.verify(nextValid()), async: true },
    ],
    { rounds: 7, roundMs: 200, latencyMs: 1_200, latencySamples: 20_000 },
  );
  const paired = await pairedMedians(
    () => keyring.verify(nextWrong()),
    () => keyring.verify(nextUnknown()),
  );
  const ratio = paired.a / paired.b;
  return [
    row(`${prefix}.probe.wrong`, section, 'verify: wrong secret for an existing, cached id', m.wrong!, {
      target: verdict(
        ratio >= 0.8 && ratio <= 1.25,
        `median ÷ unknown id's median in 0.8–1.25 (${ratio.toFixed(2)}: ${paired.a.toFixed(0)} ÷ ${paired.b.toFixed(0)} µs over ${paired.pairs} alternating pairs)`,
      ),
      note: `one primary-key read, like an unknown id (${driver})`,
    }),
    row(`${prefix}.probe.unknown`, section, 'verify: unknown id', m.unknown!, { note: 'one primary-key read that finds nothing' }),
    row(`${prefix}.probe.valid`, section, 'verify: the valid key, same run', m.valid!, { note: 'cache hit: the warm path is unchanged' }),
  ];
}

export async function idProbingPgliteSuite(): Promise<Row[]> {
  const db = new PGlite();
  try {
    await migrate(db);
    return await onDatabase(db, undefined, 'pglite', 'Probing ids by timing: PGlite', 'PGlite');
  } finally {
    await db.close();
  }
}

export async function idProbingPostgresSuite(): Promise<Row[]> {
  const section = `Probing ids by timing: PostgreSQL server (${describeUrl(PG_URL)})`;
  const problem = await postgresProblem();
  if (problem) return [skipped('pg.probe.wrong', section, 'verify: wrong secret vs unknown id', `${problem}; set KEYSMITH_PG_URL`)];
  const pool = new pg.Pool({ connectionString: PG_URL, max: 4 });
  const schema = `keysmith_bench_${randomBytes(5).toString('hex')}`;
  try {
    await pool.query(`CREATE SCHEMA "${schema}"`);
    const table = `${schema}.api_keys`;
    await migrate(pool, { table });
    return await onDatabase(pool, table, 'pg', section, 'pg.Pool');
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
  }
}

/** `tsx bench/suites/id-probing.ts`: just these rows. */
if (import.meta.url === `file://${process.argv[1]}`) {
  for (const suite of [idProbingPgliteSuite, idProbingPostgresSuite]) {
    for (const r of await suite()) console.log(`${r.section} | ${r.name} | p50 ${r.p50Us?.toFixed(0)} µs | ${r.target ?? ''} ${r.note ?? ''}`);
  }
}
