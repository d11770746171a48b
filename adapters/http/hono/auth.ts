import type { Context, MiddlewareHandler, Next } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { Keyring } from 'keysmith';
import {
  createAuthenticator,
  createKeyActorResolver,
  type AdminActor,
  type ApiKeyAuthOptions,
  type AuthenticatedKey,
  type AuthOutcome,
  nodeHeader,
  type KeyActorOptions,
  type NodeHeaderSource,
  type RequestAccess,
} from 'keysmith/http';
import { nodeAddress, toResponse } from './respond.js';

/** Variables keysmith sets: `c.get('apiKey')`. Use `new Hono<KeysmithEnv>()` or let a route infer it. */
export type KeysmithVariables = { apiKey: AuthenticatedKey };
export type KeysmithEnv = { Variables: KeysmithVariables };

export interface HonoAuthOptions extends ApiKeyAuthOptions<Context> {
  /** The client address checked against a key's `ipAllowlist`. @default the socket address under @hono/node-server */
  ip?: (c: Context) => string | undefined;
}

/**
 * Verifies the API key of each request and sets `c.get('apiKey')`, or answers 400/401/403/429/503
 * per RFC 6750. Options are checked here, once: a bad scope or query throws at startup. Used
 * again on a route under an earlier `apiKeyAuth`, it only adds its own checks to the key already
 * verified (no second lookup, no second credit).
 *
 * @example
 * app.use('/api/*', apiKeyAuth(keyring, { scopes: ['docs:read'] }));
 * app.get('/api/me', (c) => c.json({ id: c.get('apiKey').key.id }));
 * @throws KeysmithError CONFIG or INVALID_QUERY for bad options
 */
export function apiKeyAuth(keyring: Pick<Keyring, 'verify'>, options: HonoAuthOptions = {}): MiddlewareHandler<KeysmithEnv> {
  const authenticator = honoAuthenticator(keyring, options);
  // Not an async function: a cache hit answers synchronously and only `next()` is awaited (by Hono).
  return createMiddleware<KeysmithEnv>(function apiKeyAuth(c, next) {
    let outcome: ReturnType<typeof authenticator.authenticateNow>;
    try {
      outcome = authenticator.authenticateNow(c);
    } catch (error) {
      return Promise.reject(error);
    }
    return outcome instanceof Promise ? outcome.then((settled) => proceed(c, next, settled)) : proceed(c, next, outcome);
  });
}

/**
 * `apiKeyAuth` as a wrapper around one route's handler instead of a middleware: the route then has a
 * single handler, which Hono runs on its fast path (no middleware chain, no promise for a cached
 * key). Same checks, answers and `c.get('apiKey')`. For hot routes; `apiKeyAuth` for everything else.
 *
 * @example
 * app.get('/api/me', withApiKey(keyring, { scopes: ['docs:read'] }, (c) => c.json({ id: c.get('apiKey').key.id })));
 * @throws KeysmithError CONFIG or INVALID_QUERY for bad options
 */
export function withApiKey<E extends KeysmithEnv, P extends string = string>(
  keyring: Pick<Keyring, 'verify'>,
  options: HonoAuthOptions,
  handler: (c: Context<E, P>) => Response | Promise<Response>,
): (c: Context<E, P>) => Response | Promise<Response> {
  const authenticator = honoAuthenticator(keyring, options);
  const run = (c: Context<E, P>, outcome: AuthOutcome): Response | Promise<Response> => {
    if (!outcome.ok) return toResponse(outcome.answer);
    c.set('apiKey', outcome.apiKey);
    return handler(c);
  };
  return function withApiKey(c) {
    const outcome = authenticator.authenticateNow(c as unknown as Context);
    return outcome instanceof Promise ? outcome.then((settled) => run(c, settled)) : run(c, outcome);
  };
}

/** The framework-neutral guard over a Hono context: what `apiKeyAuth` and `withApiKey` share. */
function honoAuthenticator(keyring: Pick<Keyring, 'verify'>, options: HonoAuthOptions) {
  const access: RequestAccess<Context> = { header: readHeader, ip: options.ip ?? socketAddress, current: attachedKey };
  return createAuthenticator<Context>(keyring, options, access);
}

const settledVoid = (): undefined => undefined;

/**
 * Attaches the key and runs the rest of the chain, or answers the refusal. `next()`'s result (the
 * context) is not passed on: Hono would take a middleware's resolved value for its response.
 */
function proceed(c: Context, next: Next, outcome: AuthOutcome): Promise<Response | undefined> {
  if (!outcome.ok) return Promise.resolve(toResponse(outcome.answer));
  c.set('apiKey', outcome.apiKey);
  return next().then(settledVoid);
}

/**
 * Under @hono/node-server (`c.env.incoming`), the header straight from Node's request (every line,
 * see `nodeHeader`): no Fetch `Headers` object per request. Elsewhere, Hono's own reader.
 */
const readHeader = (c: Context, name: string) => {
  const incoming = (c.env as { incoming?: NodeHeaderSource } | undefined)?.incoming;
  return incoming !== undefined && Array.isArray(incoming.rawHeaders) ? nodeHeader(incoming, name) : c.req.header(name);
};
const socketAddress = (c: Context) => nodeAddress(c.env);
/** c.get is typed as always set; before the first keysmith middleware it is undefined. */
const attachedKey = (c: Context): AuthenticatedKey | undefined => c.get('apiKey');

/**
 * An `authorize` for `adminApp`: a keysmith key holding `keys:manage` (or `scope`) acts as an
 * admin of its own tenant, never granting more than it holds.
 */
export function authorizeWithKey(
  keyring: Pick<Keyring, 'verify'>,
  options: KeyActorOptions & { ip?: (c: Context) => string | undefined } = {},
): (c: Context) => Promise<AdminActor | null> {
  const resolve = createKeyActorResolver(keyring, options);
  const ipOf = options.ip ?? ((c: Context) => nodeAddress(c.env));
  return (c) => resolve({ header: (name) => c.req.header(name), ip: ipOf(c) });
}
