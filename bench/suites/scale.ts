import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup } from '../lib/measure.js';
import { row, type Row } from '../lib/rows.js';

const SECTION = 'Verify vs number of stored keys (memory store, 1,000 keys verified, spread over the store)';
const SIZES = [1_000, 100_000, 1_000_000];

/** Verify cost as the store grows: records go in through store.insert with precomputed hashes. */
export async function scaleSuite(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const size of SIZES) {
    let store: ReturnType<typeof memoryStore> | null = memoryStore();
    const started = performance.now();
    const { tokens } = await seed(store, 'sk', size, 1000);
    const seedSec = (performance.now() - started) / 1000;
    const warm = createKeyring({ store, prefix: 'sk', cache: { ttlMs: 600_000 } });
    const cold = createKeyring({ store, prefix: 'sk', cache: false });
    for (const t of tokens) await warm.verify(t);
    const [nextWarm, nextCold] = [cycle(tokens), cycle(tokens)];
    const m = await measureGroup(
      [
        { name: 'warm', fn: () => warm.verify(nextWarm()), async: true },
        { name: 'cold', fn: () => cold.verify(nextCold()), async: true },
      ],
      { rounds: 5, roundMs: 200, latencyMs: 200 },
    );
    const label = size.toLocaleString('en-US');
    rows.push(row(`scale.${size}.warm`, SECTION, `${label} keys, warm`, m.warm!, { vsFloor: 'floor', note: `store filled in ${seedSec.toFixed(1)} s` }));
    rows.push(row(`scale.${size}.cold`, SECTION, `${label} keys, cold (cache: false)`, m.cold!, { vsFloor: 'floor' }));
    store.clear();
    store = null; // let the million records go before the next size
  }
  const small = rows.find((r) => r.id === 'scale.1000.warm')!;
  const big = rows.find((r) => r.id === 'scale.1000000.warm')!;
  big.note = `${big.note}; ${Math.round((big.opsPerSec! / small.opsPerSec!) * 100)}% of the 1,000-key rate`;
  return rows;
}
