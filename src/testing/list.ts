import assert from 'node:assert/strict';
import { makeRecord, newTenant, type ConformanceOptions } from './harness.js';
import { withStore } from './with-store.js';

const q = (extra: Record<string, unknown> = {}) => ({ page: 1, limit: 100, ...extra });

export function listTests(options: ConformanceOptions): void {
  const { it } = options.test;
  const t = withStore(options);

  it('list shows one tenant, newest first, with the total', t(async ({ store }) => {
    const tenantId = newTenant();
    const records = [makeRecord({ tenantId }), makeRecord({ tenantId }), makeRecord({ tenantId })];
    for (const r of records) await store.insert(r);
    await store.insert(makeRecord());
    const { items, total } = await store.list(tenantId, q());
    assert.equal(total, 3);
    assert.deepStrictEqual(items, [...records].reverse());
  }));

  it('list pages by page and limit', t(async ({ store }) => {
    const tenantId = newTenant();
    const records = Array.from({ length: 7 }, () => makeRecord({ tenantId }));
    for (const r of records) await store.insert(r);
    const newest = [...records].reverse().map((r) => r.id);
    const page1 = await store.list(tenantId, q({ page: 1, limit: 3 }));
    const page3 = await store.list(tenantId, q({ page: 3, limit: 3 }));
    const page4 = await store.list(tenantId, q({ page: 4, limit: 3 }));
    assert.deepStrictEqual(page1.items.map((r) => r.id), newest.slice(0, 3));
    assert.deepStrictEqual(page3.items.map((r) => r.id), newest.slice(6));
    assert.equal(page1.total, 7);
    assert.equal(page4.items.length, 0);
    assert.equal(page4.total, 7);
  }));

  it('list orders keys created in the same millisecond by id, descending', t(async ({ store }) => {
    const tenantId = newTenant();
    const createdAt = new Date(Date.UTC(2026, 6, 1));
    const records = [makeRecord({ tenantId, createdAt }), makeRecord({ tenantId, createdAt }), makeRecord({ tenantId, createdAt })];
    for (const r of records) await store.insert(r);
    const ids = (await store.list(tenantId, q())).items.map((r) => r.id);
    assert.deepStrictEqual(ids, records.map((r) => r.id).sort().reverse());
  }));

  it('list leaves revoked keys out unless includeRevoked', t(async ({ store }) => {
    const tenantId = newTenant();
    const live = makeRecord({ tenantId });
    const gone = makeRecord({ tenantId });
    await store.insert(live);
    await store.insert(gone);
    await store.revoke(tenantId, gone.id, new Date(), null);
    assert.deepStrictEqual((await store.list(tenantId, q())).items.map((r) => r.id), [live.id]);
    const all = await store.list(tenantId, q({ includeRevoked: true }));
    assert.equal(all.total, 2);
  }));

  it('list filters by ownerId', t(async ({ store }) => {
    const tenantId = newTenant();
    const mine = makeRecord({ tenantId, ownerId: 'user_a' });
    await store.insert(mine);
    await store.insert(makeRecord({ tenantId, ownerId: 'user_b' }));
    await store.insert(makeRecord({ tenantId, ownerId: null }));
    const { items, total } = await store.list(tenantId, q({ ownerId: 'user_a' }));
    assert.equal(total, 1);
    assert.equal(items[0]!.id, mine.id);
  }));

  it('search matches name or preview, case-insensitively, as literal text', t(async ({ store }) => {
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
    assert.deepStrictEqual(byPreview.items.map((r) => r.id), [records[6]!.id]);
  }));

  it('list with a null tenant spans every tenant', t(async ({ store }) => {
    const marker = `marker${Date.now()}${Math.random().toString(36).slice(2)}`;
    const a = makeRecord({ name: `${marker} a` });
    const b = makeRecord({ name: `${marker} b` });
    await store.insert(a);
    await store.insert(b);
    const { items, total } = await store.list(null, q({ search: marker }));
    assert.equal(total, 2);
    assert.deepStrictEqual(new Set(items.map((r) => r.tenantId)), new Set([a.tenantId, b.tenantId]));
  }));
}
