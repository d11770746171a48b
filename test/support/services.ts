import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { portOpen, until } from './wait.js';

/**
 * Stops and starts this machine's own services, for the disruptive suite (test/disruptive), which
 * runs on its own (`npm run test:disruptive`, after `npm test` in CI) so no other test sees the
 * outage. Stopping refuses outside that suite: `npm test` never stops a service it did not start.
 */
function assertDisruptiveRun(service: string): void {
  if (process.env.KEYSMITH_DISRUPTIVE !== '1') {
    throw new Error(`refusing to stop ${service}: only \`npm run test:disruptive\` (vitest.disruptive.config.ts) may stop this machine's services`);
  }
}

export const canControlPostgres = existsSync('/usr/bin/pg_ctlcluster') && existsSync('/etc/postgresql') && process.getuid?.() === 0;

function pgCluster(action: 'stop' | 'start'): void {
  const version = readdirSync('/etc/postgresql')[0]!;
  const args = ['--skip-systemctl-redirect', version, 'main', action, ...(action === 'stop' ? ['-m', 'fast'] : [])];
  execFileSync('pg_ctlcluster', args, { stdio: 'ignore' });
}

export async function stopPostgres(): Promise<void> {
  assertDisruptiveRun('PostgreSQL');
  pgCluster('stop');
  await until(async () => !(await portOpen(5432)), 15_000, 'PostgreSQL did not stop', 100);
}

export async function startPostgres(): Promise<void> {
  if (!(await portOpen(5432))) pgCluster('start');
  await until(() => portOpen(5432), 30_000, 'PostgreSQL did not start', 100);
}

const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];
export const canControlRedis = existsSync('/usr/bin/redis-server') && process.getuid?.() === 0;

export async function stopRedis(): Promise<void> {
  assertDisruptiveRun('Redis');
  try {
    execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'shutdown', 'nosave'], { stdio: 'ignore' });
  } catch {
    // redis-cli exits non-zero when the server closes the connection on shutdown
  }
  await until(async () => !(await portOpen(6379)), 10_000, 'Redis did not stop', 100);
}

export async function startRedis(): Promise<void> {
  if (!(await portOpen(6379))) execFileSync('redis-server', REDIS_START, { stdio: 'ignore' });
  await until(() => portOpen(6379), 10_000, 'Redis did not start', 100);
}
