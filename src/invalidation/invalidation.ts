import { isKeyId } from '../token/token.js';

/**
 * Carries "key X changed" between keyring instances, so a revoke, pause or permission change on one
 * instance drops the cached record everywhere at once instead of at TTL expiry.
 */
export interface InvalidationChannel {
  /** Tells every subscriber (this instance included) that the key changed. */
  publish(keyId: string): Promise<void>;
  /**
   * Starts delivering messages. `onStatus('down')` when the channel drops (messages may be lost),
   * `onStatus('up')` when it is back. Returns an unsubscribe function.
   */
  subscribe(handlers: { onMessage(keyId: string): void; onStatus(status: 'up' | 'down', reason: string): void }): Promise<() => Promise<void>>;
}

/** Whether a published message is a key id and nothing else (messages come from the network). */
export function isKeyIdMessage(message: unknown): message is string {
  return isKeyId(message);
}
