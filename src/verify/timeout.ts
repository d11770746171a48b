/**
 * Store-call deadlines without a timer per call. Every call of one keyring has the same timeout,
 * so deadlines arrive in the order calls start: one FIFO list per timeout, whose head is always
 * the next to expire, and one timer armed for that head. A call that settles unlinks itself (O(1));
 * the timer, when it fires, rejects the calls whose time is up and re-arms for the new head. When the
 * list empties the timer is unref'd, not cleared, so an idle process is never kept alive by it and
 * calls one after another (a cold verify each) reuse one timer instead of arming and clearing one each.
 * Compared with `setTimeout` + `Promise.race` + `finally` per call, this saves a Timeout object, a
 * race promise, a finally promise and their closures on every cold verify.
 */

class Waiter<T> {
  prev: Waiter<T> | null = null;
  next: Waiter<T> | null = null;
  constructor(
    readonly deadline: number,
    readonly resolve: (value: T) => void,
    readonly reject: (error: unknown) => void,
  ) {}
}

class DeadlineList {
  private head: Waiter<never> | null = null;
  private tail: Waiter<never> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly ms: number) {}

  add<T>(waiter: Waiter<T>): void {
    const w = waiter as unknown as Waiter<never>;
    w.prev = this.tail;
    if (this.tail) this.tail.next = w;
    else {
      this.head = w;
      // An unref'd timer is armed for an earlier call's deadline (deadlines only grow): it fires early and re-arms for this one.
      if (this.timer !== null) this.timer.ref?.();
    }
    this.tail = w;
    if (this.timer === null) this.arm();
  }

  /** Unlinks a settled call; the timer stays armed (it re-arms, or stops when nothing is left, when it fires). */
  remove<T>(waiter: Waiter<T>): void {
    const w = waiter as unknown as Waiter<never>;
    if (w.prev) w.prev.next = w.next;
    else if (this.head === w) this.head = w.next;
    else return; // already removed
    if (w.next) w.next.prev = w.prev;
    else this.tail = w.prev;
    w.prev = null;
    w.next = null;
    if (this.head === null && this.timer !== null) {
      // Nothing left to watch: a script that verified once must not be kept alive until the deadline.
      if (typeof this.timer.unref === 'function') this.timer.unref();
      else {
        clearTimeout(this.timer); // a runtime whose timers are numbers
        this.timer = null;
      }
    }
  }

  private arm(): void {
    const head = this.head;
    if (head === null) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(this.expire, Math.max(0, head.deadline - performance.now()));
  }

  private readonly expire = (): void => {
    const now = performance.now();
    this.timer = null;
    while (this.head !== null && this.head.deadline <= now) {
      const w = this.head;
      this.remove(w);
      w.reject(new Error(`Store call timed out after ${this.ms} ms`));
    }
    if (this.timer === null) this.arm();
  };
}

const lists = new Map<number, DeadlineList>();

/** Rejects when `promise` has not settled within `ms`, so a hung store fails closed in bounded time. */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!(ms > 0) || !Number.isFinite(ms)) return promise;
  let list = lists.get(ms);
  if (list === undefined) {
    list = new DeadlineList(ms);
    lists.set(ms, list);
  }
  const deadlines = list;
  return new Promise<T>((resolve, reject) => {
    const waiter = new Waiter<T>(performance.now() + ms, resolve, reject);
    deadlines.add(waiter);
    promise.then(
      (value) => {
        deadlines.remove(waiter);
        resolve(value);
      },
      (error: unknown) => {
        deadlines.remove(waiter);
        reject(error);
      },
    );
  });
}
