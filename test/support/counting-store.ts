import type { KeyStore } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

/** A real memory store that counts how often each method is called. */
export function countingStore(inner: KeyStore = memoryStore()) {
  const calls: Record<string, number> = {};
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[String(prop)] = (calls[String(prop)] ?? 0) + 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  const total = () => Object.values(calls).reduce((a, b) => a + b, 0);
  return { store, calls, total };
}

/** A store whose every method rejects, as a dead connection would. */
export function downStore(): KeyStore {
  const fail = async () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
  };
  return { insert: fail, findById: fail, get: fail, list: fail, update: fail, revoke: fail, supersede: fail, consume: fail, refill: fail, touch: fail };
}

/** A clock tests can move. */
export function manualClock(start = Date.UTC(2026, 0, 1, 12)) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms), set: (t: number) => (now = t) };
}
