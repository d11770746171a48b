import { LOOK_BACK, MAX_MATCH_LENGTH, type TokenMatch, type TokenMatcher } from './matcher.js';

/** Bytes git looks at to call a file binary; a NUL byte there means binary. */
const BINARY_SNIFF = 8000;

/** Whether the start of a file's content looks binary (a NUL byte in the first 8000 bytes, git's rule). */
export function looksBinary(head: Uint8Array): boolean {
  const end = Math.min(head.length, BINARY_SNIFF);
  for (let i = 0; i < end; i++) if (head[i] === 0) return true;
  return false;
}

/** A match with its 1-based line and column. */
export interface PlacedMatch extends TokenMatch {
  line: number;
  column: number;
}

/**
 * Scans a stream of chunks (one file's bytes, in order) for tokens, with line numbers. Chunks
 * overlap by the longest possible match, so a token cut between two reads is still found once.
 * Bytes are read as latin1: tokens are ASCII, and latin1 decoding never fails or shifts offsets.
 */
export class ChunkScanner {
  private carry = '';
  /** Offset (in the whole file) of carry[0], and of the first position not searched yet. */
  private carryStart = 0;
  private nextSearch = 0;
  /** Line number and offset up to which newlines have been counted. */
  private line = 1;
  private lineStart = 0;
  private countedTo = 0;
  readonly matches: PlacedMatch[] = [];

  constructor(private readonly matcher: TokenMatcher) {}

  /** Feeds the next chunk; `last` for the final one. */
  push(chunk: Buffer, last: boolean): void {
    const text = this.carry + chunk.toString('latin1');
    const base = this.carryStart;
    const from = this.nextSearch - base;
    // Search only where a whole match (and the character after it) is in this text; the rest waits for the next chunk.
    const until = last ? text.length : Math.max(from, text.length - MAX_MATCH_LENGTH - 1);
    for (const m of this.matcher.find(text, from, until)) this.place(text, base, m);
    // Never search again inside a candidate already looked at (its suffixes were tried by the matcher).
    const next = Math.max(until, this.matcher.lastEnd);
    this.nextSearch = base + next;
    // Keep LOOK_BACK characters before the next search position: a token's prefix may start there.
    const keep = last ? text.length : Math.max(0, next - LOOK_BACK - 1);
    this.advanceLines(text, base, base + keep);
    this.carry = text.slice(keep);
    this.carryStart = base + keep;
  }

  private advanceLines(text: string, base: number, to: number): void {
    for (let i = text.indexOf('\n', this.countedTo - base); i !== -1 && base + i < to; i = text.indexOf('\n', i + 1)) {
      this.line++;
      this.lineStart = base + i + 1;
    }
    this.countedTo = Math.max(this.countedTo, to);
  }

  private place(text: string, base: number, m: TokenMatch): void {
    const at = base + m.index;
    this.advanceLines(text, base, at);
    this.matches.push({ ...m, index: at, line: this.line, column: at - this.lineStart + 1 });
  }
}
