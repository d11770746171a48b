import { Hono, type Context, type Env } from 'hono';
import type { Keyring } from 'keysmith';
import { createAdminHandler, mountBase, pathBelowMount, readLimited, MAX_BODY_BYTES, type AdminOptions, type BodySource } from 'keysmith/http';
import { toResponse } from './respond.js';

async function bodySource(c: Context): Promise<BodySource> {
  const raw = c.req.raw;
  if (raw.body === null) return { kind: 'none' };
  // An earlier middleware read it (Hono caches bodies): take the cached bytes, limit still applies.
  if (raw.bodyUsed) return { kind: 'read', result: await readLimited([new Uint8Array(await c.req.arrayBuffer())], MAX_BODY_BYTES) };
  return { kind: 'stream', stream: raw.body };
}

/**
 * The admin API as a Hono sub-app: mount it with `app.route('/admin', adminApp(keyring, { authorize }))`.
 *
 * @example
 * app.route('/admin', adminApp(keyring, { authorize: (c) => sessionActor(c) }));
 */
export function adminApp<E extends Env = Env>(keyring: Keyring, options: AdminOptions<Context<E>>): Hono<E> {
  const handle = createAdminHandler<Context<E>>(keyring, options);
  const app = new Hono<E>();
  app.all('*', async (c) => {
    const url = new URL(c.req.url);
    const body = await bodySource(c);
    const answer = await handle(c, {
      method: c.req.method,
      path: pathBelowMount(url.pathname, c.req.routePath),
      basePath: mountBase(url.pathname, c.req.routePath),
      query: url.search,
      header: (name) => c.req.header(name),
      body,
    });
    const response = toResponse(answer);
    // Answered without reading the body (no session, unknown route…): the node server will drop
    // the unread rest and the socket, so say so rather than let a client pool reuse it.
    if (body.kind === 'stream' && !c.req.raw.bodyUsed) response.headers.set('connection', 'close');
    return response;
  });
  return app;
}
