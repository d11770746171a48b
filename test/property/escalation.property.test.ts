import { policyOf } from '../../src/keyring.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canAccess, createKeyring, isKeysmithError, type ActorPermissions, type Keyring, type McpLimits, type Permissions, type RateLimit } from 'keysmith';
import { compileAllowlist } from '../../src/verify/ip.js';
import { covers } from '../../src/permissions/scopes.js';
import { memoryStore } from 'keysmith/memory';
import { runs } from '../support/runs.js';

/**
 * Issue 12 items 4-6 as one property: for a random actor and a random management call, the call
 * succeeds exactly when the key, before the call (for any change of an existing key) and after it
 * (for a mint or an edit), is within the actor in every dimension. "Within" is decided here by a
 * reference of its own: by enumerating what each side can reach (scopes, resource ids, MCP tools,
 * addresses, time), not by the library's comparison.
 */

const NOW = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;

// ---- scopes: patterns over {a,b,c,*}, checked against every concrete scope over {a,b,c,d} up to 4 segments.
const pattern = fc.oneof(
  fc.constant('*'),
  fc.array(fc.constantFrom('a', 'b', 'c', '*'), { minLength: 1, maxLength: 3 }).map((s) => s.join(':')),
);
const SCOPE_UNIVERSE: string[] = [];
const grow = (prefix: string, depth: number) => {
  for (const x of ['a', 'b', 'c', 'd']) {
    const s = prefix ? `${prefix}:${x}` : x;
    SCOPE_UNIVERSE.push(s);
    if (depth < 4) grow(s, depth + 1);
  }
};
grow('', 1);
const ROLES = { R1: ['a:*'], R2: { scopes: ['b:c'], inherits: ['R1'] } };

// ---- resources: kinds project/org (and one nobody lists), ids p1/p2 (and one nobody lists).
const KINDS = ['project', 'org', 'unlisted'];
const IDS = ['p1', 'p2', 'other'];
const idList = fc.array(fc.constantFrom('p1', 'p2', '*'), { maxLength: 2 });
const resources = fc.record({ project: idList, org: idList }, { requiredKeys: [] });
const requireMapping = fc.constantFrom<boolean | string[]>(false, true, ['org'], ['project', 'org']);

// ---- MCP: tool names t1..t3 (and one nobody lists), each with or without readOnlyHint.
const TOOLS = ['t1', 't2', 't3', 'other'];
const mcp: fc.Arbitrary<McpLimits> = fc.record({
  enabled: fc.boolean(),
  readOnly: fc.boolean(),
  tools: fc.record({
    mode: fc.constantFrom('all' as const, 'allow' as const, 'deny' as const),
    names: fc.uniqueArray(fc.constantFrom('t1', 't2', 't3'), { maxLength: 3 }),
  }),
});
const mayUse = (m: McpLimits, tool: string, readOnlyHint: boolean) =>
  m.enabled && (m.tools.mode === 'all' || (m.tools.mode === 'allow') === m.tools.names.includes(tool)) && (!m.readOnly || readOnlyHint);

// ---- addresses: nested and disjoint ranges, and a witness address for every difference between them.
const RANGES = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.3', '192.168.0.0/16', '2001:db8::/32', '2001:db8:1::/48', '::1'];
const ADDRESSES = ['10.1.2.3', '10.1.2.4', '10.2.0.1', '192.168.1.1', '1.1.1.1', '2001:db8:1::5', '2001:db8:2::5', '::1', '::2'];
const allowlist = fc.uniqueArray(fc.constantFrom(...RANGES), { maxLength: 3 });

// ---- time, credits, rate limits.
const expiry = fc.constantFrom<Date | null>(null, new Date(NOW + DAY), new Date(NOW + 30 * DAY));
const expiresIn = fc.constantFrom(undefined, '12h', '1d', '30d', '60d');
const remaining = fc.constantFrom<number | null>(null, 0, 10, 100);
const refill = fc.option(
  fc.record({ amount: fc.constantFrom(10, 100), interval: fc.constantFrom<'day' | 'month' | number>('day', 'month', 3_600_000, 7 * DAY) }),
  { nil: null },
);
const rateLimits = fc
  .array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), limit: fc.constantFrom(1, 10, 60, 1000), windowMs: fc.constantFrom(1_000, 60_000, 3_600_000) }), {
    maxLength: 2,
  })
  .map((ls) => ls.filter((l, i) => ls.findIndex((x) => x.name === l.name) === i));

