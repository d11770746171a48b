import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portOpen, until } from '../support/wait.js';

/** Whether this machine can start a Redis Cluster of its own (redis-server and redis-cli on PATH). */
export const clusterTools = ['redis-server', 'redis-cli'].every((tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0);

export interface LocalCluster {
  ports: number[];
  /** Stops exactly the servers this cluster started, and removes their directory. */
  stop(): Promise<void>;
}

/**
 * Starts a three-master Redis Cluster on loopback `ports` (no replicas, nothing persisted), as
 * children of this process, each bounded by `timeout` so none outlives a crashed test run.
 */
export async function startCluster(ports: number[]): Promise<LocalCluster> {
  for (const port of ports) if (await portOpen(port)) throw new Error(`port ${port} is in use: cannot start the test cluster there`);
  const dir = mkdtempSync(join(tmpdir(), 'keysmith-cluster-'));
  const servers: ChildProcess[] = ports.map((port) =>
    spawn(
      'timeout',
      [
        '900',
        'redis-server',
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${port}.conf`),
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--logfile',
        join(dir, `${port}.log`),
      ],
      { stdio: 'ignore' },
    ),
  );
  const stop = async () => {
    for (const server of servers) if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await until(async () => (await Promise.all(ports.map((p) => portOpen(p)))).every((open) => !open), 10_000, 'the test cluster did not stop', 50);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(async () => (await Promise.all(ports.map((p) => portOpen(p)))).every(Boolean), 10_000, 'the test cluster did not start', 50);
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    const ok = (port: number) => spawnSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes('cluster_state:ok');
    await until(() => ports.every(ok), 20_000, 'the test cluster did not reach cluster_state:ok', 100);
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}
