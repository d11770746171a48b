import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { FRAMEWORKS, type RunningApp } from '../http/apps.js';
import { until } from '../support/wait.js';

/**
 * Admin request bodies that never finish, over raw loopback sockets on all three frameworks:
 * a slow body is answered 408 after `bodyTimeoutMs` and its socket freed; a client that aborts its
 * body is not a server fault (no 500, nothing reported to `onError`).
 */
const BODY_TIMEOUT_MS = 300;
const HEAD = (length: number) =>
  `POST /admin/keys HTTP/1.1\r\nhost: 127.0.0.1\r\nx-actor: alice\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

interface SlowExchange {
  received: string;
  closedByServer: boolean;
  bytesSent: number;
}

/** Sends the head and then one body byte every 50 ms (never the whole body) until the server answers and closes, or `ms`. */
function dripBody(url: string, ms: number): Promise<SlowExchange> {
  return new Promise((resolve) => {
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    let received = '';
    let bytesSent = 0;
    let closedByServer = false;
    socket.write(HEAD(10_000));
    const drip = setInterval(() => {
      if (!socket.writable || bytesSent >= 200) return;
      socket.write(bytesSent === 0 ? '{' : ' ');
      bytesSent++;
    }, 50);
    const finish = () => {
      clearInterval(drip);
      clearTimeout(timer);
      socket.destroy();
      resolve({ received, closedByServer, bytesSent });
    };
    const timer = setTimeout(finish, ms);
    socket.on('data', (d: Buffer) => {
      received += d.toString('latin1');
    });
    socket.on('error', () => undefined); // a reset after the answer is fine: we only read
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('close', finish);
  });
}

const connections = (app: RunningApp) => new Promise<number>((resolve, reject) => app.server.getConnections((e, n) => (e ? reject(e) : resolve(n))));

describe.each(FRAMEWORKS)('admin bodies that never finish ($name, raw sockets)', ({ start }) => {
  const errors: unknown[] = [];
  let app: RunningApp;
  beforeAll(async () => {
    app = await start(createKeyring({ store: memoryStore(), prefix: 'sk' }), { bodyTimeoutMs: BODY_TIMEOUT_MS, onError: (e) => errors.push(e) });
  });
  afterAll(() => app.close());

  it('a body dripped a byte at a time is answered 408 after bodyTimeoutMs, and its socket is closed', async () => {
    const started = performance.now();
    const exchange = await dripBody(app.url, 8_000);
    const [head = '', body = ''] = exchange.received.split('\r\n\r\n');
    expect(head, `no answer within 8 s (${exchange.bytesSent} bytes dripped)`).toMatch(/^HTTP\/1\.1 408 /);
    expect(head).toMatch(/^connection: *close\r?$/im);
    expect(JSON.parse(body)).toEqual({ error: { code: 'REQUEST_TIMEOUT', message: `The request body did not arrive within ${BODY_TIMEOUT_MS} ms` } });
    expect(exchange.closedByServer).toBe(true);
    expect(performance.now() - started).toBeLessThan(8_000);
    await until(async () => (await connections(app)) === 0, 5_000, 'the server kept the socket');
    expect(errors).toEqual([]);
  }, 15_000);

  it('a client that aborts mid-body is no server fault: nothing reaches onError, the server goes on', async () => {
    const socket = net.connect(Number(new URL(app.url).port), '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(`${HEAD(1_000)}{"name":"half`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the handler is reading the body
    socket.destroy();
    await until(async () => (await connections(app)) === 0, 5_000, 'the server kept the socket');
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the interrupted handler finish
    expect(errors).toEqual([]);
    const res = await fetch(`${app.url}/admin/keys`, {
      method: 'POST',
      headers: { 'x-actor': 'alice', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'after' }),
    });
    expect(res.status).toBe(201);
  });
});
