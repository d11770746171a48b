/**
 * What every recipe shares: the caller that `identify` returns in place of the system's real
 * login, the options `start` takes, and listening on loopback with a `close` that ends open
 * connections (MCP streams included) before the listener.
 */
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The signed-in user a request belongs to. */
export interface Caller {
  userId: string;
  /** The tenant (organisation or project) the caller acts in. */
  tenantId: string;
  roles: string[];
}

/** Options every recipe's `start` takes. */
export interface BaseRecipeOptions {
  /** @default 0 (an ephemeral port) */
  port?: number;
  /** Maps a request's lower-cased headers to the caller, or null when not signed in. */
  identify: (headers: IncomingHttpHeaders) => Caller | null;
}

/** A running recipe. */
export interface RunningRecipe {
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1; `close` runs `cleanup` first (the MCP endpoint, a database client), drops open connections, then stops listening. */
export async function listen(app: { listen(port: number, host: string): Server }, port: number, cleanup?: () => Promise<void>): Promise<RunningRecipe> {
  const server = app.listen(port, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await cleanup?.();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
