/**
 * Runs the BUILT binary (dist/cli.js, from `npm run build`) as a separate process, the way an
 * operator does, and gives each test a store of its own: a PGlite directory, or a schema of its own
 * on the real server when KEYSMITH_PG_URL is set.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { freshSchemaName, PG_URL } from '../support/pg.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'dist', 'cli.js');

/** Fails the suite with the one thing to do when the binary has not been built. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` before the CLI tests');
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Written to the child's stdin, then stdin is closed (always closed, so nothing waits on a terminal). */
  input?: string;
  env?: Record<string, string | undefined>;
}

/** Spawns `node dist/cli.js …args` and collects its exit code and both streams. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string | undefined> = {
      ...process.env,
      KEYSMITH_STORE: undefined,
      KEYSMITH_PREFIX: undefined,
      KEYSMITH_TABLE: undefined,
      ...options.env,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? ROOT, env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** A temporary directory whose node_modules links keysmith (this repository) and its peers, like a user's project. */
export function tempProject(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keysmith-cli-'));
  mkdirSync(join(dir, 'node_modules', '@electric-sql'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'keysmith'), 'dir');
  for (const name of ['pg', 'tsx', '@electric-sql/pglite']) symlinkSync(join(ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One store for the CLI: the flags that name it, and how to drop it. */
export interface CliStore {
  label: string;
  /** `--store … --prefix … [--table …]` */
  flags: string[];
  close(): Promise<void>;
}

/** A PGlite data directory in a fresh temp dir (the embedded default: no server needed). */
export function pgliteStore(prefix: string): CliStore {
  const dir = mkdtempSync(join(tmpdir(), 'keysmith-cli-pglite-'));
  return { label: 'PGlite', flags: ['--store', `pglite:${dir}`, '--prefix', prefix], close: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** A schema of its own on the real PostgreSQL server (KEYSMITH_PG_URL), dropped by `close`. */
async function serverStore(prefix: string): Promise<CliStore> {
  if (!PG_URL) throw new Error('KEYSMITH_PG_URL is not set');
  const schema = freshSchemaName();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
  await pool.query(`CREATE SCHEMA "${schema}"`);
  return {
    label: 'PostgreSQL server',
    flags: ['--store', PG_URL, '--prefix', prefix, '--table', `${schema}.api_keys`],
    async close() {
      try {
        await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await pool.end();
      }
    },
  };
}

/** The stores to run each command against: PGlite always, the server when configured. */
export const STORE_KINDS: { label: string; open(prefix: string): Promise<CliStore> }[] = [
  { label: 'PGlite', open: async (prefix) => pgliteStore(prefix) },
  ...(PG_URL ? [{ label: 'PostgreSQL server', open: serverStore }] : []),
];
