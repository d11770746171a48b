import { isKeyIdMessage, type InvalidationChannel } from 'keysmith';
import type { RedisPubSubLike, RedisSubscriberLike } from './client.js';

export interface RedisInvalidationOptions {
  /** An ioredis client; a second connection is made with `duplicate()` for subscribing. */
  client: RedisPubSubLike;
  /** @default 'keysmith:invalidate' */
  channel?: string;
}

/** Fleet-wide cache invalidation over Redis pub/sub. */
export function redisInvalidation(options: RedisInvalidationOptions): InvalidationChannel {
  const channel = options.channel ?? 'keysmith:invalidate';
  return {
    async publish(keyId) {
      await options.client.publish(channel, keyId);
    },
    async subscribe({ onMessage, onStatus }) {
      const subscriber: RedisSubscriberLike = options.client.duplicate();
      let up = false;
      subscriber.on('message', (from, message) => {
        if (from === channel && isKeyIdMessage(message)) onMessage(message);
      });
      subscriber.on('close', () => {
        if (up) onStatus('down', 'connection closed');
        up = false;
      });
      subscriber.on('error', () => {}); // 'close' reports the outage; ioredis reconnects and resubscribes
      subscriber.on('ready', () => {
        if (!up) onStatus('up', 'connected');
        up = true;
      });
      // A client without an offline queue refuses commands until it is connected. If the first
      // connection fails, subscribe rejects (as postgresInvalidation's does): a wrong URL or a
      // Redis that is down shows at startup (`keyring.ready()` rejects, `cache.degraded` is
      // emitted) instead of `ready()` waiting forever while ioredis retries.
      if (subscriber.status !== undefined && subscriber.status !== 'ready') await firstConnection(subscriber);
      await subscriber.subscribe(channel);
      up = true;
      return async () => {
        up = false;
        await subscriber.quit().catch(() => {});
      };
    },
  };
}

/** Resolves when the subscriber is connected; rejects (and stops it reconnecting) if its first attempt fails. */
function firstConnection(subscriber: RedisSubscriberLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      if (subscriber.disconnect) subscriber.disconnect();
      else subscriber.quit().catch(() => {});
      reject(new Error(`Redis invalidation channel: the first connection failed (${reason})`));
    };
    subscriber.once('ready', () => {
      if (settled) return;
      settled = true;
      resolve();
    });
    subscriber.once('error', (error) => fail(error.message));
    subscriber.once('end', () => fail('connection ended'));
    // A client made with lazyConnect (status 'wait') does not connect until asked.
    if (subscriber.status === 'wait' && subscriber.connect) subscriber.connect().catch((error: Error) => fail(error.message));
  });
}
