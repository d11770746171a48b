import assert from 'node:assert/strict';
import type { ApiKeyRecord } from 'keysmith';
import type { Collection, Document } from 'mongodb';

/** The fields of a stored key document, exactly (the key id is `_id`; there is no `id` field). */
const DOCUMENT_FIELDS = [
  '_id',
  'tenantId',
  'name',
  'prefix',
  'preview',
  'hash',
  'scopes',
  'roles',
  'preset',
  'resources',
  'requireMapping',
  'mcp',
  'enabled',
  'expiresAt',
  'revokedAt',
  'revokedBy',
  'createdAt',
  'createdBy',
  'updatedAt',
  'lastUsedAt',
  'ownerId',
  'ipAllowlist',
  'remaining',
  'refill',
  'refilledAt',
  'rateLimits',
  'metadata',
  'supersededBy',
  'version',
].sort();

// Readers of unpromoted BSON values: each asserts the BSON type it expects.
const str = (v: unknown, f: string): string => (assert.equal(typeof v, 'string', `${f} is a BSON string`), v as string);
const strOrNull = (v: unknown, f: string): string | null => (v === null ? null : str(v, f));
const date = (v: unknown, f: string): Date => (assert.ok(v instanceof Date, `${f} is a BSON date`), v as Date);
const dateOrNull = (v: unknown, f: string): Date | null => (v === null ? null : date(v, f));
const bool = (v: unknown, f: string): boolean => (assert.equal(typeof v, 'boolean', `${f} is a BSON boolean`), v as boolean);
const num = (v: unknown, f: string): number => {
  const type = (v as { _bsontype?: string } | null)?._bsontype;
  assert.ok(type === 'Int32' || type === 'Double' || type === 'Long', `${f} is a BSON number (got ${type ?? typeof v})`);
  return Number((v as { valueOf(): number | bigint }).valueOf());
};
const strings = (v: unknown, f: string): string[] => (assert.ok(Array.isArray(v), `${f} is an array`), (v as unknown[]).map((x, i) => str(x, `${f}.${i}`)));
const obj = (v: unknown, f: string): Document => (assert.ok(v !== null && typeof v === 'object' && !Array.isArray(v), `${f} is a document`), v as Document);

/** Checks a document read with `promoteValues: false` against the documented BSON shape and maps it. */
function recordFromRawBson(d: Document): ApiKeyRecord {
  assert.deepStrictEqual(Object.keys(d).sort(), DOCUMENT_FIELDS);
  const mcp = obj(d.mcp, 'mcp');
  const tools = obj(mcp.tools, 'mcp.tools');
  const refill = d.refill === null ? null : obj(d.refill, 'refill');
  return {
    id: str(d._id, '_id'),
    tenantId: str(d.tenantId, 'tenantId'),
    name: str(d.name, 'name'),
    prefix: str(d.prefix, 'prefix'),
    preview: str(d.preview, 'preview'),
    hash: str(d.hash, 'hash'),
    scopes: strings(d.scopes, 'scopes'),
    roles: strings(d.roles, 'roles'),
    preset: strOrNull(d.preset, 'preset'),
    resources: Object.fromEntries(Object.entries(obj(d.resources, 'resources')).map(([k, v]) => [k, strings(v, `resources.${k}`)])),
    requireMapping: typeof d.requireMapping === 'boolean' ? d.requireMapping : strings(d.requireMapping, 'requireMapping'),
    mcp: {
      enabled: bool(mcp.enabled, 'mcp.enabled'),
      tools: { mode: str(tools.mode, 'mode') as 'all' | 'allow' | 'deny', names: strings(tools.names, 'names') },
      readOnly: bool(mcp.readOnly, 'mcp.readOnly'),
    },
    enabled: bool(d.enabled, 'enabled'),
    expiresAt: dateOrNull(d.expiresAt, 'expiresAt'),
    revokedAt: dateOrNull(d.revokedAt, 'revokedAt'),
    revokedBy: strOrNull(d.revokedBy, 'revokedBy'),
    createdAt: date(d.createdAt, 'createdAt'),
    createdBy: strOrNull(d.createdBy, 'createdBy'),
    updatedAt: dateOrNull(d.updatedAt, 'updatedAt'),
    lastUsedAt: dateOrNull(d.lastUsedAt, 'lastUsedAt'),
    ownerId: strOrNull(d.ownerId, 'ownerId'),
    ipAllowlist: strings(d.ipAllowlist, 'ipAllowlist'),
    remaining: d.remaining === null ? null : num(d.remaining, 'remaining'),
    refill: refill && {
      amount: num(refill.amount, 'refill.amount'),
      interval: typeof refill.interval === 'string' ? (refill.interval as 'day' | 'month') : num(refill.interval, 'refill.interval'),
    },
    refilledAt: dateOrNull(d.refilledAt, 'refilledAt'),
    rateLimits: (d.rateLimits as Document[]).map((l, i) => ({
      name: str(l.name, `rateLimits.${i}.name`),
      limit: num(l.limit, 'limit'),
      windowMs: num(l.windowMs, 'windowMs'),
      ...(l.per === undefined ? {} : { per: str(l.per, `rateLimits.${i}.per`) as 'key' | 'owner' }),
    })),
    metadata: JSON.parse(str(d.metadata, 'metadata')) as Record<string, unknown>,
    supersededBy: strOrNull(d.supersededBy, 'supersededBy'),
    version: num(d.version, 'version'),
  };
}

/** Reads a key straight through the driver (not the adapter), checking its raw BSON shape. */
export async function rawFindById(collection: Collection<Document>, id: string): Promise<ApiKeyRecord | null> {
  const doc = await collection.findOne({ _id: id as unknown as Document['_id'] }, { promoteValues: false });
  return doc ? recordFromRawBson(doc) : null;
}
