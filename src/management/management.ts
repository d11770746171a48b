import { z } from 'zod';
import { KeysmithError, shown, type FieldIssue } from '../errors/errors.js';
import { assertNoEscalation, reachOf, type KeyReach } from '../permissions/escalation.js';
import type { KeysmithEvent } from '../events/events.js';
import type { Hasher, TokenHasher } from '../token/hash.js';
import { importedIdFromSha256Hex, IMPORT_SCHEMES } from '../token/imported.js';
import { parseDuration } from './duration.js';
import { applyPreset, type Policy } from '../permissions/policy.js';
import { refillPeriodStart } from '../verify/refill.js';
import type { KeyStore } from '../store/store.js';
import { isKeyId, isValidPrefix, mintToken } from '../token/token.js';
import { viewOf, type ApiKeyView, type ApiKeyRecord, type KeyPatch, type ListResult } from '../store/record.js';
import type { ResolvedDefaults } from './create-defaults.js';
import { supersededIssues, touchesLife } from './superseded.js';
import { KEY_STATUSES, keyStatus } from '../store/status.js';
import {
  createKeyInputSchema,
  idString,
  isPlausibleId,
  MAX_DATE_MS,
  MAX_VERSION,
  parseOrThrow,
  searchText,
  resourceKind,
  updateKeyInputSchema,
  validationError,
} from './validation.js';
import type { CallerOptions, CreateOptions, ListOptions, UpdateOptions } from './inputs.js';

export interface ManagementDeps {
  store: KeyStore;
  prefix: string;
  tokenHasher: TokenHasher;
  hasher: Hasher;
  policy: Policy;
  /** The keyring's `createDefaults`, already checked. */
  defaults: ResolvedDefaults;
  /**
   * Forgets a changed key here and on every other instance. Called only with the id of a key whose
   * change the store has just confirmed: a failed call (another tenant's id, a lost race, any string
   * in a path) evicts nothing and publishes nothing.
   */
  changed: (id: string) => void;
  now: () => number;
  emit: (event: KeysmithEvent) => void;
  guarded: <T>(operation: string, run: () => Promise<T>) => Promise<T>;
}

const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
const statusList = z.preprocess(
  (v) => (typeof v === 'string' ? v.split(',') : v),
  z
    .array(z.enum(KEY_STATUSES, { error: 'One of active, paused, expired, revoked (comma-separated for several)' }))
    .min(1)
    .max(4),
);
/** `kind:id`, e.g. `project:p1` (the id may itself contain ":"). */
const resourceFilter = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}:[^\u0000-\u001f]{1,256}$/, 'Use kind:id, e.g. "project:p1"')
  .transform((v) => {
    const at = v.indexOf(':');
    return { kind: resourceKind.parse(v.slice(0, at)), id: v.slice(at + 1) };
  });

/**
 * The query of `keyring.list` and of `GET /keys`. Query-string forms are accepted too
 * (`page=2`, `includeRevoked=true`, `status=active,paused`).
 */
export const listQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1).max(1_000_000).default(1),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  search: searchText(100).optional(),
  /** Also list revoked keys. Ignored when `status` is given. @default false */
  includeRevoked: flag.default(false).describe('Also list revoked keys (ignored when status is given)'),
  /** `false` leaves expired keys out of the list. Ignored when `status` is given. @default true */
  includeExpired: flag.default(true).describe('false leaves expired keys out (ignored when status is given)'),
  /** Only keys in these derived states: `'active'`, `['active', 'paused']`, or `'active,paused'`. */
  status: statusList.optional().describe('Only keys in these derived states; in a query string comma-separated: status=active,paused'),
  /** Only keys limited to this resource: `'project:p1'` lists keys whose `resources.project` names `p1`. */
  resource: resourceFilter.optional().describe('kind:id, e.g. project:p1: only keys whose resources[kind] names that id'),
  ownerId: idString.optional(),
});

