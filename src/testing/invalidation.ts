import assert from 'node:assert/strict';
import { createKeyring, type InvalidationChannel, type KeysmithEvent, type KeyStore } from 'keysmith';
import { newId, newTenant, type TestApi } from './harness.js';

/**
 * The instances of one channel a test uses, as the keyring instances of one fleet hold them: every
 * instance reaches every other. Make each fleet on a channel name of its own (a random suffix), so
 * tests, and other runs on the same server, never hear each other.
 */
export interface InvalidationFleet {
  /** A new instance of the channel, as one keyring instance of the fleet would be given. */
  instance(): InvalidationChannel;
  /** Called after each test, once the suite has closed every subscription it opened. */
  cleanup?(): Promise<void>;
}

/** Options of {@link runInvalidationChannelConformance}; `F` is what `createFleet` returns. */
export interface InvalidationChannelConformanceOptions<F extends InvalidationFleet = InvalidationFleet> {
  /** Shown in test names, e.g. "redis" or "postgres LISTEN/NOTIFY (PGlite)". */
  name: string;
  /** Gives the fleet of one test; called once per test. */
  createFleet: () => F | Promise<F>;
  /**
   * Sends `message` over the fleet's transport as it is, bypassing `publish` (`PUBLISH`,
   * `pg_notify`), in order, on one connection. The suite sends garbage, then a key id: the garbage
   * must never reach `onMessage`, the key id must. Optional: without it that test is left out.
   */
  sendRaw?: (fleet: F, message: string) => Promise<void>;
  /**
   * Breaks the connections the fleet's subscribers hold, as an outage would (Redis `CLIENT KILL`,
   * PostgreSQL `pg_terminate_backend`). Each subscriber must then report `'down'`, reconnect by
   * itself, report `'up'` and deliver again. Optional: without it the outage tests are left out.
   */
  interrupt?: (fleet: F) => Promise<void>;
  /**
   * A store for the keyring-level tests (two keyrings, each on its own instance of the channel):
   * `memoryStore()` does. Optional: without it only the channel itself is tested.
   */
  createStore?: () => KeyStore | Promise<KeyStore>;
  test: TestApi;
  /** Per-test timeout in ms. @default 30_000 */
  timeout?: number;
  /**
   * How long the suite waits for a message or a status before it fails the test: a bound for a
   * lost message, not a latency promise (the suite waits for the event, never a fixed time). @default 10_000
   */
  deliveryTimeoutMs?: number;
}

/** Something to wait on: `until` resolves once `check` holds, re-checked each time `changed` is called. */
function waitable(deadlineMs: number) {
  const waiters = new Set<() => void>();
  return {
    changed(): void {
      for (const wake of [...waiters]) wake();
    },
    until(check: () => boolean, what: string): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const wake = () => {
          if (!check()) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`${what}: not within ${deadlineMs} ms`));
        }, deadlineMs);
        waiters.add(wake);
      });
    },
  };
}

/** One subscription, recording what it was given. */
interface Listener {
  messages: string[];
  statuses: ('up' | 'down')[];
  /** Resolves once `check` holds for this listener. */
  until(check: (l: Listener) => boolean, what: string): Promise<void>;
  unsubscribe(): Promise<void>;
}

/**
 * keysmith/testing: the invalidation-channel conformance suite. Any `InvalidationChannel` runs it
 * unchanged (`redisInvalidation`, `postgresInvalidation`, yours): a publish reaches every
 * subscriber, the publisher's own included; bursts from several instances all arrive; only key ids
 * reach `onMessage`; an unsubscribed listener hears nothing more; after an outage each subscriber
 * reports `'down'`, then `'up'`, and delivers again. With `createStore`, two keyrings on two
 * instances also show it end to end: a change on one drops the other's cached key.
 *
 * ```ts
 * import { describe, it } from 'vitest';
 * import { runInvalidationChannelConformance } from 'keysmith/testing';
 * runInvalidationChannelConformance({ name: 'my channel', createFleet: () => ({ instance: () => myChannel() }), test: { describe, it } });
 * ```
 */
