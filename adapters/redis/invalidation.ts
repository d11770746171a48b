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
      // A client without an offline queue refuses commands until it is connected.
      if (subscriber.status !== undefined && subscriber.status !== 'ready') await new Promise<void>((resolve) => subscriber.once('ready', resolve));
      await subscriber.subscribe(channel);
      up = true;
      return async () => {
        up = false;
        await subscriber.quit().catch(() => {});
      };
    },
  };
}