/** What a key reaches, as the reference sees it. */
interface Reach {
  permissions: Permissions;
  expiresAt: Date | null;
  ipAllowlist: string[];
  remaining: number | null;
  refill: { amount: number; interval: 'day' | 'month' | number } | null;
  rateLimits: RateLimit[];
}

/** Often unlimited in a dimension, so that calls within the actor are as common as refusals. */
const often = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: arb });
const actorArb = fc.record({
  scopes: fc.oneof(fc.constant<string[]>(['*']), fc.array(pattern, { maxLength: 3 })),
  resources: often(resources),
  requireMapping: often(requireMapping),
  mcp: often(mcp),
  expiresAt: often(expiry),
  ipAllowlist: often(allowlist),
  remaining: often(remaining),
  refill: often(refill),
  rateLimits: often(rateLimits),
});

/** Fields of a create or update request, each present or not. */
const fieldsArb = fc.record(
  {
    scopes: fc.array(pattern, { maxLength: 3 }),
    roles: fc.subarray(['R1', 'R2']),
    resources,
    mcp,
    expiresIn,
    ipAllowlist: allowlist,
    remaining,
    refill,
    rateLimits,
  },
  { requiredKeys: [] },
);

/** The reference "within": everything the key can reach, the actor can reach too. */
function within(actor: ActorPermissions, key: Reach): boolean {
  const actorPerms: Permissions = {
    scopes: actor.scopes,
    roles: [],
    resources: actor.resources ?? {},
    requireMapping: actor.requireMapping ?? false,
    mcp: actor.mcp ?? key.permissions.mcp,
  };
  for (const s of SCOPE_UNIVERSE) if (key.permissions.scopes.some((g) => covers(g, s)) && !actor.scopes.some((g) => covers(g, s))) return false;
  for (const kind of KINDS) for (const id of IDS) if (canAccess(key.permissions, kind, id) && !canAccess(actorPerms, kind, id)) return false;
  if (actor.mcp)
    for (const tool of TOOLS) for (const hint of [true, false]) if (mayUse(key.permissions.mcp, tool, hint) && !mayUse(actor.mcp, tool, hint)) return false;
  // Time: a moment when the key still works and the actor no longer does.
  if (actor.expiresAt && (key.expiresAt === null || key.expiresAt > actor.expiresAt)) return false;
  const keyAt = compileAllowlist(key.ipAllowlist);
  const actorAt = compileAllowlist(actor.ipAllowlist ?? []);
  for (const a of ADDRESSES) if (keyAt(a) && !actorAt(a)) return false;
  // Credits (the documented rule): with credits, the key holds no more, and refills no more and no more often.
  if (actor.remaining != null) {
    if (key.remaining === null || key.remaining > actor.remaining) return false;
    if (key.refill) {
      const r = actor.refill;
      const ms = (i: 'day' | 'month' | number, longest: boolean) => (i === 'day' ? DAY : i === 'month' ? (longest ? 31 : 28) * DAY : i);
      if (!r || key.refill.amount > r.amount || (key.refill.interval !== r.interval && ms(key.refill.interval, false) < ms(r.interval, true))) return false;
    }
  }
  // Rate: in each of the actor's windows, the key admits no more requests than the actor's limit.
  for (const l of actor.rateLimits ?? []) {
    const most = Math.min(Infinity, ...key.rateLimits.map((k) => k.limit * Math.ceil(l.windowMs / k.windowMs)));
    if (most > l.limit) return false;
  }
  return true;
}

const DURATION: Record<string, number> = { '12h': DAY / 2, '1d': DAY, '30d': 30 * DAY, '60d': 60 * DAY };

type Op = 'create' | 'update' | 'pause' | 'rotate' | 'revoke';

