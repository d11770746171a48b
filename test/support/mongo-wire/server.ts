import { createServer, type Socket } from 'node:net';
import { runCommand } from './commands.js';
import { encodeReply, parseRequest, takeMessages } from './protocol.js';
import { ServerState } from './state.js';

export interface MongoWireServer {
  /** `mongodb://127.0.0.1:<port>/?directConnection=true` */
  url: string;
  port: number;
  state: ServerState;
  /** Names of the commands received, in order (for tests of what a client sent). */
  received: string[];
  close(): Promise<void>;
}

/**
 * A MongoDB wire-protocol server for tests, on 127.0.0.1 and a random port. It answers the real
 * `mongodb` driver over a real socket; see commands.ts for what it implements. Each message is
 * handled synchronously from parse to reply, so commands never interleave.
 */
export async function startMongoWireServer(): Promise<MongoWireServer> {
  const state = new ServerState();
  const sockets = new Set<Socket>();
  const received: string[] = [];
  let connections = 0;
  let replies = 0;

  const server = createServer((socket) => {
    const connectionId = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      try {
        const { messages, rest } = takeMessages(pending.length === 0 ? chunk : Buffer.concat([pending, chunk]));
        pending = rest;
        for (const message of messages) {
          const request = parseRequest(message);
          const name = Object.keys(request.command)[0] ?? '';
          if (received.length < 100_000) received.push(name);
          const reply = runCommand(request.command, { db: String(request.command.$db ?? 'admin'), connectionId, state });
          if (!request.moreToCome) socket.write(encodeReply(request, reply, ++replies));
        }
      } catch {
        socket.destroy(); // a framing error: the stream cannot be trusted any more
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Mongo wire server has no TCP address');
  const port = address.port;

  return {
    url: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    port,
    state,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
