import type { ApiKeyRecord, KeyPatch } from 'keysmith';
import type { Row } from './client.js';

/**
 * How each record field is stored. Values are written as text with an explicit cast. `SELECT_COLUMNS`
 * reads them back as text, boolean or float8, so that mapping does not depend on the driver's type
 * parsers (node-postgres returns bigint as a string; an application may have replaced the parsers
 * for dates or JSON); `PLAIN_COLUMNS` reads them as they are, for parsers keysmith chose (parsers.ts).
 */
type Kind = 'text' | 'json' | 'time' | 'bool' | 'int' | 'bigint';

const FIELDS = {
  id: ['id', 'text'],
  tenantId: ['tenant_id', 'text'],
  name: ['name', 'text'],
  prefix: ['prefix', 'text'],
  preview: ['preview', 'text'],
  hash: ['hash', 'text'],
  scopes: ['scopes', 'json'],
  roles: ['roles', 'json'],
  preset: ['preset', 'text'],
  resources: ['resources', 'json'],
  requireMapping: ['require_mapping', 'json'],
  mcp: ['mcp', 'json'],
  enabled: ['enabled', 'bool'],
  expiresAt: ['expires_at', 'time'],
  revokedAt: ['revoked_at', 'time'],
  revokedBy: ['revoked_by', 'text'],
  createdAt: ['created_at', 'time'],
  createdBy: ['created_by', 'text'],
  updatedAt: ['updated_at', 'time'],
  lastUsedAt: ['last_used_at', 'time'],
  ownerId: ['owner_id', 'text'],
  ipAllowlist: ['ip_allowlist', 'json'],
  remaining: ['remaining', 'bigint'],
  refill: ['refill', 'json'],
  refilledAt: ['refilled_at', 'time'],
  rateLimits: ['rate_limits', 'json'],
  metadata: ['metadata', 'json'],
  supersededBy: ['superseded_by', 'text'],
  version: ['version', 'int'],
} as const satisfies Record<keyof ApiKeyRecord, readonly [string, Kind]>;

type Field = keyof typeof FIELDS;
const FIELD_NAMES = Object.keys(FIELDS) as Field[];

/** Fields an update may set; anything else in a patch is ignored (column names never come from input). */
const PATCHABLE = new Set<string>([
  'name',
  'scopes',
  'roles',
  'preset',
  'resources',
  'requireMapping',
  'mcp',
  'enabled',
  'expiresAt',
  'ownerId',
  'ipAllowlist',
  'remaining',
  'refill',
  'refilledAt',
  'rateLimits',
  'metadata',
  'updatedAt',
  'supersededBy',
] satisfies (keyof KeyPatch)[]);

const CAST: Record<Kind, string> = { text: 'text', json: 'text::jsonb', time: 'timestamptz', bool: 'boolean', int: 'integer', bigint: 'bigint' };

const selectExpression = ([column, kind]: readonly [string, Kind]): string => {
  if (kind === 'json') return `${column}::text AS ${column}`;
  // Epoch milliseconds: exact for the millisecond timestamps keysmith writes, whatever the session time zone.
  if (kind === 'time') return epochMs(column, column);
  return column;
};

/** Epoch milliseconds of a timestamptz expression, as every read returns times. */
export const epochMs = (expression: string, alias: string): string => `floor(extract(epoch FROM ${expression}) * 1000)::float8 AS ${alias}`;

/** A time column read back by `epochMs`, as a Date (null stays null). */
export const timeFromColumn = (value: unknown): Date | null => fromColumn('time', value) as Date | null;

/** The select list of every RETURNING, and of reads on a client whose type parsers keysmith cannot choose. */
export const SELECT_COLUMNS = FIELD_NAMES.map((f) => selectExpression(FIELDS[f])).join(', ');

/** The plain columns, for reads whose values keysmith's own parsers convert (parsers.ts). */
export const PLAIN_COLUMNS = FIELD_NAMES.map((f) => FIELDS[f][0]).join(', ');

function toParam(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'json') return JSON.stringify(value);
  if (kind === 'time') return (value as Date).toISOString();
  return value;
}

function fromColumn(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return String(value);
    case 'json':
      return JSON.parse(String(value));
    case 'time':
      return new Date(Number(value));
    case 'bool':
      return value === true || value === 't' || value === 'true';
    case 'int':
    case 'bigint':
      return Number(value); // node-postgres gives int8 as a string, PGlite as a number
  }
}

/** How one form of a row's values (text, or already parsed by the driver) becomes a record's: one reader per column kind. */
export interface ColumnReaders {
  text(value: unknown): string | null;
  json(value: unknown): unknown;
  time(value: unknown): Date | null;
  bool(value: unknown): boolean;
  int(value: unknown): number | null;
}

