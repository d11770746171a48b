/**
 * keysmith/client: a typed client of the admin API for browsers, workers and Node. It imports
 * nothing from Node and no runtime code but keysmith's error class; its types come from the same
 * zod schemas the server validates with (and the OpenAPI document is generated from).
 */
import type { z } from 'zod';
import { KeysmithError, type FieldIssue, type KeysmithErrorCode } from '../errors/errors.js';
import type { rotateBodySchema, toggleBodySchema } from '../http/admin/bodies.js';
import type { ApiKeyJson, CreatedKeyJson, KeyPageJson, RotatedKeyJson } from '../http/admin/wire.js';
import type { listQuerySchema } from '../management/management.js';
import type { createKeyInputSchema, updateKeyInputSchema } from '../management/validation.js';

export type { ApiKeyJson, CreatedKeyJson, KeyPageJson, RotatedKeyJson };
export { KeysmithError, isKeysmithError, type FieldIssue, type KeysmithErrorCode } from '../errors/errors.js';

/** The body of `create`: what `keyring.create` takes, minus what the session decides (tenant, creator). */
export type CreateKeyBody = Omit<z.input<typeof createKeyInputSchema>, 'tenantId' | 'createdBy'>;
/** The body of `update`. Send `version` to refuse a concurrent change (409). */
export type UpdateKeyBody = z.input<typeof updateKeyInputSchema>;
/** The body of `setEnabled` besides `enabled`: `target: 'mcp'` pauses MCP access only. */
export type SetEnabledOptions = Omit<z.input<typeof toggleBodySchema>, 'enabled'>;
/** The body of `rotate`: `graceMs` for the old token, `version` last seen. */
export type RotateKeyBody = z.input<typeof rotateBodySchema>;
type ListInput = z.input<typeof listQuerySchema>;
/** The query of `list`: `page`, `limit`, `search`, `status`, `resource` (`kind:id`), `ownerId`, … */
export type ListKeysQuery = { [K in keyof ListInput]?: unknown extends ListInput[K] ? z.output<typeof listQuerySchema>[K] : ListInput[K] };

export interface AdminClientOptions {
  /** Where the admin API is mounted, e.g. `"https://app.example/admin"` or `"/admin"` in a browser. */
  baseUrl: string | URL;
  /** Sent with every request (a CSRF header such as `X-Keysmith-Client: 1`, an Authorization header…); a function is called per request. */
  headers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The key routes of one tenant: the caller's own (`admin`), or one by id (`admin.forTenant(id)`). */
export interface TenantKeysClient {
  /** `GET /keys`: one page of keys (redacted). */
  list(query?: ListKeysQuery): Promise<KeyPageJson>;
  /** `GET /keys/:id`: one key (revoked ones too). */
  get(id: string): Promise<ApiKeyJson>;
  /** `POST /keys`: a new key and its plaintext token, shown this once. */
  create(input: CreateKeyBody): Promise<CreatedKeyJson>;
  /** `PATCH /keys/:id`. */
  update(id: string, patch: UpdateKeyBody): Promise<ApiKeyJson>;
  /** `DELETE /keys/:id`: final. */
  revoke(id: string): Promise<void>;
  /** `POST /keys/:id/toggle-active` with `{ enabled }`: pause (false) or resume (true). */
  setEnabled(id: string, enabled: boolean, options?: SetEnabledOptions): Promise<ApiKeyJson>;
  /** `POST /keys/:id/rotate`: a new key and token; the old token works for `graceMs`. */
  rotate(id: string, options?: RotateKeyBody): Promise<RotatedKeyJson>;
}

export interface AdminClient extends TenantKeysClient {
  /** The same calls on `/tenants/:tenantId/keys…` (a super-admin: any tenant; others: only their own). */
  forTenant(tenantId: string): TenantKeysClient;
  /** `GET /admin/keys`: every tenant's keys (super-admin). */
  listAll(query?: ListKeysQuery): Promise<KeyPageJson>;
  /** `GET /admin/keys/:id`: a key of any tenant (super-admin). */
  getAny(id: string): Promise<ApiKeyJson>;
  /** `DELETE /admin/keys/:id`: revoke a key of any tenant (super-admin). */
  revokeAny(id: string): Promise<void>;
}

/** A failed admin call: keysmith's error with the server's `code` and field `issues`, plus the HTTP status. */
export class AdminApiError extends KeysmithError {
  /** The HTTP status the server answered. */
  readonly status: number;
  constructor(status: number, code: KeysmithErrorCode, message: string, issues: FieldIssue[]) {
    super(code, message, { issues });
    this.name = 'AdminApiError';
    this.status = status;
  }
}

const segment = (value: string) => encodeURIComponent(value);

function queryString(query: ListKeysQuery | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    params.set(
      name,
      Array.isArray(value)
        ? value.join(',')
        : typeof value === 'object' && value !== null
          ? `${(value as { kind: string }).kind}:${(value as { id: string }).id}`
          : String(value),
    );
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/**
 * A client of the admin API mounted at `baseUrl`, one method per route. Failures throw
 * `AdminApiError` (a `KeysmithError`) with the server's code and field issues; a network failure
 * throws what `fetch` threw.
 *
 * @example
 * const admin = createAdminClient({ baseUrl: '/admin', headers: { 'X-Keysmith-Client': '1' } });
 * const { key, token } = await admin.create({ name: 'ci', scopes: ['docs:read'], expiresIn: '30d' });
 */
export function createAdminClient(options: AdminClientOptions): AdminClient {
  const base = String(options.baseUrl).replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));

  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers = new Headers(typeof options.headers === 'function' ? await options.headers() : options.headers);
    headers.set('accept', 'application/json');
    if (body !== undefined) headers.set('content-type', 'application/json');
    const res = await doFetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const error = (json as { error?: { code?: unknown; message?: unknown; issues?: unknown } } | undefined)?.error;
      const code = typeof error?.code === 'string' ? (error.code as KeysmithErrorCode) : res.status >= 500 ? 'INTERNAL' : 'VALIDATION';
      const message = typeof error?.message === 'string' ? error.message : `The admin API answered ${res.status}`;
      throw new AdminApiError(res.status, code, message, Array.isArray(error?.issues) ? (error.issues as FieldIssue[]) : []);
    }
    return json as T;
  }

  const keys = (prefix: string): TenantKeysClient => ({
    list: (query) => call('GET', `${prefix}/keys${queryString(query)}`),
    get: (id) => call('GET', `${prefix}/keys/${segment(id)}`),
    create: (input) => call('POST', `${prefix}/keys`, input),
    update: (id, patch) => call('PATCH', `${prefix}/keys/${segment(id)}`, patch),
    revoke: (id) => call('DELETE', `${prefix}/keys/${segment(id)}`),
    setEnabled: (id, enabled, more) => call('POST', `${prefix}/keys/${segment(id)}/toggle-active`, { ...more, enabled }),
    rotate: (id, body) => call('POST', `${prefix}/keys/${segment(id)}/rotate`, body ?? {}),
  });

  return {
    ...keys(''),
    forTenant: (tenantId) => keys(`/tenants/${segment(tenantId)}`),
    listAll: (query) => call('GET', `/admin/keys${queryString(query)}`),
    getAny: (id) => call('GET', `/admin/keys/${segment(id)}`),
    revokeAny: (id) => call('DELETE', `/admin/keys/${segment(id)}`),
  };
}
