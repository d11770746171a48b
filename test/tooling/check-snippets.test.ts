import { describe, expect, it } from 'vitest';
import { checkSnippets, extractSnippets } from '../../scripts/check-snippets.js';

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

  it('reports a type error at the page line, and type-checks against the sources', () => {
    const errors = checkSnippets(extractSnippets('docs/page.md', page));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/page\.md:7:\d+ - error TS2304: Cannot find name 'token'/);
  });

  it('catches a wrong call into keysmith and a syntax error in a fragment', () => {
    const bad = ['```ts', "import { createKeyring } from 'keysmith';", 'createKeyring({ prefix: 1 });', '```', '```ts fragment', 'const = ;', '```'].join('\n');
    const errors = checkSnippets(extractSnippets('README.md', bad));
    expect(errors.some((e) => e.startsWith('README.md:3:'))).toBe(true);
    expect(errors.some((e) => e.startsWith('README.md:6:'))).toBe(true);
  });

  it('refuses an unclosed block', () => {
    expect(() => extractSnippets('docs/x.md', '```ts\nconst a = 1;\n')).toThrow(/docs\/x\.md:1: code block never closed/);
  });
});
