import { describe, expect, it, vi } from 'vitest';
import { withTimeout } from '../../src/verify/timeout.js';

const never = () => new Promise<never>(() => {});
const later = <T>(value: T, ms: number) => new Promise<T>((r) => setTimeout(() => r(value), ms));

describe('withTimeout: one shared deadline list per timeout instead of a timer per call', () => {
  it('passes values and errors through; rejects a hung call after the time, in order of start', async () => {
    await expect(withTimeout(Promise.resolve(1), 50)).resolves.toBe(1);
    await expect(withTimeout(Promise.reject(new Error('boom')), 50)).rejects.toThrow('boom');
    const started = performance.now();
    const order: number[] = [];
    const hung = [0, 1, 2].map((i) =>
      withTimeout(never(), 60).catch((e: Error) => {
        order.push(i);
        return e.message;
      }),
    );
    const quick = withTimeout(later('ok', 10), 60);
    expect(await quick).toBe('ok');
    expect(await Promise.all(hung)).toEqual(Array(3).fill('Store call timed out after 60 ms'));
    expect(order).toEqual([0, 1, 2]);
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(59);
  });

  it('calls that settle in time never time out, interleaved with ones that do', async () => {
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => withTimeout(i % 10 === 0 ? never() : later(i, i % 7), 40)));
    const timedOut = results.flatMap((r, i) => (r.status === 'rejected' ? [i] : []));
    expect(timedOut).toEqual(Array.from({ length: 20 }, (_, k) => k * 10));
    for (const [i, r] of results.entries()) if (r.status === 'fulfilled') expect(r.value).toBe(i);
  });

  it('no timer is left behind once every call settled (an idle process may exit)', async () => {
    await withTimeout(later(1, 5), 10_000);
    // process.getActiveResourcesInfo lists timers by type; none of ours may remain armed for 10 s.
    const timers = () => process.getActiveResourcesInfo().filter((t) => t === 'Timeout').length;
    const before = timers();
    await withTimeout(Promise.resolve(2), 10_000);
    expect(timers()).toBeLessThanOrEqual(before);
    const pending = withTimeout(later(3, 5), 10_000);
    expect(timers()).toBeGreaterThan(0);
    await pending;
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBeLessThanOrEqual(before);
  });

  it('calls one after another reuse one timer; a call after the list emptied still gets its whole time', async () => {
    const arm = vi.spyOn(globalThis, 'setTimeout');
    try {
      for (let i = 0; i < 100; i++) await withTimeout(Promise.resolve(i), 77);
      expect(arm.mock.calls.filter(([, ms]) => typeof ms === 'number' && ms > 0 && ms <= 77).length).toBeLessThanOrEqual(1);
    } finally {
      arm.mockRestore();
    }
    await new Promise((r) => setTimeout(r, 40)); // the reused timer is armed for the first call's deadline
    const started = performance.now();
    await expect(withTimeout(never(), 77)).rejects.toThrow('timed out');
    expect(performance.now() - started).toBeGreaterThanOrEqual(76);
  });
});
