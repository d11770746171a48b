import { createKeyring, type KeyStore } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { cycle, seed } from '../lib/fixtures.js';
import { row, type Row } from '../lib/rows.js';
import { verdict } from '../lib/targets.js';

const SECTION = 'lastUsedAt writes under load (memory store wrapped to count touch calls)';
const KEYS = 100;
const WORKERS = 32;

/** A store that records every touch (key id and time) before passing it on. */
function countingTouches(inner: KeyStore) {
  const touches = new Map<string, number[]>();
  const store: KeyStore = {
    ...inner,
    touch(id, at) {
      const list = touches.get(id) ?? [];
      list.push(at.getTime());
      touches.set(id, list);
      return inner.touch(id, at);
    },
  };
  return { store, touches };
}

/** Verifies from WORKERS concurrent loops for `durationMs`, then checks the spacing of writes per key. */
async function underLoad(touchIntervalMs: number, durationMs: number) {
  const inner = memoryStore();
  const { tokens } = await seed(inner, 'sk', KEYS, KEYS);
  const { store, touches } = countingTouches(inner);
  const keyring = createKeyring({ store, prefix: 'sk', touchIntervalMs });
  const next = cycle(tokens);
  let verifications = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      while (performance.now() - started < durationMs) {
        for (let i = 0; i < 64; i++) if ((await keyring.verify(next())).valid) verifications++;
        await new Promise((r) => setImmediate(r)); // let the other loops and the timers in
      }
    }),
  );
  const elapsed = performance.now() - started;
  let writes = 0;
  let minGap = Infinity;
  for (const list of touches.values()) {
    writes += list.length;
    for (let i = 1; i < list.length; i++) minGap = Math.min(minGap, list[i]! - list[i - 1]!);
  }
  const maxAllowed = KEYS * Math.ceil(elapsed / touchIntervalMs);
  return { verifications, writes, minGap, maxAllowed, keys: touches.size, elapsed };
}

export async function touchSuite(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [interval, duration] of [
    [60_000, 1500],
    [250, 2000],
  ] as const) {
    const r = await underLoad(interval, duration);
    const spaced = r.minGap >= interval || r.minGap === Infinity;
    const met = spaced && r.writes <= r.maxAllowed;
    rows.push(
      row(
        `touch.${interval}`,
        SECTION,
        `touchIntervalMs ${interval.toLocaleString('en-US')}: ${WORKERS} concurrent callers, ${KEYS} keys, ${(r.elapsed / 1000).toFixed(1)} s`,
        null,
        {
          opsPerSec: (r.verifications / r.elapsed) * 1000,
          target: verdict(met, `≤ 1 write per key per interval (${r.writes} writes, bound ${r.maxAllowed})`),
          note: `${r.verifications.toLocaleString('en-US')} verifications → ${r.writes} touch calls on ${r.keys} keys; closest two writes of one key ${r.minGap === Infinity ? 'n/a (one each)' : `${r.minGap} ms apart`}`,
        },
      ),
    );
  }
  return rows;
}
