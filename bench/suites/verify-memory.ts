import { hash } from 'node:crypto';
import { createKeyring } from 'keysmith';
import { constantTimeEqual, nobleHasher } from '../../src/token/hash.js';
import { memoryStore } from 'keysmith/memory';
import { cycle, seed } from '../lib/fixtures.js';
import { measureGroup } from '../lib/measure.js';
import { betterAuthPeer, prefixedApiKeyPeer } from '../lib/peers.js';
import { row, type Row } from '../lib/rows.js';

const SECTION = 'Verify, in process (1,000 keys, one call at a time)';
const KEYS = 1000;
const BA_KEYS = 10;

/**
 * The floor (what any verifier must do: hash the token, find the stored hash, compare), keysmith's
 * verify warm and cold, and the peers — measured with interleaved rounds so they share the noise.
 */
export async function verifyMemorySuite(): Promise<Row[]> {
  const store = memoryStore();
  const { tokens, ids } = await seed(store, 'sk', KEYS, KEYS);
  const warm = createKeyring({ store, prefix: 'sk' });
  const cold = createKeyring({ store, prefix: 'sk', cache: false });
  const noble = createKeyring({ store, prefix: 'sk', hasher: nobleHasher });

  // The floor's table: id -> hex digest, in a plain Map.
  const floorTable = new Map(ids.map((id, i) => [id, hash('sha256', tokens[i]!, 'hex')]));
  const idOf = (t: string) => t.slice(t.length - 55, t.length - 39); // <prefix>_<id16>_<secret32><checksum6>
  const floor = (digest: (t: string) => string) => {
    const next = cycle(tokens);
    return () => {
      const t = next();
      const stored = floorTable.get(idOf(t));
      return stored !== undefined && constantTimeEqual(digest(t), stored);
    };
  };

  // better-auth's memory adapter scans its rows on every lookup, so it gets only a few keys: its best case.
  // The same work answered through an awaited promise, as any async verify API must: the part of the
  // gap between the floor and keysmith that no implementation of an async verify can avoid.
  const syncFloor = floor((t) => hash('sha256', t, 'hex'));
  const asyncFloor = () => Promise.resolve({ valid: syncFloor() });

  const ba = await betterAuthPeer();
  const baKeys: string[] = [];
  for (let i = 0; i < BA_KEYS; i++) baKeys.push(await ba.create());
  const pak = await prefixedApiKeyPeer(KEYS);

  const scopes = { scopes: ['evidence:read'] };
  const nextWarm = cycle(tokens);
  const nextWarmScoped = cycle(tokens);
  const nextCold = cycle(tokens);
  const nextNoble = cycle(tokens);
  const nextBa = cycle(baKeys);
  const nextPak = cycle(pak.tokens);
  for (const t of tokens) if (!(await warm.verify(t)).valid) throw new Error('bench setup: a seeded key does not verify');
  if (!(await ba.verify(baKeys[0]!))) throw new Error('bench setup: better-auth rejects its own key');

  const m = await measureGroup(
    [
      { name: 'floor', fn: floor((t) => hash('sha256', t, 'hex')) },
      { name: 'floor.async', fn: asyncFloor, async: true },
      { name: 'floor.noble', fn: floor((t) => nobleHasher.sha256Hex(t)) },
      { name: 'warm', fn: () => warm.verify(nextWarm()), async: true },
      { name: 'warm.scoped', fn: () => warm.verify(nextWarmScoped(), scopes), async: true },
      { name: 'warm.noble', fn: () => noble.verify(nextNoble()), async: true },
      { name: 'cold', fn: () => cold.verify(nextCold()), async: true },
      { name: 'pak', fn: () => pak.verify(nextPak()) },
      { name: 'ba', fn: () => ba.verify(nextBa()), async: true },
    ],
    { rounds: 15, roundMs: 150 },
  );

  return [
    row('floor', SECTION, 'floor: SHA-256 (node:crypto one-shot) + Map lookup + constant-time compare', m.floor!, {
      note: 'synchronous; the least any verifier does',
    }),
    row('floor.async', SECTION, 'floor behind an awaited promise', m['floor.async']!, { vsFloor: 'floor', note: 'what being async costs by itself' }),
    row('floor.noble', SECTION, 'floor with @noble/hashes (edge runtimes)', m['floor.noble']!, { vsFloor: 'floor' }),
    row('mem.warm', SECTION, 'keysmith verify, memory store, warm (cache on)', m.warm!, { vsFloor: 'floor', vsPeer: 'ba.verify' }),
    row('mem.warm.scoped', SECTION, 'keysmith verify + scope check, warm', m['warm.scoped']!, { vsFloor: 'floor', vsPeer: 'ba.verify' }),
    row('mem.warm.noble', SECTION, 'keysmith verify, warm, @noble/hashes hasher', m['warm.noble']!, {
      vsFloor: 'floor.noble',
      vsPeer: 'ba.verify',
      note: 'vs floor with the same hash',
    }),
    row('mem.cold', SECTION, 'keysmith verify, memory store, cold (cache: false)', m.cold!, {
      vsFloor: 'floor',
      vsPeer: 'ba.verify',
      note: 'store read (a deep copy of the record) + permissions each call',
    }),
    row('pak.verify', SECTION, 'prefixed-api-key checkAPIKey (+ Map lookup)', m.pak!, {
      vsFloor: 'floor',
      vsPeer: 'ba.verify',
      note: 'synchronous; hash + compare only, no status or scopes',
    }),
    row('ba.verify', SECTION, `better-auth verifyApiKey (memory adapter, rate limit off, ${BA_KEYS} keys)`, m.ba!, {
      vsFloor: 'floor',
      note: 'its memory adapter scans rows: fewer keys is its best case',
    }),
  ];
}
