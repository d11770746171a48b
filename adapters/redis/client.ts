/**
 * The few calls keysmith makes, in ioredis's shape (`new Redis(url)`), so no Redis package is
 * imported here. node-redis users can wrap their client in these methods.
 */
export interface RedisLike {
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

export interface RedisPubSubLike {
  publish(channel: string, message: string): Promise<unknown>;
  /** A second connection for subscribing (ioredis: `client.duplicate()`). */
  duplicate(): RedisSubscriberLike;
}

export interface RedisSubscriberLike {
  /** ioredis: 'ready' once connected. */
  readonly status?: string;
  subscribe(channel: string): Promise<unknown>;
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  once(event: 'ready' | 'end', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  quit(): Promise<unknown>;
  /** ioredis: closes at once and stops reconnecting (used when the first connection fails). */
  disconnect?(): void;
  /** ioredis: connects a client made with `lazyConnect` (status `wait`). */
  connect?(): Promise<unknown>;
}
