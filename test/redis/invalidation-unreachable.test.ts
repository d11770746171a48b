import net from 'node:net';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { createKeyring, type KeysmithEvent } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { redisInvalidation } from 'keysmith/redis';

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('redis invalidation when Redis is unreachable at startup', () => {
  it.each([
    ['connecting at once', false],
    ['lazyConnect', true],
  ])('keyring.ready() rejects and cache.degraded is emitted, instead of waiting forever while ioredis retries (%s)', async (_name, lazyConnect) => {
    // A default ioredis client: it retries for ever, as an application's would.
    const client = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect });
    client.on('error', () => {});
    const events: KeysmithEvent[] = [];
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', invalidation: redisInvalidation({ client }), onEvent: (e) => void events.push(e) });
    try {
      await expect(keyring.ready()).rejects.toThrow(/first connection failed \(connect ECONNREFUSED/);
      await expect.poll(() => events.some((e) => e.type === 'cache.degraded')).toBe(true);
      // Verify still answers: the cache falls back to its TTL.
      const { token } = await keyring.create({ tenantId: 't', name: 'k' });
      expect((await keyring.verify(token)).valid).toBe(true);
    } finally {
      await keyring.close();
      client.disconnect();
    }
  });
});
