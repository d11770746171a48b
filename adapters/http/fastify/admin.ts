import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { KeysmithError, type Keyring } from 'keysmith';
import {
  bodyTimeoutOf,
  createAdminHandler,
  nodeHeaderReader,
  errorToAnswer,
  mountBase,
  pathBelowMount,
  readLimited,
  MAX_BODY_BYTES,
  type AdminOptions,
  type BodySource,
  type LimitedRead,
} from 'keysmith/http';
import { sendAnswer } from './send.js';

export interface KeysmithAdminOptions extends AdminOptions<FastifyRequest> {
  keyring: Keyring;
}

/** Marks a body read by our own parser, so a stray object can never pass for one. */
class ReadBody {
  constructor(readonly result: LimitedRead) {}
}

/**
 * The admin API as an encapsulated plugin; register it with `prefix`. It replaces Fastify's body
 * parsers inside its own scope only, so bodies obey the same 64 KiB / JSON rules as in Express
 * and Hono (413, 415 and 400 with one JSON shape).
 *
 * @example
 * await app.register(keysmithAdmin, { keyring, authorize: (request) => sessionActor(request), prefix: '/admin' });
 */
export async function keysmithAdmin(app: FastifyInstance, options: KeysmithAdminOptions): Promise<void> {
  if (!options?.keyring) throw new KeysmithError('CONFIG', 'keysmithAdmin needs { keyring, authorize }');
  const handle = createAdminHandler<FastifyRequest>(options.keyring, options);
  app.removeAllContentTypeParsers();
  const bodyTimeoutMs = bodyTimeoutOf(options);
  app.addContentTypeParser(
    '*',
    async (_request: FastifyRequest, payload: AsyncIterable<Uint8Array>) => new ReadBody(await readLimited(payload, MAX_BODY_BYTES, bodyTimeoutMs)),
  );
  app.setErrorHandler((error, _request, reply) => sendAnswer(reply, errorToAnswer(error, options.onError)));

  const route = async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.url;
    const q = url.indexOf('?');
    const body: BodySource = request.body instanceof ReadBody ? { kind: 'read', result: request.body.result } : { kind: 'none' };
    const answer = await handle(request, {
      method: request.method,
      path: pathBelowMount(url, request.routeOptions.url ?? '/'),
      basePath: mountBase(url, request.routeOptions.url ?? '/'),
      query: q === -1 ? '' : url.slice(q + 1),
      header: nodeHeaderReader(request.raw),
      body,
    });
    return sendAnswer(reply, answer);
  };
  app.all('/', route);
  app.all('/*', route);
}
