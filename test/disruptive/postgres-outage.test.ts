import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError, type VerifyResult } from 'keysmith';
import { postgresStore } from 'keysmith/postgres';
import { PG_URL, serverTarget } from '../support/pg.js';
import { canControlPostgres, startPostgres, stopPostgres } from '../support/services.js';

/**
 * The real server is stopped and started, and its connections are killed, while keysmith works.
 * Runs only in the disruptive suite (after the main one), on a machine where we may control
 * PostgreSQL; CI always can.
 */
describe.skipIf(!PG_URL || !canControlPostgres)('PostgreSQL outage: stop, restart, killed connections (real server)', () => {
  let target: Awaited<ReturnType<typeof serverTarget>>;
  beforeAll(async () => {
    target = await serverTarget({ connectionTimeoutMillis: 1_000 });
    target.pool.on('error', () => {}); // idle connections die with the server; keysmith reports via verify
  }, 60_000);
  afterAll(async () => {
    await startPostgres();
    await target?.close();
  }, 60_000);

  const keyringOf = () =>
    createKeyring({ store: postgresStore({ client: target.client, table: target.table }), prefix: 'sk', cache: false, storeTimeoutMs: 3_000 });

  it('while the server is down verify fails closed; it recovers by itself; no write is lost or applied twice', async () => {
    const keyring = keyringOf();
    const credited = await keyring.create({ tenantId: 't', name: 'credited', remaining: 100 });
    const doomed = await keyring.create({ tenantId: 't', name: 'doomed' });
    let valid = 0;
    for (let i = 0; i < 10; i++) if ((await keyring.verify(credited.token)).valid) valid++;
    await keyring.revoke('t', doomed.key.id, { by: 'admin' });

    await stopPostgres();
    try {
      const down: VerifyResult[] = await Promise.all(Array.from({ length: 5 }, () => keyring.verify(credited.token)));
      expect(down.every((r) => !r.valid && r.code === 'STORE_UNAVAILABLE')).toBe(true);
      expect(await keyring.verify(doomed.token)).toMatchObject({ valid: false, code: 'STORE_UNAVAILABLE' });
      const writes = [
        keyring.update('t', credited.key.id, { name: 'renamed while down' }),
        keyring.revoke('t', credited.key.id),
        keyring.create({ tenantId: 't', name: 'ghost' }),
      ];
      for (const w of await Promise.allSettled(writes)) {
        expect(w.status).toBe('rejected');
        if (w.status === 'rejected') expect(isKeysmithError(w.reason) && w.reason.code).toBe('STORE_UNAVAILABLE');
      }
    } finally {
      await startPostgres();
    }

    // The pool reconnects by itself: no restart of the application.
    let back: VerifyResult | undefined;
    for (let i = 0; i < 50 && !back?.valid; i++) {
      back = await keyring.verify(credited.token);
      if (!back.valid) await new Promise((r) => setTimeout(r, 200));
      else valid++;
    }
    expect(back?.valid).toBe(true);
    for (let i = 0; i < 10; i++) if ((await keyring.verify(credited.token)).valid) valid++;

    const after = (await keyring.get('t', credited.key.id))!;
    expect(after.name).toBe('credited'); // the update made while down was not applied
    expect(after.revokedAt).toBeNull();
    expect(after.remaining).toBe(100 - valid); // every answered credit spent once, none twice
    expect(await keyring.verify(doomed.token)).toMatchObject({ valid: false, code: 'REVOKED' }); // the revoke before the outage held
    expect((await keyring.list('t', { search: 'ghost' })).total).toBe(0);
  }, 90_000);

  it('connections killed mid-run (pg_terminate_backend): every answer is right or fails closed, credits stay exact', async () => {
    const keyring = keyringOf();
    const { key, token } = await keyring.create({ tenantId: 't', name: 'busy', remaining: 10_000 });
    const admin = new (await import('pg')).default.Client({ connectionString: PG_URL });
    await admin.connect();
    let valid = 0;
    let unavailable = 0;
    let running = true;
    const workers = Array.from({ length: 8 }, async () => {
      while (running) {
        const r = await keyring.verify(token);
        if (r.valid) valid++;
        else if (r.code === 'STORE_UNAVAILABLE') unavailable++;
        else throw new Error(`unexpected ${r.code}`);
      }
    });
    for (let round = 0; round < 5; round++) {
      await new Promise((r) => setTimeout(r, 150));
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = ''`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
    running = false;
    await Promise.all(workers);
    await admin.end();
    expect(valid).toBeGreaterThan(0);
    const spent = 10_000 - (await keyring.get('t', key.id))!.remaining!;
    // A killed connection may lose the reply of an UPDATE that committed (then the caller saw
    // STORE_UNAVAILABLE): so spent is at least the valid answers and at most valid + unavailable.
    expect(spent).toBeGreaterThanOrEqual(valid);
    expect(spent).toBeLessThanOrEqual(valid + unavailable);
    expect((await keyring.verify(token)).valid).toBe(true);
  }, 60_000);
});
