import { describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

/**
 * A key whose grace period is over (or whose own expiry has passed) has nothing to hand over: its
 * successor would copy the expiry and be born expired. Rotate refuses it (VALIDATION).
 */
describe('rotating a key whose grace period is over', () => {
  it('is refused, rather than returning a token that is already expired', async () => {
    let now = Date.now();
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', clock: () => now });
    const { key } = await keyring.create({ tenantId: 't', name: 'k' });
    await keyring.rotate('t', key.id, { graceMs: 0 });
    now += 1_000;
    await expect(keyring.rotate('t', key.id, { graceMs: 0 })).rejects.toMatchObject({ code: 'VALIDATION', issues: [{ path: ['expiresAt'] }] });
    const expiring = await keyring.create({ tenantId: 't', name: 'e', expiresIn: 60_000 });
    now += 60_000;
    await expect(keyring.rotate('t', expiring.key.id)).rejects.toMatchObject({ code: 'VALIDATION' });
  });
});
