import fc from 'fast-check';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from 'keysmith';
import { migrate, postgresStore, type Queryable } from 'keysmith/postgres';
import { makeRecord } from 'keysmith/testing';
import { ColumnFormError, parseTimestamptz } from '../../adapters/stores/postgres/parsers.js';
import { START_TIMEOUT, PG_URL, serverTarget } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A time as Postgres prints a timestamptz in DateStyle ISO, in a zone `offsetSeconds` east of UTC. */
function isoText(ms: number, offsetSeconds: number, micros: number): string {
  const d = new Date(ms + offsetSeconds * 1000);
  const fraction =
    micros === 0 && d.getUTCMilliseconds() === 0 ? '' : `.${pad(d.getUTCMilliseconds(), 3)}${micros === 0 ? '' : pad(micros, 3)}`.replace(/0+$/, '');
  const abs = Math.abs(offsetSeconds);
  const [h, m, s] = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60];
  const offset = `${offsetSeconds < 0 ? '-' : '+'}${pad(h)}${m || s ? `:${pad(m)}` : ''}${s ? `:${pad(s)}` : ''}`;
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${fraction}${offset}`;
}

describe('parseTimestamptz', () => {
  it('reads DateStyle ISO in any zone offset, to the millisecond (microseconds truncated)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -30_610_224_000_000, max: 253_402_300_799_000 }), // years 1000 to 9999, and a day either side
        fc.integer({ min: -15 * 3600, max: 15 * 3600 }),
        fc.integer({ min: 0, max: 999 }),
        (ms, offsetSeconds, micros) => {
          expect(parseTimestamptz(isoText(ms, offsetSeconds, micros)).getTime()).toBe(ms);
        },
      ),
      { numRuns: 2000 },
    );
    expect(parseTimestamptz('2026-12-03 16:17:33.1239+05:30').toISOString()).toBe('2026-12-03T10:47:33.123Z');
    expect(parseTimestamptz('1969-12-31 23:59:59.9999+00').getTime()).toBe(-1);
    expect(parseTimestamptz('10000-01-01 00:00:00.5-00:53:28').toISOString()).toBe('+010000-01-01T00:53:28.500Z');
  });

  it('refuses every other form rather than guess', () => {
    for (const text of [
      'infinity',
      '-infinity',
      '2026-12-03 16:17:33+00 BC',
      '12/03/2026 16:17:33.12 UTC',
      'Thu Dec 03 16:17:33 2026 UTC',
      '03.12.2026 16:17:33 UTC',
      '0099-01-01 00:00:00+00',
    ])
      expect(() => parseTimestamptz(text), text).toThrow(ColumnFormError);
  });
});

/** A client whose SQL is recorded, kept the same kind of client (the store looks at what it is). */
function recording<C extends object>(client: C): { client: C; sql: string[] } {
  const sql: string[] = [];
  const proxy = new Proxy(client, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (key === 'query')
        return (text: unknown, ...rest: unknown[]) => {
          sql.push(typeof text === 'string' ? text : (text as { text: string }).text);
          return (value as (...a: unknown[]) => unknown).call(target, text, ...rest);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { client: proxy, sql };
}

/** Every read returns the record as it was stored, and `plainReads` says which select list the reads used. */
async function expectReadsRoundTrip(client: Queryable, sql: string[], table: string | undefined, plainReads: boolean) {
  const store = postgresStore({ client, table });
  const record: ApiKeyRecord = makeRecord({
    remaining: 2 ** 40 + 7,
    metadata: { nested: { at: '2026-01-01T00:00:00.000Z' }, s: 'text' },
    refilledAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
  });
  await store.insert(record);
  sql.length = 0;
  expect(await store.findById(record.id)).toEqual(record);
  expect(await store.get(record.tenantId, record.id)).toEqual(record);
  expect((await store.list(record.tenantId, { page: 1, limit: 10 })).items).toEqual([record]);
  const lookups = sql.filter((s) => s.includes(record.tenantId) || /WHERE id = \$1::text$/.test(s) || s.startsWith('SELECT'));
  expect(
    lookups.some((s) => s.includes('extract(epoch')),
    `reads: ${lookups.join('\n')}`,
  ).toBe(!plainReads);
}

const asText = (text: string) => text;
/** What applications replace the parsers with: keep times and JSON as text, int8 as BigInt. */
const REPLACED: Record<number, (text: string) => unknown> = { 1184: asText, 3802: asText, 114: asText, 20: BigInt, 23: asText };

describe('postgres reads on PGlite, whatever its parsers and DateStyle', () => {
  it(
    'its own parsers: plain columns',
    async () => {
      const db = await freshPGlite();
      try {
        await migrate(db);
        const { client, sql } = recording(db);
        await expectReadsRoundTrip(client, sql, undefined, true);
      } finally {
        await db.close();
      }
    },
    START_TIMEOUT,
  );

  it(
    'parsers the application replaced (times, JSON and booleans as their text, int8 as BigInt): typed select expressions, same records',
    async () => {
      const db = await freshPGlite({ parsers: { ...REPLACED, 16: asText } });
      try {
        await migrate(db);
        const { client, sql } = recording(db);
        await expectReadsRoundTrip(client, sql, undefined, false);
      } finally {
        await db.close();
      }
    },
    START_TIMEOUT,
  );

  it(
    "a DateStyle other than ISO (which PGlite's time parser misreads): typed select expressions, same records",
    async () => {
      const db = await freshPGlite();
      try {
        await migrate(db);
        await db.query(`SET DateStyle = 'SQL, DMY'`);
        const { client, sql } = recording(db);
        await expectReadsRoundTrip(client, sql, undefined, false);
      } finally {
        await db.close();
      }
    },
    START_TIMEOUT,
  );
});

describe.skipIf(!PG_URL)('postgres reads on a real server, whatever the process-wide type parsers and the session settings', () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  beforeAll(async () => {
    target = await serverTarget();
  }, START_TIMEOUT);
  afterAll(() => target?.close());

  it("node-postgres's global parsers replaced (timestamptz, json, jsonb, int8, int4): plain columns, same records", async () => {
    const oids = Object.keys(REPLACED).map(Number);
    const saved = oids.map((oid) => pg.types.getTypeParser(oid, 'text'));
    try {
      for (const oid of oids) pg.types.setTypeParser(oid, REPLACED[oid]!);
      const { client, sql } = recording(target.pool);
      await expectReadsRoundTrip(client, sql, target.table, true);
    } finally {
      for (const [i, oid] of oids.entries()) pg.types.setTypeParser(oid, saved[i]!);
    }
  });

  it('a session in another time zone: plain columns, same records', async () => {
    const client = new pg.Client({ connectionString: PG_URL, options: '-c TimeZone=Asia/Kolkata' });
    await client.connect();
    try {
      const recorded = recording(client);
      await expectReadsRoundTrip(recorded.client, recorded.sql, target.table, true);
    } finally {
      await client.end();
    }
  });

  it('a session whose DateStyle is not ISO: the reads turn to typed select expressions, same records', async () => {
    const client = new pg.Client({ connectionString: PG_URL, options: '-c DateStyle=SQL,DMY' });
    await client.connect();
    try {
      const recorded = recording(client);
      await expectReadsRoundTrip(recorded.client, recorded.sql, target.table, false);
    } finally {
      await client.end();
    }
  });

  it('a client with only query(text, params): typed select expressions, same records', async () => {
    const sql: string[] = [];
    const client: Queryable = {
      query: (text, params) => {
        sql.push(text);
        return target.pool.query(text, params);
      },
    };
    await expectReadsRoundTrip(client, sql, target.table, false);
  });
});
