import type { ApiKeyRecord } from 'keysmith';
import type { Queryable, Row } from './client.js';
import { readInt, readText, recordFromRow, type ColumnReaders } from './columns.js';

/**
 * The read path's own type parsing. Plain columns (`SELECT id, scopes, expires_at …`) are cheaper to
 * plan and run than the typed select expressions of `SELECT_COLUMNS` (half of PGlite's lookup time),
 * but they arrive through the driver's type parsers, which an application may have replaced
 * (node-postgres's are process-wide). So a client's plain columns are only read when keysmith
 * decides how they are parsed: node-postgres takes parsers per query (`types`), and a PGlite
 * instance's parsers are checked once to be PGlite's own. Anything else reads `SELECT_COLUMNS`.
 */

/** A column in a form the plain read does not expect: the store reads typed select expressions from then on. */
export class ColumnFormError extends Error {
  constructor(what: string) {
    super(`Unexpected ${what} from the Postgres driver`);
    this.name = 'ColumnFormError';
  }
}

const OID = { bool: 16, int8: 20, int2: 21, int4: 23, text: 25, json: 114, timestamptz: 1184, jsonb: 3802 } as const;

// DateStyle ISO, the server's default: 2026-12-03 16:17:33.123456+00, +05:30 or +00:53:28.
const ISO_TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?$/;

/** The number the digits of text[from, to) spell, or NaN when one is not a digit. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * A timestamptz in DateStyle ISO, as a Date truncated to the millisecond (what `floor(extract(epoch …)
 * * 1000)` gives). Any other form (another DateStyle, BC, infinity) throws `ColumnFormError`.
 */
export function parseTimestamptz(text: string): Date {
  // A four-digit year (every time keysmith writes) is read by character codes: a third of the regex's time.
  if (text.charCodeAt(4) === 45 && text.charCodeAt(7) === 45 && text.charCodeAt(10) === 32 && text.charCodeAt(13) === 58 && text.charCodeAt(16) === 58) {
    let i = 19;
    let ms = 0;
    if (text.charCodeAt(19) === 46 /* . */) {
      i = 20;
      while (i < 26 && digits(text, i, i + 1) >= 0) i++;
      const n = i - 20;
      ms = n === 0 ? Number.NaN : digits(text, 20, 20 + Math.min(n, 3)) * (n === 1 ? 100 : n === 2 ? 10 : 1);
    }
    const sign = text.charCodeAt(i) === 43 ? 1 : text.charCodeAt(i) === 45 ? -1 : Number.NaN;
    const rest = text.length - i; // ±HH, ±HH:MM or ±HH:MM:SS
    const hours = digits(text, i + 1, i + 3);
    const minutes = rest === 3 ? 0 : rest >= 6 && text.charCodeAt(i + 3) === 58 ? digits(text, i + 4, i + 6) : Number.NaN;
    const seconds = rest !== 9 ? 0 : text.charCodeAt(i + 6) === 58 ? digits(text, i + 7, i + 9) : Number.NaN;
    const year = digits(text, 0, 4);
    const local = Date.UTC(year, digits(text, 5, 7) - 1, digits(text, 8, 10), digits(text, 11, 13), digits(text, 14, 16), digits(text, 17, 19), ms);
    const time = local - sign * (hours * 3_600_000 + minutes * 60_000 + seconds * 1000);
    if (year >= 100 && (rest === 3 || rest === 6 || rest === 9) && !Number.isNaN(time)) return new Date(time);
    throw new ColumnFormError('timestamptz text');
  }
  const m = ISO_TIMESTAMPTZ.exec(text);
  if (m === null || Number(m[1]) < 100) throw new ColumnFormError('timestamptz text'); // Date.UTC maps years 0–99 to 19xx
  const ms = m[7] === undefined ? 0 : Number(`${m[7]}00`.slice(0, 3));
  const offset = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3_600_000 + Number(m[10] ?? 0) * 60_000 + Number(m[11] ?? 0) * 1000);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms) - offset);
}

