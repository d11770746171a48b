import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import express, { type ErrorRequestHandler } from 'express';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { apiKeyAuth } from 'keysmith/express';
import { memoryStore } from 'keysmith/memory';

/**
 * What the Express guard keeps now that it is a plain function (no async middleware) reading
 * headers from `rawHeaders`: a repeated Authorization is refused whatever the case of its lines,
 * and a failure of a custom verifier or of the application's callback reaches the error handler.
 */

const keyring = createKeyring({ store: memoryStore(), prefix: 'sk', scopes: ['docs:read'] });
const failing = { verify: () => Promise.reject(new Error('store down')) };

const app = express();
app.get('/docs', apiKeyAuth(keyring, { scopes: ['docs:read'] }), (req, res) => void res.json({ id: req.apiKey?.key.id }));
app.get('/named', apiKeyAuth(keyring, { header: 'X-Api-Key' }), (req, res) => void res.json({ id: req.apiKey?.key.id }));
app.get('/faulty', apiKeyAuth(failing), (_req, res) => void res.json({ reached: true }));
app.get(
  '/resource',
  apiKeyAuth(keyring, {
    resource: () => {
      throw new Error('resource lookup failed');
    },
  }),
  (_req, res) => void res.json({ reached: true }),
);
const toJson: ErrorRequestHandler = (error: Error, _req, res, _next) => void res.status(500).json({ handled: error.message });
app.use(toJson);

const server: Server = app.listen(0, '127.0.0.1');
const base = new Promise<number>((r) => server.once('listening', () => r((server.address() as AddressInfo).port)));
afterAll(() => new Promise<void>((r) => server.close(() => r())));

/** One request with exactly these header lines (fetch would join repeated ones), and its status line and body. */
async function rawGet(path: string, lines: string[]): Promise<{ status: number; body: string }> {
  const port = await base;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => resolve({ status: Number(text.slice(9, 12)), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
    socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`);
  });
}

describe('express guard', () => {
  it('reads the key whatever the case of the header name, and refuses it sent on two lines', async () => {
    const { key, token } = await keyring.create({ tenantId: 't', name: 'reader', scopes: ['docs:read'] });
    expect(await rawGet('/docs', [`AUTHORIZATION: Bearer ${token}`])).toEqual({ status: 200, body: JSON.stringify({ id: key.id }) });
    expect(await rawGet('/named', [`x-API-key: ${token}`])).toEqual({ status: 200, body: JSON.stringify({ id: key.id }) });
    for (const lines of [
      [`Authorization: Bearer ${token}`, `authorization: Bearer ${token}`],
      [`x-api-key: ${token}`, `X-Api-Key: ${token}`],
    ]) {
      const answer = await rawGet(lines[0]!.startsWith('x') ? '/named' : '/docs', lines);
      expect(answer.status).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'INVALID_REQUEST', message: 'The API key header was sent more than once' } });
    }
  });

  it("a verifier's rejection and a throwing resource callback reach the error handler, once", async () => {
    const { token } = await keyring.create({ tenantId: 't', name: 'other', scopes: ['docs:read'] });
    expect(await rawGet('/faulty', [`Authorization: Bearer ${token}`])).toEqual({ status: 500, body: JSON.stringify({ handled: 'store down' }) });
    expect(await rawGet('/resource', [`Authorization: Bearer ${token}`])).toEqual({ status: 500, body: JSON.stringify({ handled: 'resource lookup failed' }) });
  });

  it('returns no promise, so Express 5 chains nothing on it', () => {
    const guard = apiKeyAuth(keyring);
    const req = { rawHeaders: [], headers: {} } as unknown as express.Request;
    const res = { setHeader() {}, end() {} } as unknown as express.Response;
    expect(guard(req, res, () => {})).toBeUndefined();
  });
});
