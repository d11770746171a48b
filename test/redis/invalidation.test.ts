import { randomBytes } from 'node:crypto';
import { afterAll, describe, it } from 'vitest';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation } from 'keysmith/redis';
import { runInvalidationChannelConformance } from 'keysmith/testing';
import { redisAvailable, redisClient } from '../support/redis.js';

const available = await redisAvailable();

describe.skipIf(!available)('redis invalidation (real Redis)', () => {
  // Every connection of this file, the subscribers that redisInvalidation duplicates included, carries
  // this name: an outage is simulated by killing those connections only, not other runs' on the server.
  const connectionName = `keysmith-test-${randomBytes(5).toString('hex')}`;
  const clients = [redisClient({ connectionName }), redisClient({ connectionName })];
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.quit()));
  });

  runInvalidationChannelConformance({
    name: 'redis pub/sub',
    createFleet: () => {
      const channel = `keysmith:test:inv:${randomBytes(6).toString('hex')}`;
      let n = 0;
      return { channel, instance: () => redisInvalidation({ client: clients[n++ % 2]!, channel }) };
    },
    sendRaw: async (fleet, message) => void (await clients[0]!.publish(fleet.channel, message)),
    interrupt: async () => {
      const list = String(await clients[0]!.call('CLIENT', 'LIST', 'TYPE', 'pubsub'));
      const ids = list
        .split('\n')
        .filter((line) => line.includes(` name=${connectionName} `))
        .map((line) => /^id=(\d+)/.exec(line)![1]!);
      for (const id of ids) await clients[0]!.call('CLIENT', 'KILL', 'ID', id);
    },
    createStore: () => memoryStore(),
    test: { describe, it },
  });
});
