import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { KeysmithError, type Keyring } from 'keysmith';
import {
  createAuthenticator,
  createKeyActorResolver,
  nodeHeader,
  nodeHeaderReader,
  type AdminActor,
  type ApiKeyAuthOptions,
  type AuthenticatedKey,
  type AuthOutcome,
  type KeyActorOptions,
  type RequestAccess,
} from 'keysmith/http';
import { sendAnswer } from './send.js';

export interface FastifyAuthOptions extends ApiKeyAuthOptions<FastifyRequest> {
  /** The client address checked against a key's `ipAllowlist`. @default request.ip (honours `trustProxy`) */
  ip?: (request: FastifyRequest) => string | undefined;
}

export interface KeysmithPluginOptions {
  keyring: Pick<Keyring, 'verify'>;
  /** Defaults for every `requireApiKey(…)` (realm, header, ip…); a route's own options win. */
  defaults?: Omit<FastifyAuthOptions, 'scopes' | 'anyScopes' | 'query' | 'resource' | 'cost'>;
}

/**
 * What `requireApiKey` returns: a preHandler. Fastify calls it with `done`, and a request whose key
 * is answered from the cache finishes synchronously (no promise). Called without `done` (from an
 * application's own hook), it returns a promise, as an async hook would.
 */
export type ApiKeyPreHandler = (request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction) => Promise<void> | undefined;

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by `requireApiKey` once the key is verified; null on routes without it. */
    apiKey: AuthenticatedKey | null;
  }
  interface FastifyInstance {
    /**
     * A preHandler that verifies the request's API key and sets `request.apiKey`, or answers
     * 400/401/403/429/503 per RFC 6750. Options are checked once, here.
     * @throws KeysmithError CONFIG or INVALID_QUERY for bad options
     */
    requireApiKey(options?: FastifyAuthOptions): ApiKeyPreHandler;
  }
}

/**
 * Decorates `request.apiKey` and adds `app.requireApiKey(options)`. Wrapped with fastify-plugin,
 * so both reach the scope that registered it.
 *
 * @example
 * await app.register(keysmithPlugin, { keyring });
 * app.get('/docs', { preHandler: app.requireApiKey({ scopes: ['docs:read'] }) }, (request) => request.apiKey?.key.id);
 */
export const keysmithPlugin = fp<KeysmithPluginOptions>(
  async (app: FastifyInstance, options: KeysmithPluginOptions) => {
    if (!options?.keyring || typeof options.keyring.verify !== 'function') throw new KeysmithError('CONFIG', 'keysmithPlugin needs { keyring }');
    const { keyring, defaults = {} } = options;
    app.decorateRequest('apiKey', null);
    app.decorate('requireApiKey', (routeOptions: FastifyAuthOptions = {}): ApiKeyPreHandler => {
      const merged: FastifyAuthOptions = { ...defaults, ...routeOptions };
      const access: RequestAccess<FastifyRequest> = { header: readHeader, ip: merged.ip ?? requestIp, current: attachedKey };
      const authenticator = createAuthenticator<FastifyRequest>(keyring, merged, access);
      // Not an async function: Fastify runs a preHandler that takes `done` without a promise, so a
      // cache hit costs no promise and no microtask (an async hook costs several).
      return function requireApiKey(request: FastifyRequest, reply: FastifyReply, done?: HookHandlerDoneFunction): Promise<void> | undefined {
        if (done === undefined) return authenticator.authenticate(request).then((outcome) => finish(request, reply, outcome));
        let outcome: ReturnType<typeof authenticator.authenticateNow>;
        try {
          outcome = authenticator.authenticateNow(request);
        } catch (error) {
          done(error as Error);
          return undefined;
        }
        if (outcome instanceof Promise) outcome.then((settled) => finish(request, reply, settled, done), done);
        else finish(request, reply, outcome, done);
        return undefined;
      };
    });
  },
  { fastify: '5.x', name: 'keysmith' },
);

/**
 * Attaches the key and continues, or answers the refusal. In the callback style (`done`), a hook
 * that answers must not call `done`: Fastify skips the handler once the reply is sent.
 */
function finish(request: FastifyRequest, reply: FastifyReply, outcome: AuthOutcome, done?: HookHandlerDoneFunction): void {
  if (!outcome.ok) {
    sendAnswer(reply, outcome.answer);
    return;
  }
  request.apiKey = outcome.apiKey;
  done?.();
}

/** Node's `headers` keeps only the first of repeated lines; `nodeHeader` reads them all. */
const readHeader = (request: FastifyRequest, name: string) => nodeHeader(request.raw, name);
/** `request.ip` honours `trustProxy`; read only for a key with an allowlist. */
const requestIp = (request: FastifyRequest) => request.ip;
const attachedKey = (request: FastifyRequest) => request.apiKey;

/**
 * An `authorize` for `keysmithAdmin`: a keysmith key holding `keys:manage` (or `scope`) acts as an
 * admin of its own tenant, never granting more than it holds.
 */
export function authorizeWithKey(
  keyring: Pick<Keyring, 'verify'>,
  options: KeyActorOptions & { ip?: (request: FastifyRequest) => string | undefined } = {},
): (request: FastifyRequest) => Promise<AdminActor | null> {
  const resolve = createKeyActorResolver(keyring, options);
  const ipOf = options.ip ?? ((request: FastifyRequest) => request.ip);
  return (request) => resolve({ header: nodeHeaderReader(request.raw), ip: ipOf(request) });
}
