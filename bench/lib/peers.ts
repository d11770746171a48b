import { apiKey } from '@better-auth/api-key';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { checkAPIKey, extractShortToken, generateAPIKey } from 'prefixed-api-key';

/**
 * better-auth with its API-key plugin on its memory adapter, set up for a fair comparison: both
 * rate limiters off (the plugin's default of 10 requests a day would otherwise make the benchmark
 * measure rejections) and the logger off.
 */
export async function betterAuthPeer() {
  const db: Record<string, unknown[]> = {};
  const auth = betterAuth({
    database: memoryAdapter(db as never),
    secret: 'bench-secret-bench-secret-bench-secret-00',
    rateLimit: { enabled: false },
    logger: { disabled: true },
    plugins: [apiKey({ rateLimit: { enabled: false } })],
  });
  const ctx = await auth.$context;
  const user = await ctx.internalAdapter.createUser({ email: 'bench@example.com', name: 'bench', emailVerified: true }, { method: 'admin' });
  const create = async (): Promise<string> => (await auth.api.createApiKey({ body: { userId: user.id, name: 'bench key' } })).key;
  const verify = async (key: string): Promise<boolean> => {
    const result = await auth.api.verifyApiKey({ body: { key } });
    return result.valid;
  };
  return { create, verify };
}

/**
 * seamapi's prefixed-api-key: the application keeps `shortToken -> longTokenHash` and calls
 * `checkAPIKey`. Modelled with a Map, its cheapest possible storage.
 */
export async function prefixedApiKeyPeer(count: number) {
  const byShortToken = new Map<string, string>();
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const { shortToken, longTokenHash, token } = await generateAPIKey({ keyPrefix: 'sk' });
    byShortToken.set(shortToken!, longTokenHash!);
    tokens.push(token!);
  }
  /** The usual lookup: split the token, find the hash by its short token, compare. */
  const verify = (token: string): boolean => {
    const hash = byShortToken.get(extractShortToken(token));
    return hash !== undefined && checkAPIKey(token, hash);
  };
  return { tokens, verify };
}
