import type { InvalidationChannel } from 'keysmith';

/**
 * An in-process invalidation channel: a real (if single-process) implementation of the interface —
 * `publish` delivers to every subscriber — that also keeps every published message, so a test can
 * say exactly what a keyring announced.
 */
export function localChannel() {
  const published: string[] = [];
  const subscribers = new Set<(id: string) => void>();
  const channel: InvalidationChannel = {
    async publish(keyId) {
      published.push(keyId);
      for (const deliver of subscribers) deliver(keyId);
    },
    async subscribe({ onMessage, onStatus }) {
      subscribers.add(onMessage);
      onStatus('up', 'in process');
      return async () => {
        subscribers.delete(onMessage);
      };
    },
  };
  return { channel, published };
}
