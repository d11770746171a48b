import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Keyring } from 'keysmith';
import { createAdminHandler, nodeHeaderReader, type AdminOptions, type BodySource } from 'keysmith/http';
import { sendAnswer } from './send.js';

/** Whether something upstream (e.g. `express.json()`) already consumed the body. */
function bodySource(req: Request): BodySource {
  if (req.body !== undefined) return { kind: 'parsed', value: req.body };
  if (req.readableEnded) return { kind: 'none' };
  return { kind: 'stream', stream: req };
}

/**
 * The admin API (create, list, get, update, revoke, pause/resume, rotate), mounted where you like.
 * It reads its own JSON body (64 KiB at most), so it needs no body parser; mount it before a global
 * `express.json()` to get its 413/400 answers rather than the parser's.
 *
 * @example
 * app.use('/admin', adminRouter(keyring, { authorize: (req) => sessionActor(req) }));
 */
export function adminRouter(keyring: Keyring, options: AdminOptions<Request>): RequestHandler {
  const handle = createAdminHandler<Request>(keyring, options);
  return (req: Request, res: Response, next: NextFunction) => {
    const q = req.url.indexOf('?');
    handle(req, {
      method: req.method,
      path: req.path,
      query: q === -1 ? '' : req.url.slice(q + 1),
      header: nodeHeaderReader(req),
      body: bodySource(req),
      basePath: req.baseUrl,
    })
      .then((answer) => sendAnswer(res, answer))
      .catch(next);
  };
}
