import { KeysmithError, type FieldIssue } from '../errors/errors.js';
import { parseRange } from '../verify/ip.js';
import { canAccess, isLimited, type Permissions } from './permissions.js';
import { coveredByAny } from './scopes.js';
import type { ApiKeyRecord, McpLimits, RateLimit, Refill } from '../store/record.js';

/**
 * The rights of whoever mints or edits a key: a user's role mapped to scopes, or a key's own
 * permissions and limits (`authorizeWithKey` fills every field from the key). An omitted part is
 * unlimited: a tenant admin's resources, MCP access, expiry, addresses, credits and rate.
 */
export interface ActorPermissions {
  scopes: string[];
  resources?: Record<string, string[]>;
  /** Resource kinds where the actor's unlisted or empty list means "none"; `true` for every kind. */
  requireMapping?: boolean | string[];
  mcp?: McpLimits;
  /** The actor's own expiry: every key it mints or edits must expire no later. */
  expiresAt?: Date | null;
  /** The actor's own CIDR allowlist: every range of a key it mints or edits must lie inside one of these. */
  ipAllowlist?: string[];
  /** The actor's own credits: a key it mints or edits holds at most as many (and so never unlimited). */
  remaining?: number | null;
  /** With credits: a key's refill gives no more, and no more often, than this one. */
  refill?: Refill | null;
  /** A key it mints or edits is held, in every one of these windows, to no more requests than the actor. */
  rateLimits?: RateLimit[];
}

/** Everything a key can reach, in every dimension the no-escalation rule compares. */
export interface KeyReach extends Permissions {
  expiresAt: Date | null;
  ipAllowlist: string[];
  remaining: number | null;
  refill: Refill | null;
  rateLimits: RateLimit[];
}

/** A record's reach: its effective permissions (roles and presets resolved) and its limits. */
export function reachOf(permissions: Permissions, record: Pick<ApiKeyRecord, 'expiresAt' | 'ipAllowlist' | 'remaining' | 'refill' | 'rateLimits'>): KeyReach {
  return {
    ...permissions,
    expiresAt: record.expiresAt,
    ipAllowlist: record.ipAllowlist,
    remaining: record.remaining,
    refill: record.refill,
    rateLimits: record.rateLimits,
  };
}

/** One dimension in which a key goes beyond its actor: what to say when it is granted, and when it is already held. */
interface Excess {
  path: (string | number)[];
  grant: string;
  held: string;
}

const excess = (path: (string | number)[], grant: string, held: string): Excess => ({ path, grant, held: `${held}: you may not change it` });

function scopeExcess(actor: ActorPermissions, key: KeyReach): Excess[] {
  return key.scopes
    .filter((s) => !coveredByAny(actor.scopes, s))
    .map((s) => excess(['scopes'], `You do not hold scope ${s}`, `The key holds scope ${s}, which you do not`));
}

function resourceExcess(actor: Permissions, key: KeyReach): Excess[] {
  const out: Excess[] = [];
  const mapped = (p: Permissions) => (Array.isArray(p.requireMapping) ? p.requireMapping : []);
  const kinds = new Set([...Object.keys(actor.resources), ...Object.keys(key.resources), ...mapped(actor), ...mapped(key)]);
  for (const kind of kinds) {
    if (!isLimited(actor, kind)) continue;
    const ids = Object.hasOwn(key.resources, kind) ? key.resources[kind]! : [];
    if (!isLimited(key, kind) || ids.some((id) => !canAccess(actor, kind, id))) {
      out.push(excess(['resources', kind], `You may only grant ${kind} ids you can access yourself`, `The key reaches ${kind} ids you cannot`));
    }
  }
  // Kinds neither lists: with requireMapping: true the actor reaches none of them, the key every one it does not map.
  if (actor.requireMapping === true && key.requireMapping !== true) {
    out.push(
      excess(
        ['resources'],
        'You reach only the resource kinds you list; the key would reach every kind it does not list',
        'The key reaches resource kinds you cannot',
      ),
    );
  }
  return out;
}

function mcpExcess(actor: McpLimits, key: McpLimits): Excess[] {
  const out: Excess[] = [];
  // A key that may call no tool at all reaches nothing over MCP, whatever its other MCP fields say.
  if (!key.enabled || (key.tools.mode === 'allow' && key.tools.names.length === 0)) return out;
  if (!actor.enabled) out.push(excess(['mcp', 'enabled'], 'You cannot grant MCP access you do not have', 'The key has MCP access you do not have'));
  if (actor.readOnly && !key.readOnly)
    out.push(excess(['mcp', 'readOnly'], 'You hold read-only MCP access', 'The key may call MCP tools that write, which you may not'));
  const allowedByActor = (tool: string) =>
    actor.tools.mode === 'all' || (actor.tools.mode === 'allow' ? actor.tools.names.includes(tool) : !actor.tools.names.includes(tool));
  // Mode 'all' is a deny list with no names.
  const keyDenies = key.tools.mode === 'all' ? [] : key.tools.names;
  const ok =
    (key.tools.mode === 'allow' && key.tools.names.every(allowedByActor)) ||
    (key.tools.mode !== 'allow' && actor.tools.mode !== 'allow' && (actor.tools.mode === 'all' || actor.tools.names.every((t) => keyDenies.includes(t))));
  if (!ok) out.push(excess(['mcp', 'tools'], 'You cannot grant MCP tools you may not use', 'The key may use MCP tools you may not'));
  return out;
}

