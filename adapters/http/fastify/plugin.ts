import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { KeysmithError, type Keyring } from 'keysmith';
import {
  createAuthenticator,
  createKeyActorResolver,
  nodeHeaderReader,
  type AdminActor,
  type ApiKeyAuthOptions,
  type AuthenticatedKey,
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
    requireApiKey(options?: FastifyAuthOptions): preHandlerAsyncHookHandler;
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
    app.decorate('requireApiKey', (routeOptions: FastifyAuthOptions = {}): preHandlerAsyncHookHandler => {
      const merged: FastifyAuthOptions = { ...defaults, ...routeOptions };
      const access: RequestAccess<FastifyRequest> = { header: readHeader, ip: merged.ip ?? requestIp, current: attachedKey };
      const authenticator = createAuthenticator<FastifyRequest>(keyring, merged, access);
      return async function requireApiKey(request: FastifyRequest, reply: FastifyReply) {
        const outcome = await authenticator.authenticate(request);
        if (!outcome.ok) return sendAnswer(reply, outcome.answer);
        request.apiKey = outcome.apiKey;
      };
    });
  },
  { fastify: '5.x', name: 'keysmith' },
);

/** Node's `headers` keeps only the first of repeated lines; `headersDistinct` keeps them all (see `nodeHeaderReader`). */
const readHeader = (request: FastifyRequest, name: string) => request.raw.headersDistinct?.[name] ?? request.raw.headers[name];
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
