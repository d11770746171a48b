import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup, speedRatio, type Case } from '../lib/measure.js';
import { row, type Row } from '../lib/rows.js';

const SECTION = 'Verify vs number of stored keys (memory stores, 1,000 keys verified, spread over each store)';
const SIZES = [1_000, 100_000, 1_000_000];

/**
 * Verify cost as the store grows. Records go in through store.insert with precomputed hashes. All
 * three stores stay alive and are measured interleaved, so the sizes share one heap and one spell
 * of machine noise: what differs is only which store (and which cached records) a call reaches.
 */
export async function scaleSuite(): Promise<Row[]> {
  const cases: Case[] = [];
  const seconds = new Map<number, number>();
  const stores = [];
  for (const size of SIZES) {
    const store = memoryStore();
    stores.push(store);
    const started = performance.now();
    const { tokens } = await seed(store, 'sk', size, 1000);
    seconds.set(size, (performance.now() - started) / 1000);
    const warm = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 600_000 } });
    const cold = createKeyring({ store, prefix: 'sk', cache: false });
    for (const t of tokens) await warm.verify(t);
    const [nextWarm, nextCold] = [cycle(tokens), cycle(tokens)];
    cases.push({ name: `${size}.warm`, fn: () => warm.verify(nextWarm()), async: true });
    cases.push({ name: `${size}.cold`, fn: () => cold.verify(nextCold()), async: true });
  }
  const m = await measureGroup(cases, { rounds: 7, roundMs: 150, latencyMs: 200 });
  for (const store of stores) store.clear();

  const rows: Row[] = [];
  for (const size of SIZES) {
    const label = size.toLocaleString('en-US');
    const share = (kind: string) => `${Math.round(speedRatio(m[`${size}.${kind}`]!, m[`1000.${kind}`]!) * 100)}% of the 1,000-key rate`;
    rows.push(
      row(`scale.${size}.warm`, SECTION, `${label} keys, warm`, m[`${size}.warm`]!, {
        vsFloor: 'floor',
        note: `${share('warm')}; store filled in ${seconds.get(size)!.toFixed(1)} s`,
      }),
    );
    rows.push(row(`scale.${size}.cold`, SECTION, `${label} keys, cold (cache: false)`, m[`${size}.cold`]!, { vsFloor: 'floor', note: share('cold') }));
  }
  return rows;
}
