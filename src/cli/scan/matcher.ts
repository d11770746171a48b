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

// Any keyring's token: a prefix of letters/digits/`_`, the 16-character id, 32 + 6 secret and checksum characters.
// It may follow `_` (`KEY__sk_…`); a longer word in front is cut off by `confirm`.
const ANY_PREFIX = '(?<![A-Za-z0-9])[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*_[0-9A-Za-z]{16}_[0-9A-Za-z]{38}(?![A-Za-z0-9_])';

/** Longest text a match can span (a 64-character prefix and the 56-character tail), for chunk overlaps. */
export const MAX_MATCH_LENGTH = 64 + 1 + 16 + 1 + 38;

/**
 * Finds tokens in text and confirms each by its checksum, so random strings of the right shape
 * are never reported. Any keyring's tokens are found (a word that ends in a valid token counts
 * when a shorter prefix's checksum holds: `export_sk_…` is reported as `sk_…`); with a prefix,
 * only the tokens of that prefix are kept.
 */
export class TokenMatcher {
  readonly regex: RegExp;
  /** End of the last candidate `find` looked at: the next search must start there, not inside it. */
  lastEnd = 0;

  constructor(readonly prefix?: string) {
    this.regex = new RegExp(ANY_PREFIX, 'g');
  }

  /** Every confirmed token in `text` whose start is at or after `from` and before `until`. */
  *find(text: string, from = 0, until = text.length): Generator<TokenMatch> {
    const re = this.regex;
    re.lastIndex = from;
    this.lastEnd = from;
    for (let m = re.exec(text); m !== null && m.index < until; m = re.exec(text)) {
      this.lastEnd = m.index + m[0].length;
      const confirmed = confirm(m[0]);
      if (confirmed && (this.prefix === undefined || confirmed.prefix === this.prefix)) {
        const offset = m[0].length - confirmed.token.length;
        yield { index: m.index + offset, length: confirmed.token.length, prefix: confirmed.prefix, id: confirmed.id, preview: confirmed.preview };
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
