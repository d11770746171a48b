import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Keyring } from 'keysmith';
import {
  createAuthenticator,
  createKeyActorResolver,
  nodeHeader,
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
  const access: RequestAccess<Request> = { header: nodeHeader, ip: options.ip ?? requestIp, current: attachedKey };
  const authenticator = createAuthenticator<Request>(keyring, options, access);
  // Not an async function: a cached key is answered synchronously (no promise, no microtask), and
  // Express 5 chains a handler on any promise a middleware returns. Failures reach `next` either way.
  return function apiKeyAuth(req: Request, res: Response, next: NextFunction): void {
    let outcome: ReturnType<typeof authenticator.authenticateNow>;
    try {
      outcome = authenticator.authenticateNow(req);
    } catch (error) {
      next(error);
      return;
    }
    if (outcome instanceof Promise) outcome.then((settled) => finishLater(req, res, next, settled), next);
    else finish(req, res, next, outcome);
  };
}

/** Attaches the key and continues, or sends the refusal. */
function finish(req: Request, res: Response, next: NextFunction, outcome: AuthOutcome): void {
  if (!outcome.ok) {
    sendAnswer(res, outcome.answer);
    return;
  }
  req.apiKey = outcome.apiKey;
  next();
}

/** `finish` after a lookup: an exception goes to `next`, as Express does for a synchronous middleware. */
function finishLater(req: Request, res: Response, next: NextFunction, outcome: AuthOutcome): void {
  try {
    finish(req, res, next, outcome);
  } catch (error) {
    next(error);
  }
}

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
