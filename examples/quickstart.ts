/**
 * The life of one API key, start to finish. Run it with `npm run demo`.
 * It uses the embedded default store (see examples/default-store.ts): nothing to install.
 */
import { createKeyring, type VerifyResult } from 'keysmith';

console.log('keysmith demo: the life of one API key, on an embedded PostgreSQL (PGlite, in memory)');
console.log('\nStarting the embedded database…');
// Imported here rather than at the top, so the lines above show before PGlite loads and boots.
const { PGlite } = await import('@electric-sql/pglite');
const { defaultStore } = await import('./default-store.js');
const db = new PGlite();

const DAY = 86_400_000;
let now = Date.now();
const keyring = createKeyring({
  store: await defaultStore(db),
  prefix: 'sk_demo',
  scopes: ['invoices:read', 'invoices:write', 'customers:read'],
  roles: { Viewer: ['invoices:read', 'customers:read'], Billing: { scopes: ['invoices:write'], inherits: ['Viewer'] } },
  clock: () => now, // a clock we can move, to show expiry without waiting a week
});

const show = (step: string, result: VerifyResult) =>
  console.log(`  ${step.padEnd(46)} → ${result.valid ? `✅ valid (key ${result.key.id})` : `❌ ${result.code}: ${result.message}`}`);

console.log('\n1. Mint a key for tenant "acme" with the Viewer role, expiring in 7 days');
const { key, token } = await keyring.create({ tenantId: 'acme', name: 'Reporting job', roles: ['Viewer'], expiresIn: '7d', createdBy: 'alice' });
console.log(`  token (shown once, store it now): ${token}`);
console.log(`  preview (safe to log):            ${key.preview}`);
console.log(
  `  what the store keeps:             ${JSON.stringify({ id: key.id, tenantId: key.tenantId, roles: key.roles, expiresAt: key.expiresAt })} + a SHA-256 hash`,
);

console.log('\n2. Verify it');
show('verify(token)', await keyring.verify(token));
show('verify(token, { scopes: ["invoices:read"] })', await keyring.verify(token, { scopes: ['invoices:read'] }));
show('verify(typo)', await keyring.verify(token.slice(0, -1) + (token.endsWith('x') ? 'y' : 'x')));

console.log('\n3. Ask for a scope the key does not have');
show('verify(token, { scopes: ["invoices:write"] })', await keyring.verify(token, { scopes: ['invoices:write'] }));

console.log('\n4. Pause, then resume');
await keyring.setEnabled('acme', key.id, false);
show('after setEnabled(false)', await keyring.verify(token));
await keyring.setEnabled('acme', key.id, true);
show('after setEnabled(true)', await keyring.verify(token));

console.log('\n5. Another tenant cannot see or touch it');
console.log(`  get("globex", id) → ${JSON.stringify(await keyring.get('globex', key.id))}`);
await keyring.revoke('globex', key.id).catch((e: Error & { code: string }) => console.log(`  revoke("globex", id) → ${e.code}: ${e.message}`));

console.log('\n6. Rotate with a one-hour grace period');
const rotated = await keyring.rotate('acme', key.id, { graceMs: 3_600_000, actorId: 'alice' });
console.log(`  new token: ${rotated.token}`);
show('old token, during the grace period', await keyring.verify(token));
show('new token', await keyring.verify(rotated.token));
now += 3_600_000;
show('old token, one hour later', await keyring.verify(token));

console.log('\n7. Revoke the new key (final)');
await keyring.revoke('acme', rotated.key.id, { by: 'alice' });
show('after revoke', await keyring.verify(rotated.token));

console.log('\n8. Expiry');
const shortLived = await keyring.create({ tenantId: 'acme', name: 'Temp', roles: ['Viewer'], expiresIn: '7d' });
show('a fresh 7-day key', await keyring.verify(shortLived.token));
now += 7 * DAY;
show('the same key, 7 days later', await keyring.verify(shortLived.token));

const list = await keyring.list('acme', { includeRevoked: true });
console.log(
  `\nacme now has ${list.total} keys on record (revoked ones kept for audit): ${list.items.map((k) => `${k.name} [${k.revokedAt ? 'revoked' : k.expiresAt && k.expiresAt.getTime() <= now ? 'expired' : 'live'}]`).join(', ')}\n`,
);
await db.close(); // an open PGlite keeps timers that would hold the process for seconds
