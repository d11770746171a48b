import { connect } from 'node:net';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeHeader } from 'keysmith/http';
import { runs } from '../support/runs.js';

/**
 * The guards read a header by scanning `rawHeaders` instead of Node's `headersDistinct` (which Node
 * builds for every header on first use). Both must agree on every request Node accepts: same
 * value, every value of a repeated line, nothing for an absent one, whatever the case of the name.
 */

const seen: IncomingMessage[] = [];
const server = createServer((req, res) => {
  seen.push(req);
  res.end();
});
const port = new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Sends one request with exactly these header lines and returns the request as Node parsed it. */
async function received(lines: [string, string][]): Promise<IncomingMessage> {
  const before = seen.length;
  const socket = connect(await port, '127.0.0.1');
  const head = ['GET / HTTP/1.1', 'Host: x', ...lines.map(([n, v]) => `${n}: ${v}`), 'Connection: close', '', ''].join('\r\n');
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.end(head);
    socket.resume();
  });
  expect(seen.length).toBe(before + 1);
  return seen[seen.length - 1]!;
}

const NAMES = ['authorization', 'x-api-key', 'x-other'];
const casing = (name: string) =>
  fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((up) => [...name].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(''));
const headerLine = fc.constantFrom(...NAMES).chain((name) => fc.tuple(casing(name), fc.stringMatching(/^[A-Za-z0-9_.~+/=-]{1,40}$/)));

describe('nodeHeader', () => {
  it('agrees with headersDistinct on every request Node parses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(headerLine, { maxLength: 6 }), async (lines) => {
        const req = await received(lines);
        for (const name of NAMES) {
          const distinct = req.headersDistinct[name];
          const ours = nodeHeader(req, name);
          expect(ours === undefined ? undefined : Array.isArray(ours) ? ours : [ours]).toEqual(distinct);
        }
      }),
      { numRuns: runs(60, 300) },
    );
  });

  it('falls back to headersDistinct, then headers, for a request without rawHeaders', () => {
    expect(nodeHeader({ headers: { authorization: 'Bearer a' }, headersDistinct: { authorization: ['Bearer a', 'Bearer b'] } }, 'authorization')).toEqual([
      'Bearer a',
      'Bearer b',
    ]);
    expect(nodeHeader({ headers: { authorization: 'Bearer a' } }, 'authorization')).toBe('Bearer a');
  });
});
