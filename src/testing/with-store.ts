import type { ConformanceOptions, StoreHarness } from './harness.js';

/** Wraps a test body: gets a store from the factory and always runs its cleanup. */
export function withStore(options: ConformanceOptions) {
  return (body: (harness: StoreHarness) => Promise<void>) => async () => {
    const harness = await options.createStore();
    try {
      await body(harness);
    } finally {
      await harness.cleanup?.();
    }
  };
}
