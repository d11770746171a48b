import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup, speedRatio } from '../lib/measure.js';
import { row, type Row } from '../lib/rows.js';
import { verdict } from '../lib/targets.js';

const SECTION = 'Traffic spread evenly over many active keys (memory store, every key verified in turn)';
/** KEYSMITH_BENCH_ACTIVE="10000,50000" for a short run while developing. */
const SIZES = (process.env.KEYSMITH_BENCH_ACTIVE ?? '100000,1000000').split(',').map(Number);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * Every key of the store is in use: a cache sized to them (`cache.max` = keys) against the default
 * (10,000 keys, 10 s), and the warm rate of one key as the yardstick. The cache's memory per key is
 * measured from the heap after filling it.
 */
export async function activeKeysSuite(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    const store = memoryStore();
    const { tokens } = await seed(store, 'sk', size, size);
    const sized = createKeyring({ store, prefix: 'sk', cache: { max: size, ttlMs: 600_000 } });
    const undersized: string[] = [];
    const byDefault = createKeyring({ store, prefix: 'sk', onEvent: (e) => e.type === 'cache.undersized' && undersized.push(e.reason) });
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    for (const t of tokens) if (!(await sized.verify(t)).valid) throw new Error('bench setup: a seeded key does not verify');
    gc();
    const kbPerKey = (process.memoryUsage().heapUsed - heapBefore) / size / 1024;
    const one = tokens[0]!;
    const [nextSized, nextDefault] = [cycle(tokens), cycle(tokens)];
    const m = await measureGroup(
      [
        { name: 'one', fn: () => sized.verify(one), async: true },
        { name: 'sized', fn: () => sized.verify(nextSized()), async: true },
        { name: 'default', fn: () => byDefault.verify(nextDefault()), async: true },
      ],
      { rounds: 7, roundMs: 200, latencyMs: 300 },
    );
    const label = size.toLocaleString('en-US');
    const sizedShare = speedRatio(m.sized!, m.one!);
    const defaultShare = speedRatio(m.default!, m.one!);
    rows.push(
      row(`active.${size}.one`, SECTION, `${label} keys in the store: one key, warm`, m.one!, { vsFloor: 'floor', note: 'the yardstick' }),
      row(`active.${size}.sized`, SECTION, `${label} active keys, cache.max = ${label}`, m.sized!, {
        vsFloor: 'floor',
        ...(size >= 1_000_000 ? { target: verdict(sizedShare >= 0.5, `≥ 50% of one warm key (${Math.round(sizedShare * 100)}%)`) } : {}),
        note: `${Math.round(sizedShare * 100)}% of one warm key; the cache costs ${kbPerKey.toFixed(1)} KB of heap per key`,
      }),
      row(`active.${size}.default`, SECTION, `${label} active keys, default cache (10,000 keys, 10 s)`, m.default!, {
        vsFloor: 'floor',
        note: `${Math.round(defaultShare * 100)}% of one warm key: evicted keys are read from the store; cache.undersized emitted ${undersized.length === 1 ? 'once' : `${undersized.length} times`}`,
      }),
    );
    store.clear();
    sized.invalidate();
    byDefault.invalidate();
  }
  return rows;
}
