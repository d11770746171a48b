import { describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

/**
 * KNOWN ISSUE (reported, in src/management.ts `rotate`): a key whose grace period is over is
 * still "live" to rotate (only revocation is checked), so rotating it again succeeds (201) and
 * hands out a new token that copied the old key's expiry: it is born expired. The same gap lets
 * concurrent rotations on a pooled database succeed more than once (races.test.ts shows the
 * count). Marked `fails`; drop `.fails` once rotate refuses an expired key.
 */
describe('rotating a key whose grace period is over', () => {
  it.fails('is refused, rather than returning a token that is already expired', async () => {
    let now = Date.now();
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: () => now });
    const { key } = await keyring.create({ tenantId: 't', name: 'k' });
    await keyring.rotate('t', key.id, { graceMs: 0 });
    now += 1_000;
    const again = await keyring.rotate('t', key.id, { graceMs: 0 }).catch((error: unknown) => error);
    if (again instanceof Error) return; // refused: the wanted behaviour
    expect(await keyring.verify((again as { token: string }).token)).toMatchObject({ valid: true });
  });
});
