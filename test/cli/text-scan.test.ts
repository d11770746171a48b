/**
 * The scanner's chunking: a file read in chunks of any size gives exactly the matches (offsets,
 * lines, columns) of the whole text read at once, and only checksum-valid tokens are matches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';
import { TokenMatcher } from '../../src/cli/scan/matcher.js';
import { ChunkScanner } from '../../src/cli/scan/text-scan.js';

const keyring = createKeyring({ store: memoryStore(), prefix: 'sk_live' });
const tokens = await Promise.all(Array.from({ length: 4 }, (_, i) => keyring.create({ tenantId: 't', name: `k${i}` }).then((m) => m.token)));

function scan(text: string, chunkSizes: number[]) {
  const scanner = new ChunkScanner(new TokenMatcher());
  const bytes = Buffer.from(text, 'latin1');
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const size = Math.max(1, chunkSizes[i++ % chunkSizes.length]!);
    const end = Math.min(bytes.length, at + size);
    scanner.push(bytes.subarray(at, end), end === bytes.length);
    at = end;
  }
  if (bytes.length === 0) scanner.push(Buffer.alloc(0), true);
  return scanner.matches.map(({ index, line, column, id }) => ({ index, line, column, id }));
}

/** Where each token really is, computed the plain way. */
function expected(text: string, placed: string[]) {
  const out: { index: number; line: number; column: number; id: string }[] = [];
  for (const token of new Set(placed)) {
    for (let i = text.indexOf(token); i !== -1; i = text.indexOf(token, i + 1)) {
      const before = text.slice(0, i);
      // A letter or digit in front makes it part of a longer word; `_` in front does not (`export_sk_…`).
      const glued = i > 0 && /[A-Za-z0-9]/.test(text[i - 1]!);
      const after = text[i + token.length];
      if (glued || (after !== undefined && /[A-Za-z0-9_]/.test(after))) continue;
      out.push({ index: i, line: before.split('\n').length, column: i - before.lastIndexOf('\n'), id: token.split('_')[2]! });
    }
  }
  return out.sort((a, b) => a.index - b.index);
}

describe('scan chunking', () => {
  it('any chunk sizes find the same tokens at the same places as one read', () => {
    const piece = fc.oneof(
      fc.constantFrom(...tokens),
      fc.constantFrom('\n', ' ', '=', '"', 'x', '\r\n', 'sk_live_', '_'),
      fc.string({ unit: fc.constantFrom('a', 'Z', '0', '_', '\n', ' ', '-'), maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }), (pieces, sizes) => {
        const text = pieces.join('');
        const placed = pieces.filter((p) => tokens.includes(p));
        const whole = scan(text, [text.length + 1]);
        expect(whole).toEqual(expected(text, placed));
        expect(scan(text, sizes)).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('a token with one character changed is never a match (checksum)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...tokens), fc.nat(), fc.constantFrom(...'0aZ9bY'), (token, at, char) => {
        const i = 'sk_live_'.length + (at % (token.length - 'sk_live_'.length));
        if (token[i] === char || token[i] === '_') return;
        const changed = `${token.slice(0, i)}${char}${token.slice(i + 1)}`;
        expect(scan(` ${changed} `, [7])).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
