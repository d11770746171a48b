import { execFileSync, spawn } from 'node:child_process';
import { CliError } from '../errors.js';
import { type Finding, findingAt, type ScanStats } from './finding.js';
import type { TokenMatcher } from './matcher.js';
import type { Progress } from './progress.js';
import { ChunkScanner, looksBinary } from './text-scan.js';

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The repository's top directory, or a usage error when `cwd` is not inside one. */
function repositoryRoot(cwd: string): string {
  try {
    return git(cwd, ['rev-parse', '--show-toplevel']).trim();
  } catch {
    throw new CliError(`--git: ${cwd} is not inside a git repository (or git is not installed)`);
  }
}

/** Each blob reachable from any ref, once, with the first path it was seen at. */
function historyBlobs(root: string): Map<string, string> {
  const blobs = new Map<string, string>();
  const out = git(root, ['rev-list', '--all', '--objects', '--filter=object:type=blob']);
  for (const line of out.split('\n')) {
    const space = line.indexOf(' ');
    if (space === -1) continue; // commits carry no path
    const sha = line.slice(0, space);
    const path = line.slice(space + 1);
    if (path.split('/').includes('node_modules') || blobs.has(sha)) continue;
    blobs.set(sha, path);
  }
  return blobs;
}

/** A commit that holds the blob (the oldest one that added it), for the report. */
function commitOf(root: string, blob: string): string | undefined {
  try {
    const lines = git(root, ['log', '--all', '--format=%H', `--find-object=${blob}`])
      .trim()
      .split('\n');
    return lines[lines.length - 1] || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Scans every blob in the history of the repository around `cwd` (all refs), read through one
 * `git cat-file --batch` process. Binary blobs and node_modules are skipped, as in the tree.
 */
export async function scanHistory(cwd: string, matcher: TokenMatcher, stats: ScanStats, progress: Progress): Promise<Finding[]> {
  const root = repositoryRoot(cwd);
  const blobs = historyBlobs(root);
  const found: { sha: string; path: string; scanner: ChunkScanner }[] = [];
  const child = spawn('git', ['cat-file', '--batch'], { cwd: root, stdio: ['pipe', 'pipe', 'ignore'] });
  child.stdin.on('error', () => {}); // the child may exit early; the exit code below reports it
  child.stdin.end(`${[...blobs.keys()].join('\n')}\n`);

  // Parser state: a header line, then `size` bytes of content, then one newline.
  let pending: Buffer = Buffer.alloc(0);
  let current: { sha: string; size: number; read: number; scanner: ChunkScanner | null; sniffed: boolean } | null = null;
  for await (const data of child.stdout as AsyncIterable<Buffer>) {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    let offset = 0;
    for (;;) {
      if (!current) {
        const nl = pending.indexOf(10, offset);
        if (nl === -1) break;
        const [sha, type, size] = pending.toString('latin1', offset, nl).split(' ');
        offset = nl + 1;
        if (type === 'missing' || size === undefined) continue;
        current = { sha: sha!, size: Number(size), read: 0, scanner: new ChunkScanner(matcher), sniffed: false };
      }
      if (current.read < current.size || current.size === 0) {
        const available = Math.min(pending.length - offset, current.size - current.read);
        const piece = pending.subarray(offset, offset + available);
        const complete = current.read + piece.length === current.size;
        if (!current.sniffed && (piece.length >= 8000 || complete)) {
          current.sniffed = true;
          if (looksBinary(piece)) {
            current.scanner = null;
            stats.skippedBinary++;
          }
        }
        // Until the first 8000 bytes are here, wait: they decide whether the blob is binary.
        if (!current.sniffed) break;
        if (piece.length > 0 || complete) current.scanner?.push(piece, complete);
        current.read += piece.length;
        stats.bytes += piece.length;
        offset += available;
        if (!complete) break;
        if (current.size === 0) current.size = -1; // pushed once; only the newline is left
      }
      if (pending.length - offset < 1) break; // the trailing newline has not arrived yet
      offset += 1; // trailing newline
      stats.blobs++;
      progress.tick(stats);
      if (current.scanner && current.scanner.matches.length > 0) found.push({ sha: current.sha, path: blobs.get(current.sha)!, scanner: current.scanner });
      current = null;
    }
    pending = pending.subarray(offset);
  }
  const code: number = child.exitCode ?? (await new Promise((resolve) => child.once('close', resolve)));
  if (code !== 0) throw new CliError(`--git: git cat-file failed (exit ${code})`);

  const findings: Finding[] = [];
  for (const { sha, path, scanner } of found) {
    const commit = commitOf(root, sha);
    for (const m of scanner.matches) {
      findings.push({ ...findingAt('git', path, m), blob: sha, ...(commit ? { commit } : {}) });
    }
  }
  return findings;
}
