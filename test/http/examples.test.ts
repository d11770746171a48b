import { describe, expect, it } from 'vitest';
import { defaultStore } from '../../examples/default-store.js';
import { start as startExpress } from '../../examples/express/server.js';
import { start as startFastify } from '../../examples/fastify/server.js';
import { start as startHono } from '../../examples/hono/server.js';
import { START_TIMEOUT } from '../support/pg.js';
import { freshPGlite } from '../support/pglite.js';

// Each example runs on its default store, on a PGlite started from the test template (support/pglite.ts).
describe.concurrent.each([
  ['express', startExpress],
  ['fastify', startFastify],
  ['hono', startHono],
])('examples/%s/server.ts', (_name, start) => {
  it('starts on 127.0.0.1 and answers the printed curl lines', { timeout: START_TIMEOUT }, async () => {
    const db = await freshPGlite();
    const { url, adminToken, readerToken, close } = await start({ port: 0, store: await defaultStore(db) });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const notes = await fetch(`${url}/api/notes`, { headers: { authorization: `Bearer ${readerToken}` } });
      expect(await notes.json()).toEqual({ tenant: 'acme', notes: [] });
      expect((await fetch(`${url}/api/notes`)).status).toBe(401);
      expect((await fetch(`${url}/api/notes`, { method: 'POST', headers: { authorization: `Bearer ${readerToken}` } })).status).toBe(403);
      expect((await fetch(`${url}/api/projects/apollo/notes`, { headers: { authorization: `Bearer ${readerToken}` } })).status).toBe(200);
      expect((await fetch(`${url}/api/projects/gemini/notes`, { headers: { authorization: `Bearer ${readerToken}` } })).status).toBe(403);
      const created = await fetch(`${url}/admin/keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'ci', scopes: ['notes:read'] }),
      });
      expect(created.status).toBe(201);
      const { token } = (await created.json()) as { token: string };
      expect((await fetch(`${url}/api/notes`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      // The reader key cannot manage keys.
      expect((await fetch(`${url}/admin/keys`, { headers: { authorization: `Bearer ${readerToken}` } })).status).toBe(401);
    } finally {
      await close();
      await db.close();
    }
  });
});
