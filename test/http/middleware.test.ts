import { describe, expect, it } from 'vitest';
import { MIDDLEWARE_CASES } from './cases.js';
import { call, essentials, type Answer } from './client.js';
import { FRAMEWORKS, HONO_WITH_API_KEY } from './apps.js';
import { useAllFrameworks } from './running.js';

describe('verification middleware: one table, three frameworks (and Hono withApiKey) over real HTTP', () => {
  const running = useAllFrameworks([...FRAMEWORKS, HONO_WITH_API_KEY]);

  for (const c of MIDDLEWARE_CASES) {
    it(c.name, async () => {
      const answers: Answer[] = [];
      for (const { name, app, fx } of running) {
        for (const before of c.before?.(fx) ?? []) await call(app.url, before);
        c.around?.start(fx);
        let answer: Answer;
        try {
          answer = await call(app.url, c.request(fx));
        } finally {
          c.around?.end(fx);
        }
        answers.push(answer);
        const e = c.expect;
        const where = `${name}: ${answer.status} ${answer.text}`;
        expect(answer.status, where).toBe(e.status);
        if (e.status >= 400) {
          expect(answer.headers.get('content-type'), where).toBe('application/json; charset=utf-8');
          expect(answer.headers.get('cache-control'), where).toBe('no-store');
          const body = JSON.parse(answer.text) as { error: { code: string; message: string } };
          expect(Object.keys(body), where).toEqual(['error']);
          expect(typeof body.error.message, where).toBe('string');
          if (e.code) expect(body.error.code, where).toBe(e.code);
          if (e.message) expect(body.error.message, where).toBe(e.message);
          // Whatever went wrong, the token itself never comes back.
          for (const token of Object.values(fx.t)) expect(answer.text + (answer.headers.get('www-authenticate') ?? '')).not.toContain(token);
        }
        if (e.wwwAuthenticate !== undefined) expect(answer.headers.get('www-authenticate'), where).toBe(e.wwwAuthenticate);
        if (e.retryAfter === null) expect(answer.headers.get('retry-after'), where).toBeNull();
        else if (e.retryAfter instanceof RegExp) expect(answer.headers.get('retry-after') ?? '', where).toMatch(e.retryAfter);
        else if (typeof e.retryAfter === 'string') expect(answer.headers.get('retry-after'), where).toBe(e.retryAfter);
        for (const [name, want] of Object.entries(e.headers ?? {})) {
          if (want === null) expect(answer.headers.get(name), `${where} ${name}`).toBeNull();
          else expect(answer.headers.get(name) ?? '', `${where} ${name}`).toMatch(want);
        }
        if (e.json) e.json(JSON.parse(answer.text), fx);
      }
      // Error answers carry nothing key-specific, so the three frameworks must agree byte for byte.
      if (c.expect.status >= 400) {
        for (const other of answers.slice(1)) expect(essentials(other)).toEqual(essentials(answers[0]!));
      }
    });
  }

  it('an unknown key and a wrong secret get byte-identical answers', async () => {
    for (const { name, app, fx } of running) {
      const unknown = await call(app.url, { path: '/api/whoami', headers: { authorization: `Bearer ${fx.unknown}` } });
      const wrong = await call(app.url, { path: '/api/whoami', headers: { authorization: `Bearer ${fx.wrongSecret}` } });
      const all = (a: Answer) => ({ ...essentials(a), 'content-length': a.headers.get('content-length'), 'retry-after': a.headers.get('retry-after') });
      expect(all(wrong), name).toEqual(all(unknown));
      expect(unknown.status, name).toBe(401);
    }
  });

  it('a revoked key stops working on the very next request', async () => {
    for (const { name, app, fx } of running) {
      const { key, token } = await fx.keyring.create({ tenantId: 'tenant_a', name: 'short-lived', scopes: ['docs:read'] });
      const headers = { authorization: `Bearer ${token}` };
      expect((await call(app.url, { path: '/api/docs', headers })).status, name).toBe(200);
      await fx.keyring.revoke('tenant_a', key.id);
      const after = await call(app.url, { path: '/api/docs', headers });
      expect([after.status, JSON.parse(after.text).error.code], name).toEqual([401, 'REVOKED']);
    }
  });

  it('a route-level guard under an app-level one does not charge a credit twice', async () => {
    for (const { name, app, fx } of running) {
      const { key, token } = await fx.keyring.create({ tenantId: 'tenant_a', name: 'metered', scopes: ['docs:read'], remaining: 5 });
      expect((await call(app.url, { path: '/api/docs', headers: { authorization: `Bearer ${token}` } })).status, name).toBe(200);
      expect((await fx.keyring.get('tenant_a', key.id))?.remaining, name).toBe(4);
    }
  });
});
