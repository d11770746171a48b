import { parseToken } from 'keysmith';

/** A confirmed token: where it starts in the text and its parts. The secret never leaves this module's caller. */
export interface TokenMatch {
  /** Offset in the scanned text. */
  index: number;
  /** Length of the token in the text. */
  length: number;
  prefix: string;
  id: string;
  /** Safe to show: prefix, id and the first four secret characters. */
  preview: string;
}

// The fixed-length end of any keyring's token: `_`, the 16-character id, `_`, 32 + 6 secret and checksum
// characters, at the end of a word. The regex engine finds the literal `_` fast; the prefix is then read
// backwards over word characters.
const TAIL = '_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}(?![A-Za-z0-9_])';

/** How far back from the tail the prefix is looked for (prefixes are at most 64 characters). */
export const LOOK_BACK = 128;

/** Longest text a match can span after its tail starts (the tail and the character after it). */
export const MAX_MATCH_LENGTH = 1 + 16 + 1 + 38 + 1;

const isWordChar = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/**
 * Finds tokens in text and confirms each by its checksum, so random strings of the right shape
 * are never reported. Any keyring's tokens are found (a word that ends in a valid token counts
 * when a shorter prefix's checksum holds: `export_sk_…` is reported as `sk_…`); with a prefix,
 * only the tokens of that prefix are kept.
 */
export class TokenMatcher {
  readonly regex: RegExp;
  /** End of the last tail `find` looked at: the next search starts there. */
  lastEnd = 0;

  constructor(readonly prefix?: string) {
    this.regex = new RegExp(TAIL, 'g');
  }

  /**
   * Every confirmed token in `text` whose tail (the `_` before the id) is at or after `from` and
   * before `until`. The prefix may start before `from`: callers keep LOOK_BACK characters before it.
   */
  *find(text: string, from = 0, until = text.length): Generator<TokenMatch> {
    const re = this.regex;
    re.lastIndex = from;
    this.lastEnd = from;
    for (let m = re.exec(text); m !== null && m.index < until; m = re.exec(text)) {
      this.lastEnd = m.index + m[0].length;
      let start = m.index;
      const limit = Math.max(0, m.index - LOOK_BACK);
      while (start > limit && isWordChar(text.charCodeAt(start - 1))) start--;
      if (start === m.index) continue; // no prefix
      const confirmed = confirm(text.slice(start, this.lastEnd));
      if (confirmed && (this.prefix === undefined || confirmed.prefix === this.prefix)) {
        const offset = this.lastEnd - start - confirmed.token.length;
        yield { index: start + offset, length: confirmed.token.length, prefix: confirmed.prefix, id: confirmed.id, preview: confirmed.preview };
      }
    }
  }
}

/** The candidate itself, or the longest `_`-suffix of its prefix whose checksum holds. */
function confirm(candidate: string): { token: string; prefix: string; id: string; preview: string } | null {
  let start = 0;
  for (;;) {
    const token = start === 0 ? candidate : candidate.slice(start);
    const parts = parseToken(token);
    if (parts) return { token, prefix: parts.prefix, id: parts.id, preview: `${parts.prefix}_${parts.id}_${parts.secret.slice(0, 4)}…` };
    const next = candidate.indexOf('_', start) + 1;
    // Stop when the remaining text is only the id and secret (no prefix left).
    if (next === 0 || candidate.length - next <= 16 + 1 + 38) return null;
    start = next;
  }
}