function expiryExcess(actor: ActorPermissions, key: KeyReach): Excess[] {
  if (!actor.expiresAt) return [];
  if (key.expiresAt && key.expiresAt.getTime() <= actor.expiresAt.getTime()) return [];
  return [excess(['expiresAt'], 'The key must expire no later than you do', 'The key outlives you')];
}

/** True when every address of `inner` lies in `outer` (same family, at least as many fixed bits). */
function rangeWithin(inner: string, outer: string): boolean {
  const a = parseRange(inner);
  const b = parseRange(outer);
  return a !== null && b !== null && a[0].kind() === b[0].kind() && a[1] >= b[1] && a[0].match(b[0] as never, b[1]);
}

function addressExcess(actor: ActorPermissions, key: KeyReach): Excess[] {
  const mine = actor.ipAllowlist ?? [];
  if (mine.length === 0) return [];
  if (key.ipAllowlist.length > 0 && key.ipAllowlist.every((range) => mine.some((outer) => rangeWithin(range, outer)))) return [];
  return [excess(['ipAllowlist'], 'The key must be limited to addresses inside your own allowlist', 'The key is usable from addresses you are not')];
}

const DAY = 86_400_000;
/** The shortest and longest a refill period can last: months run 28 to 31 days. */
const period = (interval: Refill['interval']): [number, number] =>
  interval === 'day' ? [DAY, DAY] : interval === 'month' ? [28 * DAY, 31 * DAY] : [interval, interval];

function creditExcess(actor: ActorPermissions, key: KeyReach): Excess[] {
  if (actor.remaining === undefined || actor.remaining === null) return [];
  const out: Excess[] = [];
  if (key.remaining === null || key.remaining > actor.remaining)
    out.push(excess(['remaining'], 'The key may hold at most your remaining credits', 'The key holds more credits than you'));
  if (key.refill) {
    const mine = actor.refill;
    const slower = mine && (key.refill.interval === mine.interval || period(key.refill.interval)[0] >= period(mine.interval)[1]);
    if (!mine || key.refill.amount > mine.amount || !slower)
      out.push(excess(['refill'], 'The key may refill no more, and no more often, than you', 'The key refills more than you'));
  }
  return out;
}

/** The most requests `limits` admit in any span of `windowMs` (Infinity without limits). */
function mostIn(limits: readonly RateLimit[], windowMs: number): number {
  let most = Infinity;
  for (const l of limits) most = Math.min(most, l.limit * Math.ceil(windowMs / l.windowMs));
  return most;
}

function rateExcess(actor: ActorPermissions, key: KeyReach): Excess[] {
  const mine = actor.rateLimits ?? [];
  if (mine.every((l) => mostIn(key.rateLimits, l.windowMs) <= l.limit)) return [];
  return [excess(['rateLimits'], 'The key must be rate-limited at least as strictly as you are', 'The key is rate-limited less strictly than you')];
}

/** Every dimension in which `key` reaches beyond `actor`; empty when the key is within the actor. */
function excessOf(actor: ActorPermissions, key: KeyReach): Excess[] {
  const actorPerms: Permissions = {
    scopes: actor.scopes,
    roles: [],
    resources: actor.resources ?? {},
    requireMapping: actor.requireMapping ?? false,
    mcp: actor.mcp ?? key.mcp,
  };
  return [
    ...scopeExcess(actor, key),
    ...resourceExcess(actorPerms, key),
    ...(actor.mcp ? mcpExcess(actor.mcp, key.mcp) : []),
    ...expiryExcess(actor, key),
    ...addressExcess(actor, key),
    ...creditExcess(actor, key),
    ...rateExcess(actor, key),
  ];
}

/** True when `key` reaches nothing, in any dimension, that `actor` does not. */
export function isWithin(actor: ActorPermissions, key: KeyReach): boolean {
  return excessOf(actor, key).length === 0;
}

/** A key before and/or after a management call. */
export interface KeyChange {
  /** The key as it is (update, pause, resume, rotate, revoke). */
  before?: KeyReach;
  /** The key as it would be (create, import, update). */
  after?: KeyReach;
}

/**
 * The one no-escalation check. Throws `ESCALATION` when the key as it is (`before`: an actor may
 * not change, pause, rotate or revoke a key that holds more than it does) or as it would be
 * (`after`: an actor may not mint or edit a key into more than it holds) reaches beyond the actor
 * in any dimension: scopes (roles and presets resolved), resources, MCP limits, expiry, IP
 * allowlist, credits and refill, rate limits. A bare `Permissions` is checked as `after`, with no
 * limits (never expires, any address, unlimited credits and rate).
 */
export function assertNoEscalation(actor: ActorPermissions, change: KeyChange | Permissions): void {
  if ('scopes' in change) change = { after: { expiresAt: null, ipAllowlist: [], remaining: null, refill: null, rateLimits: [], ...change } };
  const held = change.before ? excessOf(actor, change.before) : [];
  const issues: FieldIssue[] =
    held.length > 0
      ? held.map((e) => ({ path: e.path, message: e.held }))
      : change.after
        ? excessOf(actor, change.after).map((e) => ({ path: e.path, message: e.grant }))
        : [];
  if (issues.length === 0) return;
  const message = held.length > 0 ? 'The key holds permissions you do not have' : 'The key would hold permissions you do not have';
  throw new KeysmithError('ESCALATION', message, { issues });
}
