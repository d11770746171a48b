import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Finding, findingAt, type ScanStats } from './finding.js';
import type { TokenMatcher } from './matcher.js';
import type { Progress } from './progress.js';
import { ChunkScanner, looksBinary } from './text-scan.js';

/** Directories never entered: dependencies and the git object store (history has --git). */
const SKIPPED_DIRS = new Set(['node_modules', '.git']);
const CHUNK = 1 << 20;

/** Display path: relative to the current directory, with `/` separators. */
function displayPath(file: string, cwd = process.cwd()): string {
  const rel = relative(cwd, file) || file;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Files under each path (a file or a directory), depth first, without following symbolic links. */
function* walk(path: string): Generator<string> {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return; // vanished or unreadable: nothing to scan
  }
  if (stat.isFile()) {
    yield path;
    return;
  }
  if (!stat.isDirectory()) return;
  let entries: string[];
  try {
    entries = readdirSync(path);
  } catch {
    return;
  }
  entries.sort();
  for (const name of entries) if (!SKIPPED_DIRS.has(name)) yield* walk(join(path, name));
}

/** Scans one file in 1 MiB reads; binary files (NUL in the first 8000 bytes) are skipped. */
function scanFile(file: string, matcher: TokenMatcher, buffer: Buffer, stats: ScanStats): ChunkScanner | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const scanner = new ChunkScanner(matcher);
    let first = true;
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (first && looksBinary(buffer.subarray(0, read))) {
        stats.skippedBinary++;
        return null;
      }
      first = false;
      stats.bytes += read;
      scanner.push(buffer.subarray(0, read), read < buffer.length);
      if (read < buffer.length) return scanner;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every token in the files under `paths` (the working tree), with path, line and column. */
export function scanFiles(paths: string[], matcher: TokenMatcher, stats: ScanStats, progress: Progress): Finding[] {
  const buffer = Buffer.allocUnsafe(CHUNK);
  const findings: Finding[] = [];
  for (const root of paths) {
    for (const file of walk(root)) {
      const scanner = scanFile(file, matcher, buffer, stats);
      stats.files++;
      progress.tick(stats);
      if (!scanner) continue;
      for (const m of scanner.matches) {
        findings.push(findingAt('file', displayPath(file), m));
      }
    }
  }
  return findings;
}
