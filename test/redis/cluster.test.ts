import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisLimiter } from 'keysmith/redis';
import { runLimiterConformance } from 'keysmith/testing';
import { clusterTools, startCluster, type LocalCluster } from './cluster.js';

/** sec-edge's port range (41300-41399): three masters, their bus ports 10000 above. */
const PORTS = [41301, 41302, 41303];

describe.skipIf(!clusterTools)(
  `redis limiter on a real three-master Redis Cluster${clusterTools ? '' : ' — skipped: redis-server / redis-cli are not installed'}`,
  () => {
    let cluster: LocalCluster | undefined;
    let client: Cluster;
    const keyPrefix = `keysmith:cluster:${Date.now()}:`;
    beforeAll(async () => {
      cluster = await startCluster(PORTS);
      client = new Cluster(
        PORTS.map((port) => ({ host: '127.0.0.1', port })),
        { redisOptions: { maxRetriesPerRequest: 1 } },
      );
      await new Promise((resolve, reject) => {
        client.once('ready', resolve);
        client.once('error', reject);
      });
    }, 60_000);
    afterAll(async () => {
      await client?.quit().catch(() => client.disconnect());
      await cluster?.stop(); // only the servers this test started
    }, 30_000);

    runLimiterConformance({ name: 'redis cluster', createLimiter: () => redisLimiter({ client, keyPrefix }), test: { describe, it } });

    it('every counter of one limit lives in one slot, and the counters of a key spread over the masters', async () => {
      const slotPrefix = `${keyPrefix}slots:`;
      const limiter = redisLimiter({ client, keyPrefix: slotPrefix });
      const groups = Array.from({ length: 30 }, (_, i) => `tenant_${i}`);
      for (const group of groups) {
        expect(await limiter.limit([{ key: `key:${group}:burst`, limit: 5, windowMs: 60_000, group }], 1, Date.now())).toMatchObject({ allowed: true });
      }
      const slotsPerLimit = new Map<string, Set<number>>();
      const mastersUsed = new Set<string>();
      for (const node of client.nodes('master')) {
        const keys = await node.keys(`${slotPrefix}*`);
        if (keys.length > 0) mastersUsed.add(`${node.options.port}`);
        for (const key of keys) {
          const limit = key.replace(/:(sum|seq)$/, '');
          const slot = Number(await node.cluster('KEYSLOT', key));
          slotsPerLimit.set(limit, (slotsPerLimit.get(limit) ?? new Set()).add(slot));
        }
      }
      expect(slotsPerLimit.size).toBe(30);
      for (const [limit, slots] of slotsPerLimit) expect(slots.size, limit).toBe(1);
      expect(mastersUsed.size).toBe(3);
    });

    it('a fleet of keyrings shares per-key and per-owner limits on the cluster, exactly', async () => {
      const store = memoryStore();
      const fleet = [0, 1, 2].map(() => createKeyring({ store, prefix: 'sk', limiter: redisLimiter({ client, keyPrefix }) }));
      const rateLimits = [
        { name: 'burst', limit: 20, windowMs: 60_000 },
        { name: 'plan', limit: 30, windowMs: 60_000, per: 'owner' as const },
      ];
      const a = await fleet[0]!.create({ tenantId: 't', name: 'a', ownerId: 'cust', rateLimits });
      const b = await fleet[0]!.create({ tenantId: 't', name: 'b', ownerId: 'cust', rateLimits });
      const results = await Promise.all(Array.from({ length: 90 }, (_, i) => fleet[i % 3]!.verify(i % 2 ? a.token : b.token)));
      expect(results.filter((r) => r.valid)).toHaveLength(30); // the owner's plan; each key alone ≤ 20
      expect(results.every((r) => r.valid || r.code === 'RATE_LIMITED')).toBe(true);
    });
  },
);
