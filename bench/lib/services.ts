import net from 'node:net';
import pg from 'pg';

export const PG_URL = process.env.KEYSMITH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.KEYSMITH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** host:port/db without credentials, for the table. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || (u.protocol.startsWith('redis') ? '6379' : '5432')}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'an unparsable URL';
  }
}

/** Null when PostgreSQL answers, else the reason to print. */
export async function postgresProblem(): Promise<string | null> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL at ${describeUrl(PG_URL)} unreachable (${(error as Error).message.split('\n')[0]})`;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Null when something listens on Redis's port, else the reason to print. */
export async function redisProblem(): Promise<string | null> {
  const { hostname, port } = new URL(REDIS_URL);
  const ok = await new Promise<boolean>((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    socket.setTimeout(1000);
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
  return ok ? null : `Redis at ${describeUrl(REDIS_URL)} unreachable`;
}