export function runInvalidationChannelConformance<F extends InvalidationFleet>(options: InvalidationChannelConformanceOptions<F>): void {
  const { describe } = options.test;
  const deadline = options.deliveryTimeoutMs ?? 10_000;
  /** A test with a fleet; every subscription it opens is closed afterwards, then the fleet cleaned up. */
  const it = (name: string, fn: (fleet: F, listen: (channel: InvalidationChannel) => Promise<Listener>) => Promise<void>) =>
    options.test.it(
      name,
      async () => {
        const fleet = await options.createFleet();
        const open: Listener[] = [];
        const listen = async (channel: InvalidationChannel): Promise<Listener> => {
          const events = waitable(deadline);
          let unsubscribe: (() => Promise<void>) | null = null;
          const listener: Listener = {
            messages: [],
            statuses: [],
            until: (check, what) => events.until(() => check(listener), what),
            async unsubscribe() {
              const close = unsubscribe;
              unsubscribe = null;
              await close?.();
            },
          };
          unsubscribe = await channel.subscribe({
            onMessage(keyId) {
              listener.messages.push(keyId);
              events.changed();
            },
            onStatus(status) {
              listener.statuses.push(status);
              events.changed();
            },
          });
          open.push(listener);
          return listener;
        };
        try {
          await fn(fleet, listen);
        } finally {
          await Promise.all(open.map((l) => l.unsubscribe()));
          await fleet.cleanup?.();
        }
      },
      options.timeout ?? 30_000,
    );
  const heard = (id: string) => (l: Listener) => l.messages.includes(id);

  describe(`InvalidationChannel conformance: ${options.name}`, () => {
    it('a publish reaches every subscriber of the fleet, the publishing instance included', async (fleet, listen) => {
      const [a, b, c] = [fleet.instance(), fleet.instance(), fleet.instance()];
      const listeners = [await listen(a), await listen(b), await listen(c)];
      const id = newId();
      await a.publish(id);
      for (const [i, l] of listeners.entries()) await l.until(heard(id), `subscriber ${i} did not hear ${id}`);
      for (const l of listeners) assert.deepEqual(l.messages, [id]);
    });

    it('every message of concurrent bursts from several instances arrives, and nothing else', async (fleet, listen) => {
      const senders = [fleet.instance(), fleet.instance()];
      const listeners = [await listen(senders[0]!), await listen(fleet.instance())];
      const ids = Array.from({ length: 20 }, () => newId());
      await Promise.all(ids.map((id, i) => senders[i % 2]!.publish(id)));
      for (const l of listeners) await l.until((x) => ids.every((id) => x.messages.includes(id)), 'a burst was not delivered whole');
      for (const l of listeners) assert.deepEqual([...new Set(l.messages)].sort(), [...ids].sort());
    });

    const { sendRaw, interrupt, createStore } = options;
    if (sendRaw) {
      it('only key ids reach onMessage: garbage on the transport is dropped, a raw key id is delivered', async (fleet, listen) => {
        const l = await listen(fleet.instance());
        const id = newId();
        for (const garbage of ['', 'x', "'; DROP TABLE x; --", `${id}x`, ` ${id}`, `${id}\n`, 'ä'.repeat(16), '{"id":1}']) await sendRaw(fleet, garbage);
        await sendRaw(fleet, id);
        await l.until(heard(id), `the raw key id ${id} was not delivered`);
        assert.deepEqual(l.messages, [id]);
      });
    }

    it('a subscriber that unsubscribed hears nothing more; the others still do', async (fleet, listen) => {
      const [a, b, c] = [fleet.instance(), fleet.instance(), fleet.instance()];
      const [la, lb, lc] = [await listen(a), await listen(b), await listen(c)];
      await lb.unsubscribe();
      const ids = [newId(), newId()];
      for (const id of ids) {
        await a.publish(id);
        await lc.until(heard(id), `subscriber c did not hear ${id}`);
        await la.until(heard(id), `subscriber a did not hear ${id}`);
      }
      assert.deepEqual(lb.messages, []);
    });

    if (interrupt) {
      it('after its connection breaks, each subscriber reports down, then up, and delivers again', async (fleet, listen) => {
        const [a, b] = [fleet.instance(), fleet.instance()];
        const listeners = [await listen(a), await listen(b)];
        for (const l of listeners) l.statuses.length = 0; // what subscribe reported is not the point here
        await interrupt(fleet);
        for (const [i, l] of listeners.entries()) {
          await l.until(
            (x) => x.statuses.includes('down') && x.statuses.lastIndexOf('up') > x.statuses.indexOf('down'),
            `subscriber ${i} did not report down, then up`,
          );
        }
        const id = newId();
        await a.publish(id);
        for (const [i, l] of listeners.entries()) await l.until(heard(id), `subscriber ${i} did not hear ${id} after reconnecting`);
      });
    }

    if (createStore) {
      /** Two keyrings of a fleet; `arrivals(id)` counts the messages for `id` that reached B. */
      const twoKeyrings = async (fleet: F) => {
        const store = await createStore();
        const events: KeysmithEvent[] = [];
        const arrived = waitable(deadline);
        const heardOnB: string[] = [];
        const bChannel = fleet.instance();
        const observed: InvalidationChannel = {
          publish: (id) => bChannel.publish(id),
          subscribe: (handlers) =>
            bChannel.subscribe({
              onMessage(id) {
                handlers.onMessage(id); // the keyring has dropped the record when this returns
                heardOnB.push(id);
                arrived.changed();
              },
              onStatus(status, reason) {
                handlers.onStatus(status, reason);
                arrived.changed();
              },
            }),
        };
        const ring = (invalidation: InvalidationChannel, onEvent?: (e: KeysmithEvent) => void) =>
          createKeyring({ store, prefix: 'sk', cache: { ttlMs: 600_000 }, invalidation, ...(onEvent ? { onEvent } : {}) });
        const a = ring(fleet.instance());
        const b = ring(observed, (e) => {
          events.push(e);
          arrived.changed();
        });
        await Promise.all([a.ready(), b.ready()]);
        /** Runs `change` on A and resolves once B has heard of `id` once more. */
        const changeAndHear = async (id: string, change: () => Promise<unknown>) => {
          const before = heardOnB.filter((x) => x === id).length;
          await change();
          await arrived.until(() => heardOnB.filter((x) => x === id).length > before, `B did not hear of ${id}`);
        };
        return { a, b, events, arrived, changeAndHear, close: () => Promise.all([a.close(), b.close()]) };
      };

      it('keyrings: a narrowing, pause or revoke on one instance drops the key from the cache of the other', async (fleet) => {
        const { a, b, changeAndHear, close } = await twoKeyrings(fleet);
        try {
          const tenant = newTenant();
          const { key, token } = await a.create({ tenantId: tenant, name: 'k', scopes: ['x:read', 'y:read'] });
          assert.equal((await b.verify(token, { scopes: ['y:read'] })).valid, true); // cached on B for ten minutes
          await changeAndHear(key.id, () => a.update(tenant, key.id, { scopes: ['x:read'] }));
          assert.equal((await b.verify(token, { scopes: ['y:read'] })).valid, false);
          await changeAndHear(key.id, () => a.setEnabled(tenant, key.id, false));
          assert.deepEqual(await b.verify(token).then((r) => !r.valid && r.code), 'DISABLED');
          await changeAndHear(key.id, () => a.setEnabled(tenant, key.id, true));
          assert.equal((await b.verify(token)).valid, true);
          await changeAndHear(key.id, () => a.revoke(tenant, key.id));
          assert.deepEqual(await b.verify(token).then((r) => !r.valid && r.code), 'REVOKED');
        } finally {
          await close();
        }
      });

      if (interrupt) {
        it('keyrings: an outage shows as cache.degraded, then cache.restored, and invalidation works again', async (fleet) => {
          const { a, b, events, arrived, changeAndHear, close } = await twoKeyrings(fleet);
          try {
            await interrupt(fleet);
            const types = () => events.map((e) => e.type);
            await arrived.until(
              () => types().includes('cache.degraded') && types().lastIndexOf('cache.restored') > types().indexOf('cache.degraded'),
              'B did not report the outage and the recovery',
            );
            const tenant = newTenant();
            const { key, token } = await a.create({ tenantId: tenant, name: 'k' });
            assert.equal((await b.verify(token)).valid, true);
            await changeAndHear(key.id, () => a.revoke(tenant, key.id));
            assert.equal((await b.verify(token)).valid, false);
          } finally {
            await close();
          }
        });
      }
    }
  });
}
