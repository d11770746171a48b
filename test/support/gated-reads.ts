import type { KeyStore } from 'keysmith';

/** One `findById` the gate is holding: the real read has been sent; its answer waits for `release`. */
interface HeldRead {
  id: string;
  /** Settles when the real store has answered (the read's snapshot is taken). */
  answered: Promise<void>;
  /** Hands the store's answer to the caller. */
  release(): void;
}

/**
 * An honest wrapper around a real store: every method passes straight through, except that while
 * the gate is closed each `findById` is sent to the store at once but its answer is held until the
 * test releases it. That is exactly a slow read: started before a change, delivered after it.
 */
export function gatedReads(inner: KeyStore) {
  const held: HeldRead[] = [];
  let closed = true;
  let reads = 0;
  const store: KeyStore = {
    insert: (r) => inner.insert(r),
    findById(id) {
      reads++;
      const read = inner.findById(id);
      if (!closed) return read;
      return new Promise((resolve, reject) => {
        const answered = read.then(
          () => {},
          () => {},
        );
        held.push({ id, answered, release: () => void read.then(resolve, reject) });
      });
    },
    get: (t, i) => inner.get(t, i),
    list: (t, q) => inner.list(t, q),
    update: (t, i, p, v) => inner.update(t, i, p, v),
    revoke: (t, i, at, by) => inner.revoke(t, i, at, by),
    supersede: (t, i, c, v) => inner.supersede(t, i, c, v),
    consume: (i, c) => inner.consume(i, c),
    refill: (i, a, p) => inner.refill(i, a, p),
    touch: (i, at) => inner.touch(i, at),
  };
  return {
    store,
    /** Reads sent so far (held or not). */
    get reads() {
      return reads;
    },
    /** Reads whose answers are being held, oldest first. */
    held,
    /** Releases the held read at `index` (modulo the number held); false when none is held. */
    releaseOne(index: number): boolean {
      if (held.length === 0) return false;
      const [read] = held.splice(index % held.length, 1);
      read!.release();
      return true;
    },
    /** Waits until every held read has its answer from the store. */
    async allAnswered(): Promise<void> {
      await Promise.all(held.map((r) => r.answered));
    },
    /** Stops holding: held reads stay held until released, new reads pass straight through. */
    open() {
      closed = false;
    },
    close() {
      closed = true;
    },
  };
}
