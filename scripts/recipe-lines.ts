/**
 * Counts each recipe's own lines, the way docs/recipes.md ("Glue") says: non-blank lines of the
 * files under `examples/recipes/<name>/` that are not comments (first non-space characters `//`,
 * `/*` or `*`). The shared harness (`examples/recipes/shared.ts`, `run.ts`) is not a recipe's own.
 *
 * Usage: `tsx scripts/recipe-lines.ts` prints one line per recipe.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const recipes = resolve(fileURLToPath(import.meta.url), '../../examples/recipes');

/** Non-blank, non-comment lines of one source text. */
export function ownLines(source: string): number {
  return source.split('\n').filter((line) => {
    const text = line.trim();
    return text !== '' && !text.startsWith('//') && !text.startsWith('/*') && !text.startsWith('*');
  }).length;
}

/** Every recipe (a folder of examples/recipes) with the own lines of its .ts files. */
export function recipeLines(): { name: string; lines: number }[] {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
    });
  return readdirSync(recipes)
    .filter((entry) => statSync(join(recipes, entry)).isDirectory())
    .sort()
    .map((name) => ({ name, lines: files(join(recipes, name)).reduce((sum, file) => sum + ownLines(readFileSync(file, 'utf8')), 0) }));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const { name, lines } of recipeLines()) console.log(`${name.padEnd(24)} ${lines}`);
}
