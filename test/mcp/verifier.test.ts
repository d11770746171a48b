import { InvalidTokenError, ServerError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { afterEach, describe, expect, it } from 'vitest';
import { mcpAuth, mcpTokenVerifier } from 'keysmith/mcp';
import { DEFAULT_EXPIRY_HORIZON_SECONDS } from '../../adapters/mcp/auth-info.js';
import { connectClient, flakyStore, startHttpMcp, TENANT, testKeyring } from './harness.js';

const INIT = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
};

/** A raw initialize POST, to read status and headers the SDK client hides. */
function post(url: URL, token: string | null) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(INIT),
  });
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function serve(options: Parameters<typeof startHttpMcp>[0]) {
  const server = await startHttpMcp({ stateful: false, ...options });
  cleanup.push(server.close);
  return server;
}

describe('mcpTokenVerifier behind the SDK requireBearerAuth', () => {
  it('gives tools an AuthInfo with the key id, effective scopes, a bounded expiresAt and the key in extra', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'agent', scopes: ['notes:read'], roles: [] });
    const server = await serve({ keyring: t.keyring });
    const client = await connectClient(server.url, token);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    const info = JSON.parse((result.content as { text: string }[])[0]!.text);
    expect(info.clientId).toBe(key.id);
    expect(info.token).toBe(token);
    expect(info.scopes).toEqual(['notes:read']);
    const nowSeconds = Date.now() / 1000;
    expect(info.expiresAt).toBeGreaterThan(nowSeconds + DEFAULT_EXPIRY_HORIZON_SECONDS - 60);
    expect(info.expiresAt).toBeLessThanOrEqual(Math.ceil(nowSeconds) + DEFAULT_EXPIRY_HORIZON_SECONDS);
    expect(info.extra).toMatchObject({ keyId: key.id, tenantId: TENANT, permissions: { scopes: ['notes:read'], mcp: { enabled: true } } });
    await client.close();
  });

  it('reports the key own expiry when it has one', async () => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'short', expiresIn: '10m' });
    const info = await mcpTokenVerifier(t.keyring).verifyAccessToken(token);
    expect(info.expiresAt).toBe(Math.floor(key.expiresAt!.getTime() / 1000));
    const custom = await mcpTokenVerifier(t.keyring, { expiryHorizonSeconds: 60, now: () => 1_000_000 }).verifyAccessToken(
      (await t.keyring.create({ tenantId: TENANT, name: 'n' })).token,
    );
    expect(custom.expiresAt).toBe(1000 + 60);
  });

  it.each([
    ['unknown', 'The API key is invalid'],
    ['revoked', 'The API key has been revoked'],
    ['paused', 'The API key is disabled'],
    ['expired', 'The API key has expired'],
    ['garbage', 'The API key is malformed'],
  ])('answers 401 invalid_token for a %s key', async (kind, description) => {
    const t = testKeyring();
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: kind, expiresIn: '1h' });
    let sent = token;
    if (kind === 'unknown') sent = (await testKeyring().keyring.create({ tenantId: TENANT, name: 'elsewhere' })).token; // well-formed, never stored here
    if (kind === 'revoked') await t.keyring.revoke(TENANT, key.id);
    if (kind === 'paused') await t.keyring.setEnabled(TENANT, key.id, false);
    if (kind === 'expired') t.advance(2 * 3600_000);
    if (kind === 'garbage') sent = 'not-a-key';
    const server = await serve({ keyring: t.keyring });
    const res = await post(server.url, sent);
    expect(res.status).toBe(401);
    const header = res.headers.get('www-authenticate')!;
    expect(header).toMatch(/^Bearer error="invalid_token"/);
    expect(header).toContain(description);
    expect(await res.json()).toEqual({ error: 'invalid_token', error_description: description });
    // The real client gives up too.
    await expect(connectClient(server.url, sent)).rejects.toMatchObject({ code: 401 });
  });

  it('throws the SDK InvalidTokenError, so requireBearerAuth recognises it', async () => {
    const t = testKeyring();
    await expect(mcpTokenVerifier(t.keyring).verifyAccessToken('sk_nope')).rejects.toBeInstanceOf(InvalidTokenError);
  });

  it('never answers 200 when the store is down: ServerError, which the SDK turns into 500', async () => {
    const flaky = flakyStore();
    const t = testKeyring({ store: flaky.store, cache: false });
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const server = await serve({ keyring: t.keyring });
    expect((await post(server.url, token)).status).toBe(200);
    flaky.state.down = true;
    await expect(mcpTokenVerifier(t.keyring).verifyAccessToken(token)).rejects.toBeInstanceOf(ServerError);
    const res = await post(server.url, token);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: 'server_error', error_description: 'The key store is unavailable' });
  });

  it('refuses a key whose MCP access is paused with 403 insufficient_scope, while HTTP access stays', async () => {
    const t = testKeyring();
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'no-mcp', mcp: { enabled: false } });
    expect((await t.keyring.verify(token)).valid).toBe(true);
    const server = await serve({ keyring: t.keyring });
    const res = await post(server.url, token);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toContain('MCP access is disabled for this API key');
  });

  it('checks required scopes with wildcards (unlike the SDK requiredScopes)', async () => {
    const t = testKeyring();
    const admin = await t.keyring.create({ tenantId: TENANT, name: 'admin', scopes: ['mcp:*'] });
    const reader = await t.keyring.create({ tenantId: TENANT, name: 'reader', scopes: ['notes:read'] });
    const verifier = mcpTokenVerifier(t.keyring, { scopes: ['mcp:use'] });
    await expect(verifier.verifyAccessToken(admin.token)).resolves.toMatchObject({ clientId: admin.key.id });
    await expect(verifier.verifyAccessToken(reader.token)).rejects.toThrow('The API key lacks the required scope');
  });

  it('fails closed for a key with an IP allowlist, since the SDK gives a verifier no address', async () => {
    const t = testKeyring();
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'pinned', ipAllowlist: ['127.0.0.1/32'] });
    const server = await serve({ keyring: t.keyring });
    const res = await post(server.url, token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('may not be used from this address');
  });
});

