/**
 * `npm run check:cli-pack` (run by .ci/run after the build): the packed tarball's `keysmith` binary
 * works from a fresh project. It packs the package (`npm pack`), lays the tarball out in a temp
 * project's node_modules the way npm installs it (package files, a `.bin/keysmith` link), with the
 * dependencies and the PGlite peer linked from this checkout's node_modules so no registry is
 * needed, then runs `npx keysmith --help` and migrate → create → verify against PGlite there.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(join(tmpdir(), 'keysmith-pack-'));
const started = Date.now();

function npx(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('npx', ['--no-install', 'keysmith', ...args], { cwd: dir, input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function check(ok: boolean, what: string, detail = ''): void {
  if (!ok) {
    console.error(`check:cli-pack: FAILED: ${what}${detail ? `\n${detail}` : ''}`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }
  console.log(`ok  ${what}`);
}

try {
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' })) as { filename: string }[];
  const pkgDir = join(dir, 'node_modules', 'keysmith');
  mkdirSync(pkgDir, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed!.filename), '-C', pkgDir, '--strip-components=1']);
  writeFileSync(join(dir, 'package.json'), '{ "name": "fresh-project", "private": true, "type": "module" }\n');
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; bin: Record<string, string> };
  check(manifest.bin.keysmith === './dist/cli.js', 'the tarball declares bin.keysmith = ./dist/cli.js');
  for (const name of [...Object.keys(manifest.dependencies), '@electric-sql/pglite']) {
    const link = join(dir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', name), link, 'dir');
  }
  mkdirSync(join(dir, 'node_modules', '.bin'));
  symlinkSync('../keysmith/dist/cli.js', join(dir, 'node_modules', '.bin', 'keysmith'));

  const help = npx(['--help']);
  check(help.code === 0 && help.stdout.startsWith('Usage: keysmith'), 'npx keysmith --help', help.stderr);
  const store = ['--store', 'pglite:./keys', '--prefix', 'sk_pack'];
  const migrate = npx(['migrate', ...store]);
  check(migrate.code === 0, 'npx keysmith migrate --store pglite:./keys', migrate.stderr);
  const create = npx(['create', '--tenant', 'acme', '--name', 'first', ...store]);
  const token = create.stdout.trim();
  check(create.code === 0 && /^sk_pack_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}$/.test(token), 'npx keysmith create prints only the token', create.stderr);
  const verify = npx(['verify', ...store], token);
  check(verify.code === 0 && verify.stdout.startsWith('valid: '), 'npx keysmith verify reads it from stdin', verify.stdout + verify.stderr);
  console.log(`check:cli-pack: the packed binary works from a fresh project (${((Date.now() - started) / 1000).toFixed(1)} s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
