export { redisLimiter, type RedisLimiterOptions } from './limiter.js';
export { redisInvalidation, type RedisInvalidationOptions } from './invalidation.js';
export type { RedisLike, RedisPubSubLike, RedisSubscriberLike } from './client.js';
