import net from 'node:net';

/** Polls `check` every `every` ms until it holds; returns the milliseconds it took, or throws after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what = 'the condition did not hold', every = 2): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < ms) {
    if (await check()) return performance.now() - start;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`${what} within ${ms} ms`);
}

/** Whether something accepts connections on the port. */
export async function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, host);
    socket.setTimeout(300);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A 127.0.0.1 port with nothing listening: bound, then closed. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
