/**
 * Vitest global setup: builds the package (`npm run build`) when dist/ is missing or older than a
 * source file, so the tests that run the BUILT artefacts (the CLI binary, the packed entry points)
 * pass on a fresh clone with `npm test` alone. CI builds first, so there it finds dist/ current and
 * does nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const BUILT = join(root, 'dist', 'cli.js');
const SOURCES = ['src', 'adapters', 'tsup.config.ts', 'package.json'];

/** The newest modification time under a file or folder (generated files excluded). */
function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'generated') continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

/** Builds once, before any test file runs, when the build is missing or stale. */
export default function setup(): void {
  const stale = !existsSync(BUILT) || SOURCES.some((source) => newest(join(root, source)) > statSync(BUILT).mtimeMs);
  if (!stale) return;
  console.log('[keysmith tests] dist/ is missing or older than the sources: running `npm run build` first');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}
