// The admin console behind a (demo) cookie login: `npx tsx examples/console/server.ts`, then open
// http://127.0.0.1:3000/ and sign in. PORT changes the port. The page is built at package build time:
// run `npm run build` (or `npx tsx scripts/build-console.ts`) once in a fresh checkout.
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import express, { type Request } from 'express';
import { createKeyring } from 'keysmith';
import { adminRouter, apiKeyAuth } from 'keysmith/express';
import type { AdminActor } from 'keysmith/http';
import { memoryStore } from 'keysmith/memory';

/** Demo users. A real app has its own accounts and roles; the console only sees what `authorize` returns. */
const USERS: Record<string, AdminActor> = {
  alice: { actorId: 'alice', tenantId: 'acme' },
  // Holds notes:read only: she sees every key of acme but may change only those within her rights.
  rita: { actorId: 'rita', tenantId: 'acme', scopes: ['notes:read'] },
};

const SESSION = 'demo_session';

/** The session id from the Cookie header (no cookie-parser needed for one cookie). */
function sessionId(req: Request): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === SESSION) return value.join('=');
  }
  return undefined;
}

const LOGIN_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in</title></head><body><main><h1>keysmith console demo</h1>
<form method="post" action="/login"><label for="user">User</label> <select id="user" name="user">
<option value="alice">alice (tenant admin)</option><option value="rita">rita (notes:read only)</option></select>
<button type="submit">Sign in</button></form></main></body></html>`;

export async function start({ port = 3000, host = '127.0.0.1' } = {}) {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_demo', scopes: ['notes:read', 'notes:write', 'billing:read'] });
  const sessions = new Map<string, AdminActor>();

  const app = express();
  app.get('/', (_req, res) => void res.type('html').send(LOGIN_PAGE));
  // Demo login: a random session id in an HttpOnly, SameSite=Strict cookie. Use your real login here.
  app.post('/login', express.urlencoded({ extended: false, limit: '1kb' }), (req, res) => {
    const user = String((req.body as { user?: unknown }).user ?? '');
    if (!Object.hasOwn(USERS, user)) return void res.status(400).send('Unknown user');
    const id = randomBytes(24).toString('base64url');
    sessions.set(id, USERS[user]!);
    res.setHeader('set-cookie', `${SESSION}=${id}; HttpOnly; SameSite=Strict; Path=/`);
    res.redirect(303, '/admin/console');
  });
  app.post('/logout', (req, res) => {
    sessions.delete(sessionId(req) ?? '');
    res.setHeader('set-cookie', `${SESSION}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0`);
    res.redirect(303, '/');
  });

  // The API the keys are for.
  app.get('/api/notes', apiKeyAuth(keyring, { scopes: ['notes:read'] }), (req, res) => void res.json({ tenant: req.apiKey?.key.tenantId, notes: [] }));

  // The admin API and its console. The cookie signs the user in; `console: true` also turns on the
  // CSRF header, so a cross-site page cannot use that cookie to change keys.
  app.use(
    '/admin',
    adminRouter(keyring, {
      authorize: (req) => sessions.get(sessionId(req) ?? '') ?? null,
      console: true,
    }),
  );

  const server = app.listen(port, host);
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start({ port: Number(process.env.PORT ?? 3000) });
  console.log(`Open ${url}/ and sign in; the console is at ${url}/admin/console`);
}