/** One page of `list`: the keys (redacted, with `status`), the total that matches, and the page asked for. */
export interface KeyPage extends ListResult<ApiKeyView> {
  /** The page asked for, from 1. */
  page: number;
  /** Keys per page asked for. */
  limit: number;
}

export const importKeyInputSchema = createKeyInputSchema.and(
  z.strictObject({
    hash: z.string().regex(/^[0-9a-fA-F]{64}$/, 'A SHA-256 hex digest (64 hex characters)'),
    scheme: z.enum(IMPORT_SCHEMES),
    prefix: z.string().refine(isValidPrefix, 'Letters, digits and "_"').optional(),
    preview: z
      .string()
      .min(1)
      .max(64)
      .regex(/^[^\u0000-\u001f]*$/)
      .optional(),
  }),
);

function splitCaller<T extends CallerOptions>(input: T): [Omit<T, keyof CallerOptions>, CallerOptions] {
  if (typeof input !== 'object' || input === null) return [input, {}];
  const { actor, actorId, ...rest } = input;
  return [rest, { actor, actorId }];
}

export function createManagement(deps: ManagementDeps) {
  const { store, policy, defaults, changed, now, emit, guarded } = deps;

  /** A key as management calls return it: redacted, with its derived status. */
  const view = (record: ApiKeyRecord): ApiKeyView => viewOf(record, keyStatus(record, now()));

  const checkPermissionFields = (fields: Pick<ApiKeyRecord, 'scopes' | 'roles'>): void => {
    const issues: FieldIssue[] = [...policy.scopeIssues(fields.scopes), ...policy.roleIssues(fields.roles)];
    if (issues.length) throw validationError(issues);
  };

  const presetOrThrow = (name: string | null | undefined) => {
    if (name == null) return undefined;
    const preset = policy.preset(name);
    if (!preset) throw validationError([{ path: ['preset'], message: `Unknown preset ${shown(name)}` }]);
    return preset;
  };

  /** What a record reaches in every dimension the no-escalation rule compares. */
  const reach = (record: ApiKeyRecord): KeyReach => reachOf(policy.permissionsOf(record), record);

  /** An expiry must lie in the future and no later than 9999-12-31 (a duration can overshoot it, even to an Invalid Date). */
  const futureOrThrow = (date: Date | null | undefined, path: string): void => {
    if (date && !(date.getTime() <= MAX_DATE_MS)) throw validationError([{ path: [path], message: 'Must be no later than 9999-12-31' }]);
    if (date && date.getTime() <= now()) throw validationError([{ path: [path], message: 'Must be in the future' }]);
  };

  /** Builds a complete new record from validated create input (shared by create and import). */
  const buildRecord = (
    input: z.output<typeof createKeyInputSchema>,
    caller: CallerOptions,
    identity: Pick<ApiKeyRecord, 'id' | 'prefix' | 'preview' | 'hash'>,
  ): ApiKeyRecord => {
    const presetName = input.preset ?? defaults.preset;
    const preset = presetOrThrow(presetName);
    const fields = applyPreset(preset, input, defaults.fields);
    const requireMapping = input.requireMapping ?? preset?.requireMapping ?? defaults.requireMapping;
    checkPermissionFields(fields);
    const createdAt = new Date(now());
    // An explicit `expiresAt: null` means "never": the default expiry applies only to keys that say nothing.
    const duration = input.expiresIn ?? (input.expiresAt === undefined ? defaults.expiresIn : undefined);
    const expiresIn = duration === undefined ? null : parseDuration(duration);
    const expiresAt = input.expiresAt ?? (expiresIn === null ? null : new Date(createdAt.getTime() + expiresIn));
    futureOrThrow(expiresAt, input.expiresIn === undefined ? 'expiresAt' : 'expiresIn');
    const refill = input.refill !== undefined ? input.refill : (preset?.refill ?? null);
    // One literal, every field in ApiKeyRecord's order, no spread: V8 builds it with a fixed shape
    // (a spread followed by many properties takes a slow path on Node 20, 4-5x slower create).
    const record: ApiKeyRecord = {
      id: identity.id,
      tenantId: input.tenantId,
      name: input.name,
      prefix: identity.prefix,
      preview: identity.preview,
      hash: identity.hash,
      scopes: fields.scopes,
      roles: fields.roles,
      preset: presetName ?? null,
      resources: fields.resources,
      requireMapping,
      mcp: fields.mcp,
      enabled: true,
      expiresAt,
      revokedAt: null,
      revokedBy: null,
      createdAt,
      createdBy: input.createdBy ?? caller.actorId ?? null,
      updatedAt: null,
      lastUsedAt: null,
      ownerId: input.ownerId ?? null,
      ipAllowlist: input.ipAllowlist ?? [],
      remaining: input.remaining !== undefined ? input.remaining : (preset?.remaining ?? null),
      refill,
      refilledAt: refill ? refillPeriodStart(refill, createdAt.getTime(), createdAt) : null,
      rateLimits: input.rateLimits ?? preset?.rateLimits ?? [],
      // Validated plain JSON (metadataSchema): a JSON round trip deep-copies it (-0 becomes 0, as in every JSON store), far cheaper than structuredClone.
      metadata: input.metadata === undefined ? {} : (JSON.parse(JSON.stringify(input.metadata)) as Record<string, unknown>),
      supersededBy: null,
      version: 1,
    };
    if (caller.actor) assertNoEscalation(caller.actor, { after: reach(record) });
    return record;
  };

  const mint = () => {
    const minted = mintToken(deps.prefix);
    return { token: minted.token, identity: { id: minted.id, prefix: deps.prefix, preview: minted.preview, hash: deps.tokenHasher.hash(minted.token) } };
  };

  /** Whether an id is worth asking the store about: anything that cannot be a key id is NOT_FOUND at once. */
  const addressable = (tenantId: unknown, id: unknown): boolean => isPlausibleId(tenantId) && isKeyId(id);

  /** The current record of a live key in the tenant, or NOT_FOUND (another tenant's key looks the same). */
  const liveOrThrow = async (tenantId: string, id: string): Promise<ApiKeyRecord> => {
    const record = addressable(tenantId, id) ? await guarded('get', () => store.get(tenantId, id)) : null;
    if (!record || record.revokedAt) throw new KeysmithError('NOT_FOUND', 'No such key');
    return record;
  };

  /** Applies a guarded update; tells a missing key (404) from a lost race (409). */
  const applyUpdate = async (tenantId: string, id: string, patch: KeyPatch, expectedVersion: number | undefined): Promise<ApiKeyRecord> => {
    const updated = await guarded('update', () => store.update(tenantId, id, patch, expectedVersion));
    if (updated) {
      changed(id);
      return updated;
    }
    const current = await guarded('get', () => store.get(tenantId, id));
    if (!current || current.revokedAt) throw new KeysmithError('NOT_FOUND', 'No such key');
    throw new KeysmithError('VERSION_CONFLICT', `The key was changed by someone else (now at version ${current.version})`);
  };

  const listPage = async (tenantId: string | null, query: ListOptions): Promise<KeyPage> => {
    const q = parseOrThrow(listQuerySchema, query);
    const at = now();
    const result = await guarded('list', () => store.list(tenantId, { ...q, now: new Date(at) }));
    return { items: result.items.map((r) => viewOf(r, keyStatus(r, at))), total: result.total, page: q.page, limit: q.limit };
  };

  const event = (type: 'key.created' | 'key.updated' | 'key.revoked' | 'key.imported', record: ApiKeyRecord, actorId: string | null | undefined) =>
    emit({ type, at: new Date(now()), keyId: record.id, tenantId: record.tenantId, actorId: actorId ?? null });

  return {
    /** Mints a key. The plaintext `token` is returned here once and never again. */
    async create(options: CreateOptions): Promise<{ key: ApiKeyView; token: string }> {
      const [raw, caller] = splitCaller(options);
      const input = parseOrThrow(createKeyInputSchema, raw);
      const { token, identity } = mint();
      const record = buildRecord(input, caller, identity);
      await guarded('insert', () => store.insert(record));
      event('key.created', record, caller.actorId ?? record.createdBy);
      return { key: view(record), token };
    },

    /**
     * Adopts a key minted by another system from the hash it already has (`scheme: 'sha256-hex'`:
     * hex SHA-256 of the whole token, as Unkey and prefixed-api-key store it). Verify finds it when the
     * token matches the keyring's `importedTokens` option. Returns the key; there is no token to show.
     */
    async import(options: z.input<typeof importKeyInputSchema> & CallerOptions): Promise<ApiKeyView> {
      const [raw, caller] = splitCaller(options);
      const input = parseOrThrow(importKeyInputSchema, raw);
      const hex = input.hash.toLowerCase();
      const prefix = input.prefix ?? 'imported';
      const { hash: _h, scheme: _s, prefix: _p, preview, ...create } = input;
      const record = buildRecord(create, caller, { id: importedIdFromSha256Hex(hex), prefix, preview: preview ?? `${prefix}_…`, hash: `sha256:${hex}` });
      await guarded('insert', () => store.insert(record));
      event('key.imported', record, caller.actorId ?? record.createdBy);
      return view(record);
    },

    /** One key of the tenant (revoked ones included, for audit), or null. */
    async get(tenantId: string, id: string): Promise<ApiKeyView | null> {
      if (!addressable(tenantId, id)) return null;
      const record = await guarded('get', () => store.get(tenantId, id));
      return record ? view(record) : null;
    },

    /**
     * One page of the tenant's keys, newest first, each with its derived `status`. By default every
     * key but revoked ones (expired keys included, shown as `expired`); narrow it with `status`,
     * `resource` (`'project:p1'`), `ownerId`, `search`, `includeExpired: false`.
     */
    async list(tenantId: string, query: ListOptions = {}): Promise<KeyPage> {
      if (typeof tenantId !== 'string' || tenantId === '') throw validationError([{ path: ['tenantId'], message: 'Required' }]);
      if (!isPlausibleId(tenantId)) throw validationError([{ path: ['tenantId'], message: 'Not a tenant id (control characters or invalid Unicode)' }]);
      return listPage(tenantId, query);
    },

    /** Super-admin only: every tenant's keys. The admin API guards who may call it. */
    async listAcrossTenants(query: ListOptions = {}): Promise<KeyPage> {
      return listPage(null, query);
    },

    /** Super-admin only: a key by id in whatever tenant holds it. */
    async getAcrossTenants(id: string): Promise<ApiKeyView | null> {
      if (!isKeyId(id)) return null;
      const record = await guarded('findById', () => store.findById(id));
      return record ? view(record) : null;
    },

    /** Changes a live key; with `version`, only if nobody changed it since (else VERSION_CONFLICT). */
    async update(tenantId: string, id: string, options: UpdateOptions): Promise<ApiKeyView> {
      const [raw, caller] = splitCaller(options);
      const input = parseOrThrow(updateKeyInputSchema, raw);
      const current = await liveOrThrow(tenantId, id);
      const { version, preset: presetName, expiresIn, ...fields } = input;
      const patch: KeyPatch = { updatedAt: new Date(now()) };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) (patch as Record<string, unknown>)[k] = v;
      if (expiresIn !== undefined) patch.expiresAt = new Date(now() + parseDuration(expiresIn)!);
      if (presetName !== undefined || fields.scopes || fields.roles || fields.resources || fields.mcp) {
        const merged = applyPreset(presetOrThrow(presetName), fields, current);
        Object.assign(patch, merged);
        if (presetName !== undefined) patch.preset = presetName;
        checkPermissionFields(merged);
      }
      const expiryPath = expiresIn === undefined ? 'expiresAt' : 'expiresIn';
      futureOrThrow(patch.expiresAt, expiryPath);
      const rotatedOut = supersededIssues(current, patch, expiryPath);
      if (rotatedOut.length > 0) throw validationError(rotatedOut);
      if (caller.actor) assertNoEscalation(caller.actor, { before: reach(current), after: reach({ ...current, ...patch }) });
      // With an actor, or a change a rotated-out key refuses, pin the version we checked so a
      // concurrent change (a rotation included) cannot slip past the check.
      const pin = caller.actor || touchesLife(patch) ? current.version : undefined;
      const updated = await applyUpdate(tenantId, id, patch, version ?? pin);
      event('key.updated', updated, caller.actorId);
      return view(updated);
    },

    /**
     * Pause (false) or resume (true) the whole key: HTTP and MCP alike answer `DISABLED` while it is
     * paused. Reversible, unlike revoke, so it is also the "soft revoke" of systems that re-enable keys.
     */
    async setEnabled(tenantId: string, id: string, enabled: boolean, caller: CallerOptions = {}): Promise<ApiKeyView> {
      if (typeof enabled !== 'boolean') throw validationError([{ path: ['enabled'], message: 'Expected a boolean' }]);
      return this.update(tenantId, id, { enabled, ...caller });
    },

    /**
     * Pause (false) or resume (true) MCP access only (`mcp.enabled`): the key keeps working on plain
     * HTTP routes, while MCP endpoints refuse it. The key's `status` stays `active`.
     */
    async setMcpEnabled(tenantId: string, id: string, enabled: boolean, caller: CallerOptions = {}): Promise<ApiKeyView> {
      if (typeof enabled !== 'boolean') throw validationError([{ path: ['enabled'], message: 'Expected a boolean' }]);
      return this.update(tenantId, id, { mcp: { enabled }, ...caller });
    },

    /**
     * Final. A second revoke, or a key of another tenant, answers NOT_FOUND. With `actor`, only a
     * key within the actor's own rights may be revoked (else ESCALATION).
     */
    async revoke(tenantId: string, id: string, options: { by?: string | null } & CallerOptions = {}): Promise<ApiKeyView> {
      const by = options.by ?? options.actorId ?? null;
      if (options.actor) assertNoEscalation(options.actor, { before: reach(await liveOrThrow(tenantId, id)) });
      if (!addressable(tenantId, id)) throw new KeysmithError('NOT_FOUND', 'No such key');
      const revoked = await guarded('revoke', () => store.revoke(tenantId, id, new Date(now()), by));
      if (!revoked) {
        // Already revoked, in this tenant: announce it again, so a revoke whose answer was lost still
        // reaches every cache. A missing key, or another tenant's, changes and announces nothing.
        const current = await guarded('get', () => store.get(tenantId, id));
        if (current?.revokedAt) changed(id);
        throw new KeysmithError('NOT_FOUND', 'No such key');
      }
      changed(id);
      event('key.revoked', revoked, by);
      return view(revoked);
    },

    /**
     * A new key (new id and token) with the same permissions and expiry. The old key keeps working
     * for `graceMs` (never past its own expiry), then answers EXPIRED. Its credits move to the new
     * key exactly once: one atomic store write (`KeyStore.supersede`) takes the old key's balance
     * and leaves it 0, so a verify racing the rotation spends each credit on one key only.
     * State carries over too: the successor of a paused key is paused (and of a key whose MCP access
     * is paused, MCP-paused), so rotating a key paused after a leak never re-opens access; resume
     * the new key when ready. The old key stays paused through its grace period.
     * The old key is then superseded (`supersededBy`): its expiry only moves earlier, it is never
     * resumed, it gets no credits back, and it is never rotated again (VERSION_CONFLICT: rotate its
     * successor). Of rotations that read the same version, exactly one succeeds; the others get
     * VERSION_CONFLICT.
     */
    async rotate(
      tenantId: string,
      id: string,
      options: { graceMs?: number; version?: number } & CallerOptions = {},
    ): Promise<{ key: ApiKeyView; token: string; previous: ApiKeyView }> {
      const graceMs = options.graceMs ?? 0;
      if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw validationError([{ path: ['graceMs'], message: 'A whole number of milliseconds, 0 or more' }]);
      if (options.version !== undefined && !(Number.isSafeInteger(options.version) && options.version >= 1 && options.version <= MAX_VERSION))
        throw validationError([{ path: ['version'], message: `A whole number from 1 to ${MAX_VERSION}` }]);
      const current = await liveOrThrow(tenantId, id);
      // With `version`, rotate only the key as the caller last saw it: of several callers that read
      // the same version, exactly one rotates, however the requests are spread in time.
      if (options.version !== undefined && options.version !== current.version) {
        throw new KeysmithError('VERSION_CONFLICT', `The key was changed by someone else (now at version ${current.version})`);
      }
      if (options.actor) assertNoEscalation(options.actor, { before: reach(current) });
      const at = now();
      // An expired key (its own expiry, or the end of an earlier rotation's grace) has nothing to hand
      // over: its successor would copy the expiry and be born expired.
      if (current.expiresAt && current.expiresAt.getTime() <= at)
        throw validationError([{ path: ['expiresAt'], message: 'The key has expired; create a new key instead' }]);
      if (current.supersededBy !== null)
        throw new KeysmithError('VERSION_CONFLICT', `The key was already rotated (its successor is ${current.supersededBy}); rotate the successor instead`);
      const graceEnd = new Date(Math.min(at + graceMs, current.expiresAt?.getTime() ?? Infinity));
      const { token, identity } = mint();
      // First take the old key's credits (atomically, pinned to the version checked above), then mint
      // the successor with exactly what was taken.
      const handed = await guarded('supersede', () =>
        store.supersede(tenantId, id, { successorId: identity.id, expiresAt: graceEnd, at: new Date(at) }, current.version),
      );
      if (!handed) {
        const latest = await guarded('get', () => store.get(tenantId, id));
        if (!latest || latest.revokedAt) throw new KeysmithError('NOT_FOUND', 'No such key');
        throw new KeysmithError('VERSION_CONFLICT', `The key was changed by someone else (now at version ${latest.version})`);
      }
      changed(id);
      const previous = handed.record;
      const record: ApiKeyRecord = {
        ...current,
        ...identity,
        enabled: current.enabled,
        remaining: handed.remaining,
        refilledAt: handed.refilledAt,
        supersededBy: null,
        createdAt: new Date(at),
        createdBy: options.actorId ?? null,
        updatedAt: null,
        lastUsedAt: null,
        version: 1,
      };
      try {
        await guarded('insert', () => store.insert(record));
      } catch (error) {
        // Put the old key back as it was (with the credits it handed over), so a failed rotation never
        // cuts the caller off. Its balance was 0 meanwhile, so nothing was spent twice.
        const restore: KeyPatch = {
          expiresAt: current.expiresAt,
          remaining: handed.remaining,
          refill: current.refill,
          refilledAt: handed.refilledAt,
          supersededBy: null,
          updatedAt: new Date(now()),
        };
        const restored = await store.update(tenantId, id, restore, previous.version).catch(() => null);
        if (restored) changed(id);
        throw error;
      }
      emit({ type: 'key.rotated', at: new Date(at), keyId: id, newKeyId: record.id, tenantId, actorId: options.actorId ?? null });
      return { key: view(record), token, previous: view(previous) };
    },
  };
}
