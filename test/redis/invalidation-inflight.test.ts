import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring, type InvalidationChannel, type VerifyResult } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation } from 'keysmith/redis';
import { gatedReads } from '../support/gated-reads.js';
import { redisAvailable, redisClient } from '../support/redis.js';
import { until } from '../support/wait.js';

const available = await redisAvailable();

/** The real Redis channel, with the arrivals of its messages counted (to know when one has arrived). */
function observed(channel: InvalidationChannel) {
  const arrived: string[] = [];
  return {
    arrived,
    channel: {
      publish: (id: string) => channel.publish(id),
      subscribe: (handlers: Parameters<InvalidationChannel['subscribe']>[0]) =>
        channel.subscribe({ onStatus: handlers.onStatus, onMessage: (id) => (handlers.onMessage(id), arrived.push(id)) }),
    } satisfies InvalidationChannel,
  };
}

/**
 * Issue 12, item 1, across instances: instance B's reads are slower than pub/sub. A read B started
 * before A's change, answered after the invalidation message reached B, must not be believed or
 * cached by B.
 */
describe.skipIf(!available)('two instances, Redis invalidation, reads slower than pub/sub (real Redis)', () => {
  const clients = [redisClient(), redisClient()];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('once the message has arrived, no verify on the other instance succeeds with the old state', async () => {
    const store = memoryStore();
    const channelName = `keysmith:test:inflight:${Math.random().toString(36).slice(2)}`;
    const gate = gatedReads(store);
    const seen = observed(redisInvalidation({ client: clients[1]!, channel: channelName }));
    const a = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: redisInvalidation({ client: clients[0]!, channel: channelName }) });
    const b = createKeyring({ store: gate.store, prefix: 'sk', cache: { ttlMs: 60_000 }, invalidation: seen.channel });
    await Promise.all([a.ready(), b.ready()]);
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('revoke', 'pause', 'rotate'), fc.nat(4), fc.boolean(), async (change, slowReads, warm) => {
          run++;
          gate.close();
          const { key, token } = await a.create({ tenantId: `t${run}`, name: 'k' });
          if (warm) {
            gate.open();
            expect((await b.verify(token)).valid).toBe(true);
            gate.close();
          }
          // B starts verifies whose reads are sent now and answered only later (a warm cache answers at once).
          let arrived = false;
          const late: VerifyResult[] = [];
          const inFlight = Array.from({ length: slowReads + 1 }, () => b.verify(token).then((r) => (arrived ? late.push(r) : undefined)));
          await gate.allAnswered();
          const messages = seen.arrived.length;
          if (change === 'revoke') await a.revoke(`t${run}`, key.id);
          else if (change === 'pause') await a.setEnabled(`t${run}`, key.id, false);
          else await a.rotate(`t${run}`, key.id, { graceMs: 0 });
          await until(async () => seen.arrived.length > messages && seen.arrived.includes(key.id), 2_000);
          arrived = true;
          // The message has arrived on B: now deliver B's slow reads (and any re-reads).
          gate.open();
          while (gate.releaseOne(0));
          await Promise.all(inFlight);
          gate.close();
          for (const r of late) expect(r.valid, `B answered with the state before ${change}`).toBe(false);
          gate.open();
          expect((await b.verify(token)).valid, `B's cache after ${change}`).toBe(false);
          gate.close();
        }),
        { numRuns: 25 },
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }, 60_000);
});
