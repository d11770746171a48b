import net from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';

export const REDIS_URL = process.env.KEYSMITH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when Redis answers; when KEYSMITH_REDIS_URL is set (CI) Redis is required, so this is true. */
export async function redisAvailable(): Promise<boolean> {
  if (process.env.KEYSMITH_REDIS_URL) return true;
  const { hostname, port } = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function redisClient(options: RedisOptions = {}): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1, ...options });
}

/** A client to a port nothing listens on, that fails at once instead of queueing. */
export function deadRedisClient(): Redis {
  return new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
}
