import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Keyring } from 'keysmith';
import {
  createAuthenticator,
  createKeyActorResolver,
  nodeHeaderReader,
  type AdminActor,
  type RequestAccess,
  type ApiKeyAuthOptions,
  type AuthenticatedKey,
  type AuthOutcome,
  type KeyActorOptions,
} from 'keysmith/http';
import { sendAnswer } from './send.js';

declare global {
  namespace Express {
    interface Request {
      /** Set by keysmith's `apiKeyAuth` once the key is verified: the key (no hash) and its permissions. */
      apiKey?: AuthenticatedKey;
    }
  }
}

export interface ExpressAuthOptions extends ApiKeyAuthOptions<Request> {
  /** The client address checked against a key's `ipAllowlist`. @default req.ip (honours Express's `trust proxy`) */
  ip?: (req: Request) => string | undefined;
}

/**
 * Verifies the API key of each request and sets `req.apiKey`, or answers 400/401/403/429/503
 * per RFC 6750. Options are checked here, once: a bad scope or query throws at startup.
 * Used again on a route under an earlier `apiKeyAuth`, it only adds its own checks to the key
 * already verified (no second lookup, no second credit).
 *
 * @example
 * app.use('/api', apiKeyAuth(keyring));
 * app.get('/api/docs', apiKeyAuth(keyring, { scopes: ['docs:read'] }), (req, res) => res.json({ key: req.apiKey?.key.id }));
 * @throws KeysmithError CONFIG or INVALID_QUERY for bad options
 */
export function apiKeyAuth(keyring: Pick<Keyring, 'verify'>, options: ExpressAuthOptions = {}): RequestHandler {
  const access: RequestAccess<Request> = { header: readHeader, ip: options.ip ?? requestIp, current: attachedKey };
  const authenticator = createAuthenticator<Request>(keyring, options, access);
  return async function apiKeyAuth(req: Request, res: Response, next: NextFunction): Promise<void> {
    let outcome: AuthOutcome;
    try {
      outcome = await authenticator.authenticate(req);
    } catch (error) {
      next(error); // Express 4 would drop a rejected promise
      return;
    }
    if (!outcome.ok) return sendAnswer(res, outcome.answer);
    req.apiKey = outcome.apiKey;
    next();
  };
}

/** Node's `headers` keeps only the first of repeated lines; `headersDistinct` keeps them all (see `nodeHeaderReader`). */
const readHeader = (req: Request, name: string) => req.headersDistinct?.[name] ?? req.headers[name];
/** Express's `req.ip` honours `trust proxy`; read only for a key with an allowlist. */
const requestIp = (req: Request) => req.ip;
const attachedKey = (req: Request) => req.apiKey;

/**
 * An `authorize` for `adminRouter`: a keysmith key holding `keys:manage` (or `scope`) acts as an
 * admin of its own tenant, never granting more than it holds.
 */
export function authorizeWithKey(
  keyring: Pick<Keyring, 'verify'>,
  options: KeyActorOptions & { ip?: (req: Request) => string | undefined } = {},
): (req: Request) => Promise<AdminActor | null> {
  const resolve = createKeyActorResolver(keyring, options);
  const ipOf = options.ip ?? ((req: Request) => req.ip);
  return (req) => resolve({ header: nodeHeaderReader(req), ip: ipOf(req) });
}