async function attempt(keyring: Keyring, op: Op, id: string, fields: Record<string, unknown>, actor: ActorPermissions): Promise<'ok' | 'ESCALATION'> {
  try {
    if (op === 'create') await keyring.create({ tenantId: 't', name: 'k', ...fields, actor });
    else if (op === 'update') {
      const { expiresIn: e, ...rest } = fields;
      await keyring.update('t', id, { ...rest, ...(e === undefined ? {} : { expiresAt: new Date(NOW + DURATION[e as string]!) }), actor });
    } else if (op === 'pause') await keyring.setEnabled('t', id, false, { actor });
    else if (op === 'rotate') await keyring.rotate('t', id, { actor });
    else await keyring.revoke('t', id, { actor });
    return 'ok';
  } catch (error) {
    if (isKeysmithError(error) && error.code === 'ESCALATION') return 'ESCALATION';
    throw error;
  }
}

/** The key a request asks for, on top of `base` (an update) or of nothing (a create). */
function requested(keyring: Keyring, fields: Record<string, any>, base: Reach | null): Reach {
  const p = base?.permissions;
  const record = {
    scopes: fields.scopes ?? p?.scopes ?? [],
    roles: fields.roles ?? p?.roles ?? [],
    resources: fields.resources ?? p?.resources ?? {},
    mcp: fields.mcp ?? p?.mcp ?? { enabled: true, tools: { mode: 'all' as const, names: [] }, readOnly: false },
  };
  return {
    permissions: policyOf(keyring).permissionsOf(record),
    expiresAt: fields.expiresIn !== undefined ? new Date(NOW + DURATION[fields.expiresIn]!) : (base?.expiresAt ?? null),
    ipAllowlist: fields.ipAllowlist ?? base?.ipAllowlist ?? [],
    remaining: fields.remaining !== undefined ? fields.remaining : (base?.remaining ?? null),
    refill: fields.refill !== undefined ? fields.refill : (base?.refill ?? null),
    rateLimits: fields.rateLimits ?? base?.rateLimits ?? [],
  };
}

describe('no escalation in any dimension (property, issue 12 items 4-6)', () => {
  /** One keyring per requireMapping setting (building one takes a while; the keys it holds do not matter). */
  const keyrings = new Map<string, Keyring>();
  const keyringFor = (mapping: boolean | string[]) => {
    const name = JSON.stringify(mapping);
    if (!keyrings.has(name))
      keyrings.set(name, createKeyring({ store: memoryStore(), prefix: 'sk', roles: ROLES, requireMapping: mapping, clock: () => NOW, cache: false }));
    return keyrings.get(name)!;
  };

  it('a management call succeeds iff the key before and after it is within the actor in every dimension', async () => {
    const seen = { ok: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(
        actorArb,
        fc.constantFrom<Op>('create', 'update', 'update', 'pause', 'rotate', 'revoke'),
        fieldsArb,
        fieldsArb,
        requireMapping,
        async (actor, op, baseFields, fields, policyMapping) => {
          const keyring = keyringFor(policyMapping);
          // The key an update, pause, rotate or revoke acts on, minted by a full tenant admin.
          const base = requested(keyring, baseFields, null);
          const { key } = await keyring.create({ tenantId: 't', name: 'base', ...baseFields });
          const result = await attempt(keyring, op, key.id, fields, actor);
          const after = op === 'create' ? requested(keyring, fields, null) : op === 'update' ? requested(keyring, fields, base) : null;
          const allowed = (op === 'create' || within(actor, base)) && (after === null || within(actor, after));
          seen[result === 'ok' ? 'ok' : 'refused']++;
          expect(result, JSON.stringify({ op, actor, baseFields, fields })).toBe(allowed ? 'ok' : 'ESCALATION');
        },
      ),
      { numRuns: Number(process.env.KEYSMITH_PROPERTY_RUNS ?? runs(500, 1_500)) },
    );
    // Both answers occur often enough for the property to mean something.
    if (process.env.KEYSMITH_PROPERTY_VERBOSE) console.log(seen);
    expect(seen.ok).toBeGreaterThan(seen.refused / 10);
    expect(seen.refused).toBeGreaterThan(seen.ok / 10);
  }, 120_000);
});