const asText = (text: string) => text;
const PG_PARSERS: Record<number, (text: string) => unknown> = {
  [OID.bool]: (text) => text === 't',
  [OID.int8]: Number,
  [OID.int2]: Number,
  [OID.int4]: Number,
  [OID.json]: JSON.parse,
  [OID.jsonb]: JSON.parse,
  [OID.timestamptz]: parseTimestamptz,
};

/** node-postgres's per-query `types`; `used` tells that the client honoured them (pg-native ignores them). */
interface PgTypes {
  used: boolean;
  getTypeParser(oid: number): (text: string) => unknown;
}

/** A fresh `types` for one store: whatever the process-wide parsers, its plain reads come back in one form. */
export function pgTypes(): PgTypes {
  const types: PgTypes = {
    used: false,
    getTypeParser(oid) {
      types.used = true;
      return PG_PARSERS[oid] ?? asText;
    },
  };
  return types;
}

/** PGlite (or its worker): `query(text, params, options)`, `exec`, `waitReady` and the instance's `parsers`. */
interface PGliteLike {
  parsers: Record<number, ((text: string, typeId?: number) => unknown) | undefined>;
}

export function isPGlite(client: Queryable): boolean {
  const c = client as unknown as Record<string, unknown>;
  return typeof c.exec === 'function' && typeof c.waitReady === 'object' && typeof c.parsers === 'object' && c.parsers !== null;
}

/**
 * Whether a PGlite instance parses what the plain read selects as PGlite does by default (its
 * `parsers` option may have replaced them). Checked on sample values, once per store: passing
 * parsers per query instead would copy PGlite's whole parser table (300 entries) on every query.
 */
export function pgliteParsesAsExpected(client: Queryable): boolean {
  const { parsers } = client as unknown as PGliteLike;
  const parse = (oid: number, text: string) => {
    const parser = parsers[oid];
    return parser ? parser(text, oid) : text;
  };
  const json = '{"a":[1,"x",null,true,1.5],"b":{"c":"2026-01-02T03:04:05.678Z"},"d":""}';
  try {
    const time = parse(OID.timestamptz, '2026-01-02 03:04:05.678+05:30');
    return (
      time instanceof Date &&
      time.getTime() === Date.UTC(2026, 0, 1, 21, 34, 5, 678) &&
      JSON.stringify(parse(OID.jsonb, json)) === JSON.stringify(JSON.parse(json)) &&
      parse(OID.bool, 't') === true &&
      parse(OID.bool, 'f') === false &&
      parse(OID.int8, '9007199254740991') === 9007199254740991 &&
      parse(OID.int4, '42') === 42 &&
      parse(OID.text, 'x') === 'x'
    );
  } catch {
    return false;
  }
}

/**
 * Whether the PGlite session prints times in DateStyle ISO (its default), the one form PGlite's own
 * parser (`new Date(text)`) reads right. A PGlite is one session: asked once, on the store's first read.
 */
export async function pgliteDateStyleIsIso(client: Queryable): Promise<boolean> {
  try {
    const { rows } = await client.query('SHOW DateStyle');
    return String(Object.values(rows[0] ?? {})[0]).startsWith('ISO');
  } catch {
    return false; // read the typed select list rather than guess
  }
}

/** Readers of a plain read, its values already parsed (JSON, Date, number, boolean); a value in another form is a `ColumnFormError`. */
const PARSED_FORM: ColumnReaders = {
  text: readText,
  json: (v) => (v === undefined ? null : v),
  time: (v) => {
    if (v === null || v === undefined) return null;
    // PGlite's own parser gives an Invalid Date for a form it cannot read.
    if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new ColumnFormError('timestamptz value');
    return v;
  },
  bool: (v) => {
    if (typeof v !== 'boolean') throw new ColumnFormError('boolean value');
    return v;
  },
  /** A number, or PGlite's BigInt past 2^53. */
  int: readInt,
};

/** The row of a plain read, its values already parsed (json, Date, number, boolean), as a record. Same shape as `rowToRecord`'s. */
export function parsedRowToRecord(row: Row): ApiKeyRecord {
  return recordFromRow(row, PARSED_FORM);
}
