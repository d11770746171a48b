import { KeysmithError, isKeyIdMessage, type InvalidationChannel } from 'keysmith';
import { z } from 'zod';
import type { Queryable } from './client.js';

/**
 * The calls made on a dedicated listening connection: node-postgres's `Client` fits
 * (`const c = new pg.Client(url); await c.connect(); return c;`). A pool cannot LISTEN: a pooled
 * connection goes back to the pool and loses its LISTEN.
 */
export interface PgListenClient {
  query(text: string, params?: unknown[]): Promise<unknown>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  end(): Promise<void>;
}

export interface PostgresInvalidationOptions {
  /** Opens a new dedicated connection, already connected; called again after every drop. */
  connect: () => Promise<PgListenClient>;
  /** Where NOTIFY is sent: your pool or a client. @default a connection of its own, opened with `connect` */
  client?: Queryable;
  /** The NOTIFY channel: a plain identifier (letters, digits, `_`; at most 63). @default 'keysmith_invalidate' */
  channel?: string;
  /** First and longest wait between reconnection attempts (doubling, with jitter). @default { minMs: 100, maxMs: 5_000 } */
  backoff?: { minMs?: number; maxMs?: number };
  /** A `SELECT 1` on the listening connection this often, so a silently dead connection is noticed. 0 = off. @default 30_000 */
  pingIntervalMs?: number;
}

const optionsSchema = z.object({
  connect: z.custom<() => Promise<PgListenClient>>((v) => typeof v === 'function', 'connect must be a function that returns a connected client'),
  client: z
    .custom<Queryable>((v) => typeof v === 'object' && v !== null && typeof (v as Queryable).query === 'function', 'client needs query(text, params)')
    .optional(),
  channel: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'channel must be an identifier: letters, digits and "_", not starting with a digit, at most 63 characters')
    .default('keysmith_invalidate'),
  backoff: z
    .object({ minMs: z.number().int().positive().default(100), maxMs: z.number().int().positive().default(5_000) })
    .default({ minMs: 100, maxMs: 5_000 }),
  pingIntervalMs: z.number().int().nonnegative().default(30_000),
});

/**
 * Fleet-wide cache invalidation over PostgreSQL LISTEN/NOTIFY, for fleets that have Postgres and no
 * Redis. Publishing is `SELECT pg_notify(channel, keyId)`; subscribing holds one dedicated connection
 * that LISTENs. When that connection fails it reports 'down', reconnects with backoff, LISTENs again
 * and reports 'up' (the keyring then clears its cache, since notifications sent meanwhile are lost).
 */
export function postgresInvalidation(options: PostgresInvalidationOptions): InvalidationChannel {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) throw new KeysmithError('CONFIG', `postgresInvalidation: ${parsed.error.issues[0]?.message ?? 'invalid options'}`);
  const { connect, channel, backoff, pingIntervalMs } = parsed.data;
  const listenSql = `LISTEN "${channel}"`; // validated above: an identifier, so quoting is exact

  let publisher: Promise<PgListenClient> | null = null;
  /** Without a `client`, NOTIFY goes through one connection of our own, reopened after a failure. */
  const ownPublisher = (): Promise<PgListenClient> => {
    if (!publisher) {
      const opening = connect().then((c) => {
        const drop = () => {
          if (publisher === opening) publisher = null;
        };
        c.on('error', drop);
        c.on('end', drop);
        return c;
      });
      opening.catch(() => {
        if (publisher === opening) publisher = null;
      });
      publisher = opening;
    }
    return publisher;
  };

  const notifySql = 'SELECT pg_notify($1, $2)';
  /** The last NOTIFY sent on our own connection: the next one waits for it (one query at a time per client). */
  let lastOwnNotify: Promise<unknown> = Promise.resolve();

  return {
    async publish(keyId) {
      if (parsed.data.client) {
        await parsed.data.client.query(notifySql, [channel, keyId]); // a pool queues for itself
        return;
      }
      // node-postgres deprecates a query sent while the client is running another (an error in pg 9):
      // revocations published at once go out one after another on our single connection.
      const sent = lastOwnNotify.then(async () => (await ownPublisher()).query(notifySql, [channel, keyId]));
      lastOwnNotify = sent.catch(() => {});
      await sent;
    },

    async subscribe({ onMessage, onStatus }) {
      let current: PgListenClient | null = null;
      let closed = false;
      let up = false;
      let attempt = 0;
      let retryTimer: ReturnType<typeof setTimeout> | undefined;
      let pingTimer: ReturnType<typeof setInterval> | undefined;

      const lost = (client: PgListenClient, reason: string) => {
        if (client !== current) return; // an old connection's late event
        current = null;
        clearInterval(pingTimer);
        client.end().catch(() => {});
        if (closed) return;
        if (up) onStatus('down', reason);
        up = false;
        scheduleReconnect();
      };

      const open = async (): Promise<void> => {
        const client = await connect();
        current = client;
        client.on('notification', (message) => {
          if (client === current && message.channel === channel && isKeyIdMessage(message.payload)) onMessage(message.payload);
        });
        client.on('error', (error) => lost(client, `connection error${'code' in error ? ` (${String(error.code)})` : ''}`));
        client.on('end', () => lost(client, 'connection ended'));
        try {
          await client.query(listenSql);
        } catch (error) {
          current = null; // the caller retries (or, the first time, rejects); no 'down' for a link never up
          client.end().catch(() => {});
          throw error;
        }
        if (pingIntervalMs > 0) {
          pingTimer = setInterval(() => {
            client.query('SELECT 1').catch(() => lost(client, 'ping failed'));
          }, pingIntervalMs);
          pingTimer.unref?.();
        }
      };

      const scheduleReconnect = () => {
        const base = Math.min(backoff.maxMs, backoff.minMs * 2 ** attempt);
        const delay = base / 2 + Math.random() * (base / 2); // jitter, so a fleet does not reconnect in step
        attempt++;
        retryTimer = setTimeout(async () => {
          if (closed) return;
          try {
            await open();
            if (closed) return;
            attempt = 0;
            up = true;
            onStatus('up', 'reconnected');
          } catch {
            if (!closed && current === null) scheduleReconnect();
          }
        }, delay);
        retryTimer.unref?.();
      };

      await open(); // a first failure rejects: a wrong URL shows at startup, not as silent staleness
      up = true;

      return async () => {
        closed = true;
        clearTimeout(retryTimer);
        clearInterval(pingTimer);
        const client = current;
        current = null;
        if (client) {
          await client.query(`UNLISTEN "${channel}"`).catch(() => {});
          await client.end().catch(() => {});
        }
        if (publisher) {
          const own = publisher;
          publisher = null;
          await own.then((c) => c.end()).catch(() => {});
        }
      };
    },
  };
}