/** Readers of the typed select list (`SELECT_COLUMNS`): text, JSON as text, times as epoch milliseconds. */
const TYPED_FORM: ColumnReaders = {
  text: (v) => (v === null || v === undefined ? null : String(v)),
  json: (v) => (v === null || v === undefined ? null : JSON.parse(String(v))),
  time: (v) => (v === null || v === undefined ? null : new Date(Number(v))),
  bool: (v) => (v === null || v === undefined ? (null as unknown as boolean) : v === true || v === 't' || v === 'true'),
  /** node-postgres gives int8 as a string, PGlite as a number. */
  int: (v) => (v === null || v === undefined ? null : Number(v)),
};

/**
 * One object literal with every field in ApiKeyRecord's order, so V8 gives every row the same
 * fixed shape (a loop of `record[field] = …` builds it in dictionary mode: a quarter of the cold
 * path's CPU), for either form of row (`read`). The test "rowToRecord agrees with FIELDS" keeps it
 * in step with FIELDS.
 */
export function recordFromRow(row: Row, read: ColumnReaders): ApiKeyRecord {
  return {
    id: read.text(row.id)!,
    tenantId: read.text(row.tenant_id)!,
    name: read.text(row.name)!,
    prefix: read.text(row.prefix)!,
    preview: read.text(row.preview)!,
    hash: read.text(row.hash)!,
    scopes: read.json(row.scopes) as ApiKeyRecord['scopes'],
    roles: read.json(row.roles) as ApiKeyRecord['roles'],
    preset: read.text(row.preset),
    resources: read.json(row.resources) as ApiKeyRecord['resources'],
    requireMapping: read.json(row.require_mapping) as ApiKeyRecord['requireMapping'],
    mcp: read.json(row.mcp) as ApiKeyRecord['mcp'],
    enabled: read.bool(row.enabled),
    expiresAt: read.time(row.expires_at),
    revokedAt: read.time(row.revoked_at),
    revokedBy: read.text(row.revoked_by),
    createdAt: read.time(row.created_at)!,
    createdBy: read.text(row.created_by),
    updatedAt: read.time(row.updated_at),
    lastUsedAt: read.time(row.last_used_at),
    ownerId: read.text(row.owner_id),
    ipAllowlist: read.json(row.ip_allowlist) as ApiKeyRecord['ipAllowlist'],
    remaining: read.int(row.remaining),
    refill: read.json(row.refill) as ApiKeyRecord['refill'],
    refilledAt: read.time(row.refilled_at),
    rateLimits: read.json(row.rate_limits) as ApiKeyRecord['rateLimits'],
    metadata: read.json(row.metadata) as ApiKeyRecord['metadata'],
    supersededBy: read.text(row.superseded_by),
    version: read.int(row.version)!,
  };
}

/** A row of the typed select list (`SELECT_COLUMNS`) as a record. */
export function rowToRecord(row: Row): ApiKeyRecord {
  return recordFromRow(row, TYPED_FORM);
}

/** The readers of text and numbers, the same for a row already parsed by the driver. */
export const { text: readText, int: readInt } = TYPED_FORM;

/** The generic mapping by FIELDS (what `rowToRecord` spells out), for the test that keeps them in step. */
export function rowToRecordByFields(row: Row): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const field of FIELD_NAMES) {
    const [column, kind] = FIELDS[field];
    record[field] = fromColumn(kind, row[column]);
  }
  return record;
}

/**
 * `$1, $2, …`: the placeholders of an INSERT of the whole record, in `PLAIN_COLUMNS`' order. No casts:
 * INSERT … VALUES gives each parameter its column's type, and PGlite parses every statement anew.
 */
export const INSERT_PLACEHOLDERS = FIELD_NAMES.map((_, i) => `$${i + 1}`).join(', ');

/** The parameters of an INSERT of the whole record (`PLAIN_COLUMNS`, `INSERT_PLACEHOLDERS`). */
export function insertParams(record: ApiKeyRecord): unknown[] {
  return FIELD_NAMES.map((f) => toParam(FIELDS[f][1], record[f]));
}

/** `column = $n::type` assignments for the patch's fields, numbered from `firstParam`. */
export function setParts(patch: KeyPatch, firstParam: number): { assignments: string[]; params: unknown[] } {
  const assignments: string[] = [];
  const params: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined || !PATCHABLE.has(field)) continue;
    const [column, kind] = FIELDS[field as Field];
    params.push(toParam(kind, value));
    assignments.push(`${column} = $${firstParam + params.length - 1}::${CAST[kind]}`);
  }
  return { assignments, params };
}
