import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The installed version of a package, read from its package.json (not the range we asked for). */
function installedVersion(name: string): string {
  const read = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
  // The node_modules folders Node would search, read directly (exports maps may hide package.json).
  for (const dir of require.resolve.paths(name) ?? []) {
    try {
      const pkg = read(`${dir}/${name}/package.json`);
      if (pkg.name === name && pkg.version) return pkg.version;
    } catch {
      /* not in this folder */
    }
  }
  try {
    let dir = require.resolve(name);
    for (let i = 0; i < 8; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = read(`${dir}/package.json`);
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        /* keep walking */
      }
    }
  } catch {
    /* not installed */
  }
  return 'not installed';
}

/** keysmith's own dependencies and the peers it is compared with or runs on. */
const PACKAGES = [
  'zod',
  '@noble/hashes',
  'nanoid',
  'lru-cache',
  'ipaddr.js',
  'pg',
  '@electric-sql/pglite',
  'ioredis',
  'better-auth',
  '@better-auth/api-key',
  'prefixed-api-key',
  'autocannon',
  'express',
  'fastify',
  'hono',
  '@modelcontextprotocol/sdk',
];

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  date: string;
  packages: Record<string, string>;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    date: new Date().toISOString(),
    packages: Object.fromEntries(PACKAGES.map((p) => [p, installedVersion(p)])),
  };
}
