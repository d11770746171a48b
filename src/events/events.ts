import { redactSecrets } from '../errors/redact.js';
import type { VerifyFailureCode } from '../verify/verify-result.js';

/** What the keyring reports through `onEvent`. Ids only: never a token, a secret or a hash. */
export type KeysmithEvent =
  | { type: 'key.created' | 'key.updated' | 'key.revoked' | 'key.imported'; at: Date; keyId: string; tenantId: string; actorId: string | null }
  | { type: 'key.rotated'; at: Date; keyId: string; newKeyId: string; tenantId: string; actorId: string | null }
  | { type: 'key.verified'; at: Date; keyId: string; tenantId: string }
  | { type: 'key.rejected'; at: Date; code: VerifyFailureCode; keyId: string | null; tenantId: string | null }
  | { type: 'store.error'; at: Date; operation: string; error: string }
  | { type: 'cache.degraded' | 'cache.restored'; at: Date; reason: string }
  /** Once per keyring: more keys are in use within the cache's TTL than `cache.max` holds (raise it). */
  | { type: 'cache.undersized'; at: Date; reason: string; max: number };

export type EventListener = (event: KeysmithEvent) => void;

/** Calls the listener without letting it break the caller (a throwing logger must not fail a verify). */
export function emitter(listener: EventListener | undefined): EventListener {
  if (!listener) return () => {};
  return (event) => {
    try {
      // The free-text fields (a store error's description, a cache reason) may quote what a caller sent.
      if ('error' in event) event = { ...event, error: redactSecrets(event.error) };
      else if ('reason' in event) event = { ...event, reason: redactSecrets(event.reason) };
      listener(event);
    } catch {
      // The application's listener failed; keysmith's answer must not depend on it.
    }
  };
}

/** A store error described without its message, which may quote values. */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' || typeof code === 'number' ? `${error.name} (${code})` : error.name;
  }
  return typeof error;
}
