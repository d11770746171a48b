import { describe, expect, it } from 'vitest';
import { checkLinks, checkSnippets, extractSnippets, headingId } from '../../scripts/check-snippets.js';

const page = [
  '# A page', // 1
  '', // 2
  '```ts', // 3
  "import { createKeyring } from 'keysmith';", // 4
  "import { memoryStore } from 'keysmith/memory';", // 5
  "const keyring = createKeyring({ store: memoryStore(), prefix: 'sk' });", // 6
  'await keyring.verify(token);', // 7: `token` is not declared
  '```', // 8
  '', // 9
  '```ts fragment', // 10
  "app.get('/x', handler);", // 11: parsed only
  '```', // 12
  '', // 13
  '```sh', // 14
  'npm test', // 15
  '```', // 16
  '', // 17
  '```typescript', // 18
  "const keyring = 'a second block may reuse a name';", // 19
  'export const n: number = keyring.length;', // 20
  '```', // 21
].join('\n');

describe('check-snippets', () => {
  it('extracts the TypeScript blocks with the line each starts on and the fragment flag', () => {
    const snippets = extractSnippets('docs/page.md', page);
    expect(snippets.map(({ line, fragment }) => ({ line, fragment }))).toEqual([
      { line: 4, fragment: false },
      { line: 11, fragment: true },
      { line: 19, fragment: false },
    ]);
  });

  it('type-checks against the sources and reports each error at its page line (one program for both pages)', () => {
    const bad = ['```ts', "import { createKeyring } from 'keysmith';", 'createKeyring({ prefix: 1 });', '```', '```ts fragment', 'const = ;', '```'].join('\n');
    const errors = checkSnippets([...extractSnippets('docs/page.md', page), ...extractSnippets('README.md', bad)]);
    // docs/page.md: only the undeclared `token`; the fragment is not type-checked, the second block may reuse `keyring`.
    expect(errors.filter((e) => e.startsWith('docs/page.md'))).toHaveLength(1);
    expect(errors.find((e) => e.startsWith('docs/page.md'))).toMatch(/^docs\/page\.md:7:\d+ - error TS2304: Cannot find name 'token'/);
    // README.md: a wrong call into keysmith (line 3) and a syntax error in a fragment (line 6).
    expect(errors.some((e) => e.startsWith('README.md:3:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('README.md:6:'))).toBe(true);
  }, 60_000); // one TypeScript program over the sources: seconds, many more on a loaded machine

  it('refuses an unclosed block', () => {
    expect(() => extractSnippets('docs/x.md', '```ts\nconst a = 1;\n')).toThrow(/docs\/x\.md:1: code block never closed/);
  });

  it('finds dead relative links and anchors, and ignores links in code and to other sites', () => {
    const pages: Record<string, string> = {
      'docs/a.md': '# A\n\n## Soak (`bench/soak.ts`)\n\n## Soak (`bench/soak.ts`)\n',
      'BENCHMARKS.md': '# Benchmarks\n',
    };
    const read = (path: string) => pages[path] ?? null;
    const page = [
      '[ok](a.md) [ok](a.md#soak-benchsoakts) [second](a.md#soak-benchsoakts-1) [up](../BENCHMARKS.md)', // 1
      '[web](https://example.com/x.md) `[not a link](nowhere.md)`', // 2
      '```md', // 3
      '[in code](nowhere.md)', // 4
      '```', // 5
      '[gone](b.md) [no heading](a.md#nope) [self](#a)', // 6
    ].join('\n');
    pages['docs/b-page.md'] = page;
    expect(checkLinks('docs/b-page.md', page, read)).toEqual([
      'docs/b-page.md:6 - dead link: b.md (no file docs/b.md)',
      'docs/b-page.md:6 - dead link: a.md#nope (no heading #nope in docs/a.md)',
      'docs/b-page.md:6 - dead link: #a (no heading #a in docs/b-page.md)',
    ]);
    expect(headingId('Fleets: shared limits and instant revocation (`keysmith/redis`, PostgreSQL)')).toBe(
      'fleets-shared-limits-and-instant-revocation-keysmithredis-postgresql',
    );
  });
});
