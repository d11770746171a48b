import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { measureGroup } from '../lib/measure.js';
import { betterAuthPeer } from '../lib/peers.js';
import { row, type Row } from '../lib/rows.js';

const SECTION = 'Create (memory stores, one call at a time)';

/** Minting throughput: keysmith's create (validation, token, hash, insert) next to better-auth's. */
export async function createSuite(): Promise<Row[]> {
  const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
  const ba = await betterAuthPeer();
  const input = { tenantId: 'bench', name: 'bench key', scopes: ['evidence:read'] };
  const m = await measureGroup(
    [
      { name: 'keysmith', fn: () => keyring.create(input), async: true },
      { name: 'ba', fn: () => ba.create(), async: true },
    ],
    { rounds: 5, roundMs: 200, latencyMs: 200, latencySamples: 2000 },
  );
  return [
    row('ks.create', SECTION, 'keysmith create (zod validation, token, SHA-256, insert)', m.keysmith!, { vsPeer: 'ba.create' }),
    row('ba.create', SECTION, 'better-auth createApiKey (memory adapter)', m.ba!),
  ];
}
