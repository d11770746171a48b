import { describe, expect, it } from 'vitest';
import { createKeyring, isKeysmithError } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

/**
 * A validation error must not quote a token pasted into `scopes`, `roles`, `preset`, or sent as a
 * field name: it would come back in the 400 body and in the thrown error's issues, where an
 * application's logging may keep it. Values are echoed only when short and identifier-like.
 */
describe('validation errors never quote a token the caller pasted into the wrong place', () => {
  const cases: [string, (token: string) => Record<string, unknown>][] = [
    ['scopes', (token) => ({ scopes: [token] })],
    ['roles', (token) => ({ roles: [token] })],
    ['preset', (token) => ({ preset: token })],
    ['an unknown field name', (token) => ({ [token]: true })],
  ];

  for (const [field, input] of cases) {
    it(`a token in ${field}`, async () => {
      const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read'], roles: { reader: ['docs:read'] } });
      const { token } = await keyring.create({ tenantId: 't', name: 'real' });
      const error = await keyring.create({ tenantId: 't', name: 'pasted', ...input(token) } as never).catch((e: unknown) => e);
      expect(isKeysmithError(error) && error.code).toBe('VALIDATION');
      expect(JSON.stringify((error as Error & { issues: unknown }).issues) + (error as Error).message).not.toContain(token);
    });
  }

  it('fields whose messages do not quote values are already safe', async () => {
    const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });
    const { token } = await keyring.create({ tenantId: 't', name: 'real' });
    for (const input of [
      { ipAllowlist: [token] },
      { expiresIn: token },
      { expiresAt: token },
      { ownerId: `${token}\n` },
      { mcp: { tools: { mode: token, names: [] } } },
    ]) {
      const error = await keyring.create({ tenantId: 't', name: 'pasted', ...input } as never).catch((e: unknown) => e);
      expect(isKeysmithError(error) && error.code, Object.keys(input)[0]).toBe('VALIDATION');
      expect(JSON.stringify((error as Error & { issues: unknown }).issues), Object.keys(input)[0]).not.toContain(token);
    }
  });
});
