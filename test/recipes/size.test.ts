import { describe, expect, it } from 'vitest';
import { ownLines, recipeLines } from '../../scripts/recipe-lines.js';

// Issue #17: a recipe needing much more than about 80 lines of its own is an engine feature missing.
const LIMIT = 85;

describe('recipes stay small (docs/recipes.md, "Glue")', () => {
  it('counts non-blank, non-comment lines', () => {
    expect(ownLines('// a\n\n/**\n * doc\n */\nconst a = 1; // trailing\n  return a;\n')).toBe(2);
  });

  it(`every recipe needs at most ${LIMIT} lines of its own`, () => {
    const counted = recipeLines();
    expect(counted.map((r) => r.name)).toEqual(['project-mcp-keys-mongo', 'project-tokens', 'service-keys-mcp', 'tenant-keys-mcp']);
    for (const { name, lines } of counted) expect(lines, name).toBeLessThanOrEqual(LIMIT);
  });
});
