import assert from 'node:assert/strict';
import { makeRecord, newTenant, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

const q = (extra: Record<string, unknown> = {}) => ({ page: 1, limit: 100, ...extra });

export function listTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it(
    'list shows one tenant, newest first, with the total',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const records = [makeRecord({ tenantId }), makeRecord({ tenantId }), makeRecord({ tenantId })];
      for (const r of records) await store.insert(r);
      await store.insert(makeRecord());
      const { items, total } = await store.list(tenantId, q());
      assert.equal(total, 3);
      assert.deepStrictEqual(items, [...records].reverse());
    }),
  );

  it(
    'list pages by page and limit',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const records = Array.from({ length: 7 }, () => makeRecord({ tenantId }));
      for (const r of records) await store.insert(r);
      const newest = [...records].reverse().map((r) => r.id);
      const page1 = await store.list(tenantId, q({ page: 1, limit: 3 }));
      const page3 = await store.list(tenantId, q({ page: 3, limit: 3 }));
      const page4 = await store.list(tenantId, q({ page: 4, limit: 3 }));
      assert.deepStrictEqual(
        page1.items.map((r) => r.id),
        newest.slice(0, 3),
      );
      assert.deepStrictEqual(
        page3.items.map((r) => r.id),
        newest.slice(6),
      );
      assert.equal(page1.total, 7);
      assert.equal(page4.items.length, 0);
      assert.equal(page4.total, 7);
    }),
  );

  it(
    'list orders keys created in the same millisecond by id, descending',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const createdAt = new Date(Date.UTC(2026, 6, 1));
      const records = [makeRecord({ tenantId, createdAt }), makeRecord({ tenantId, createdAt }), makeRecord({ tenantId, createdAt })];
      for (const r of records) await store.insert(r);
      const ids = (await store.list(tenantId, q())).items.map((r) => r.id);
      assert.deepStrictEqual(
        ids,
        records
          .map((r) => r.id)
          .sort()
          .reverse(),
      );
    }),
  );

  it(
    'list leaves revoked keys out unless includeRevoked',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const live = makeRecord({ tenantId });
      const gone = makeRecord({ tenantId });
      await store.insert(live);
      await store.insert(gone);
      await store.revoke(tenantId, gone.id, new Date(), null);
      assert.deepStrictEqual(
        (await store.list(tenantId, q())).items.map((r) => r.id),
        [live.id],
      );
      const all = await store.list(tenantId, q({ includeRevoked: true }));
      assert.equal(all.total, 2);
    }),
  );

  it(
    'list filters by ownerId',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const mine = makeRecord({ tenantId, ownerId: 'user_a' });
      await store.insert(mine);
      await store.insert(makeRecord({ tenantId, ownerId: 'user_b' }));
      await store.insert(makeRecord({ tenantId, ownerId: null }));
      const { items, total } = await store.list(tenantId, q({ ownerId: 'user_a' }));
      assert.equal(total, 1);
      assert.equal(items[0]!.id, mine.id);
    }),
  );

  it(
    'search matches name or preview, case-insensitively, as literal text',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const names = ['Deploy Bot', '100% coverage', 'under_score', 'underXscore', 'back\\slash', 'dot.star .* (x) $where', 'plain', 'back-slash'];
      const records = names.map((name) => makeRecord({ tenantId, name }));
      for (const r of records) await store.insert(r);
      const find = async (search: string) => (await store.list(tenantId, q({ search }))).items.map((r) => r.name).sort();
      assert.deepStrictEqual(await find('deploy'), ['Deploy Bot']);
      assert.deepStrictEqual(await find('%'), ['100% coverage']);
      // previews contain "_", so "_" alone would match every key: search a fragment instead
      assert.deepStrictEqual(await find('r_s'), ['under_score']);
      assert.deepStrictEqual(await find('\\'), ['back\\slash']);
      assert.deepStrictEqual(await find('.*'), ['dot.star .* (x) $where']);
      assert.deepStrictEqual(await find('(x)'), ['dot.star .* (x) $where']);
      assert.deepStrictEqual(await find('$where'), ['dot.star .* (x) $where']);
      assert.deepStrictEqual(await find('no such thing'), []);
      const byPreview = await store.list(tenantId, q({ search: records[6]!.id.toLowerCase() }));
      assert.deepStrictEqual(
        byPreview.items.map((r) => r.id),
        [records[6]!.id],
      );
    }),
  );

  it(
    'list filters by derived status, judged at query.now (an expiry equal to now is expired)',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const now = new Date(Date.UTC(2030, 0, 1, 12));
      const later = new Date(now.getTime() + 60_000);
      const active = makeRecord({ tenantId, name: 'active', expiresAt: later, enabled: true });
      const forever = makeRecord({ tenantId, name: 'forever', expiresAt: null, enabled: true });
      const paused = makeRecord({ tenantId, name: 'paused', expiresAt: null, enabled: false });
      const expired = makeRecord({ tenantId, name: 'expired', expiresAt: now, enabled: true });
      const pausedExpired = makeRecord({ tenantId, name: 'paused+expired', expiresAt: new Date(now.getTime() - 1), enabled: false });
      const revoked = makeRecord({ tenantId, name: 'revoked', expiresAt: new Date(now.getTime() - 5), enabled: false });
      const mcpPaused = makeRecord({
        tenantId,
        name: 'mcp paused',
        expiresAt: null,
        mcp: { enabled: false, tools: { mode: 'all', names: [] }, readOnly: false },
      });
      for (const r of [active, forever, paused, expired, pausedExpired, revoked, mcpPaused]) await store.insert(r);
      await store.revoke(tenantId, revoked.id, new Date(now.getTime() - 10), null);
      const names = async (extra: Record<string, unknown>) => {
        const { items, total } = await store.list(tenantId, q({ now, ...extra }));
        assert.equal(total, items.length);
        return items.map((r) => r.name).sort();
      };
      assert.deepStrictEqual(await names({ status: ['active'] }), ['active', 'forever', 'mcp paused']);
      assert.deepStrictEqual(await names({ status: ['paused'] }), ['paused']);
      assert.deepStrictEqual(await names({ status: ['expired'] }), ['expired', 'paused+expired']);
      assert.deepStrictEqual(await names({ status: ['revoked'] }), ['revoked']);
      assert.deepStrictEqual(await names({ status: ['active', 'paused'] }), ['active', 'forever', 'mcp paused', 'paused']);
      assert.deepStrictEqual(await names({ status: ['revoked', 'expired'], includeRevoked: false }), ['expired', 'paused+expired', 'revoked']);
      // Without status: every key but revoked ones, expired included unless includeExpired is false.
      assert.deepStrictEqual(await names({}), ['active', 'expired', 'forever', 'mcp paused', 'paused', 'paused+expired']);
      assert.deepStrictEqual(await names({ includeExpired: false }), ['active', 'forever', 'mcp paused', 'paused']);
      assert.deepStrictEqual(await names({ includeExpired: false, includeRevoked: true }), ['active', 'forever', 'mcp paused', 'paused', 'revoked']);
      assert.equal((await store.list(tenantId, q({ now, includeRevoked: true }))).total, 7);
      // The same keys judged a minute later: "active" has expired by then.
      const { items } = await store.list(tenantId, q({ now: new Date(later.getTime() + 1), status: ['active'] }));
      assert.deepStrictEqual(items.map((r) => r.name).sort(), ['forever', 'mcp paused']);
    }),
  );

  it(
    'list filters by resource: keys whose list for that kind names the id itself',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const both = makeRecord({ tenantId, name: 'p1+p2', resources: { project: ['p1', 'p2'] } });
      const one = makeRecord({ tenantId, name: 'p1', resources: { project: ['p1'], agent: ['a'] } });
      const other = makeRecord({ tenantId, name: 'p2', resources: { project: ['p2'] } });
      const wildcard = makeRecord({ tenantId, name: 'wildcard', resources: { project: ['*'] } });
      const unlimited = makeRecord({ tenantId, name: 'unlimited', resources: {} });
      const otherKind = makeRecord({ tenantId, name: 'agent p1', resources: { agent: ['p1'] } });
      const odd = makeRecord({ tenantId, name: 'odd', resources: { project: ['a:b', '.*', '%', "x' OR '1'='1"] } });
      for (const r of [both, one, other, wildcard, unlimited, otherKind, odd]) await store.insert(r);
      await store.insert(makeRecord({ name: 'other tenant', resources: { project: ['p1'] } }));
      const names = async (kind: string, id: string) => (await store.list(tenantId, q({ resource: { kind, id } }))).items.map((r) => r.name).sort();
      assert.deepStrictEqual(await names('project', 'p1'), ['p1', 'p1+p2']);
      assert.deepStrictEqual(await names('project', 'p2'), ['p1+p2', 'p2']);
      assert.deepStrictEqual(await names('agent', 'p1'), ['agent p1']);
      assert.deepStrictEqual(await names('project', 'p'), []);
      assert.deepStrictEqual(await names('project', '*'), ['wildcard']);
      for (const id of ['a:b', '.*', '%', "x' OR '1'='1"]) assert.deepStrictEqual(await names('project', id), ['odd'], id);
      assert.deepStrictEqual(await names('instance', 'p1'), []);
      const paged = await store.list(tenantId, q({ resource: { kind: 'project', id: 'p1' }, limit: 1, page: 2 }));
      assert.equal(paged.total, 2);
      assert.deepStrictEqual(
        paged.items.map((r) => r.name),
        ['p1+p2'],
      );
    }),
  );

  it(
    'list combines tenant, status, resource, ownerId and search in one query',
    t(async ({ store }) => {
      const tenantId = newTenant();
      const now = new Date(Date.UTC(2030, 0, 1));
      const base = { tenantId, resources: { project: ['p1'] }, ownerId: 'u1', expiresAt: null };
      const hit = makeRecord({ ...base, name: 'deploy hit' });
      await store.insert(hit);
      await store.insert(makeRecord({ ...base, name: 'deploy paused', enabled: false }));
      await store.insert(makeRecord({ ...base, name: 'deploy other owner', ownerId: 'u2' }));
      await store.insert(makeRecord({ ...base, name: 'deploy other project', resources: { project: ['p2'] } }));
      await store.insert(makeRecord({ ...base, name: 'build' }));
      await store.insert(makeRecord({ ...base, tenantId: newTenant(), name: 'deploy elsewhere' }));
      const { items, total } = await store.list(
        tenantId,
        q({ now, status: ['active'], resource: { kind: 'project', id: 'p1' }, ownerId: 'u1', search: 'DEPLOY' }),
      );
      assert.equal(total, 1);
      assert.deepStrictEqual(items, [hit]);
    }),
  );

  it(
    'list with a null tenant spans every tenant',
    t(async ({ store }) => {
      const marker = `marker${Date.now()}${Math.random().toString(36).slice(2)}`;
      const a = makeRecord({ name: `${marker} a` });
      const b = makeRecord({ name: `${marker} b` });
      await store.insert(a);
      await store.insert(b);
      const { items, total } = await store.list(null, q({ search: marker }));
      assert.equal(total, 2);
      assert.deepStrictEqual(new Set(items.map((r) => r.tenantId)), new Set([a.tenantId, b.tenantId]));
    }),
  );
}
