import type { PlacedMatch } from './text-scan.js';

/** One place a confirmed token was found. Holds its preview and id, never the secret. */
export interface Finding {
  /** `file` for the working tree, `git` for a blob in the repository's history. */
  source: 'file' | 'git';
  /** Path relative to the scan root (files) or the repository (history), with `/` separators. */
  path: string;
  /** 1-based line and column of the token's first character. */
  line: number;
  column: number;
  /** Length of the token in characters (for SARIF's region). */
  length: number;
  prefix: string;
  keyId: string;
  preview: string;
  /** History only: the blob and a commit that holds it. */
  blob?: string;
  commit?: string;
  /** With --check-store: the key's state in the store (`unknown` when no key has this id). */
  status?: 'active' | 'paused' | 'expired' | 'revoked' | 'unknown';
  /** With --revoke: whether this run revoked the key. */
  revoked?: boolean;
}

/** Counters shown in the summary and the progress line. */
export interface ScanStats {
  files: number;
  bytes: number;
  skippedBinary: number;
  blobs: number;
}

export const newStats = (): ScanStats => ({ files: 0, bytes: 0, skippedBinary: 0, blobs: 0 });

/** The finding for a match at `path`: where it is and which key, never the secret. */
export function findingAt(source: Finding['source'], path: string, match: PlacedMatch): Finding {
  return { source, path, line: match.line, column: match.column, length: match.length, prefix: match.prefix, keyId: match.id, preview: match.preview };
}