describe('mcpAuth (Express middleware with the caller address)', () => {
  it('admits an allowlisted key from its address and refuses it from another', async () => {
    const t = testKeyring();
    const local = await t.keyring.create({ tenantId: TENANT, name: 'local', ipAllowlist: ['127.0.0.1/32', '::1/128', '::ffff:127.0.0.1/128'] });
    const remote = await t.keyring.create({ tenantId: TENANT, name: 'remote', ipAllowlist: ['10.0.0.0/8'] });
    const server = await serve({ keyring: t.keyring, auth: mcpAuth(t.keyring) });
    const client = await connectClient(server.url, local.token);
    const info = JSON.parse(((await client.callTool({ name: 'whoami', arguments: {} })).content as { text: string }[])[0]!.text);
    expect(info.extra.ip).toMatch(/127\.0\.0\.1/);
    await client.close();
    const res = await post(server.url, remote.token);
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN_ADDRESS');
  });

  it('answers 401 with a bare challenge without a key, 401 invalid_token for a revoked one, 503 when the store is down', async () => {
    const flaky = flakyStore();
    const t = testKeyring({ store: flaky.store, cache: false });
    const { key, token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const server = await serve({ keyring: t.keyring, auth: mcpAuth(t.keyring) });
    const missing = await post(server.url, null);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="mcp"');
    flaky.state.down = true;
    const down = await post(server.url, token);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBeNull();
    flaky.state.down = false;
    await t.keyring.revoke(TENANT, key.id);
    const revoked = await post(server.url, token);
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toBe('Bearer realm="mcp", error="invalid_token", error_description="The API key has been revoked"');
  });
});
