import { afterAll, describe, expect, it } from 'vitest';
import { mcpAuth } from 'keysmith/mcp';
import { call } from '../http/client.js';
import { startHttpMcp, TENANT, testKeyring } from './harness.js';

const INIT = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

describe('mcpAuth: repeated Authorization headers', () => {
  const servers: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  it('are 400 invalid_request, never "the first one wins" (real HTTP, one line per header)', async () => {
    const t = testKeyring();
    const { token } = await t.keyring.create({ tenantId: TENANT, name: 'k' });
    const server = await startHttpMcp({ keyring: t.keyring, auth: mcpAuth(t.keyring) });
    servers.push(server);
    for (const authorization of [
      [`Bearer ${token}`, 'Bearer garbage'],
      [`Bearer ${token}`, `Bearer ${token}`],
      ['Basic dXNlcjpwYXNz', `Bearer ${token}`],
    ]) {
      const answer = await call(server.url.origin, {
        method: 'POST',
        path: server.url.pathname,
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', authorization },
        body: INIT,
      });
      expect(answer.status, answer.text).toBe(400);
      expect(answer.headers.get('www-authenticate')).toBe(
        'Bearer realm="mcp", error="invalid_request", error_description="The API key header was sent more than once"',
      );
      expect(answer.text).not.toContain(token);
    }
  });
});
