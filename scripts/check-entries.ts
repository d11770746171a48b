/**
 * One list of entry points: tsconfig.json's `paths` (tsup builds them, vitest aliases them). This
 * checks that package.json `exports` names exactly those subpaths, each with its ESM and CJS files
 * and their own types. `tsx scripts/check-entries.ts --write` rewrites `exports` from the list.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';

const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** 'keysmith' -> 'index', 'keysmith/http' -> 'http' (the file name under dist/, as tsup.config.ts names it). */
const distName = (name: string) => (name === 'keysmith' ? 'index' : name.slice('keysmith/'.length));

const expected: Record<string, unknown> = {};
const problems: string[] = [];
for (const [name, [file]] of Object.entries(paths)) {
  if (!existsSync(file)) problems.push(`tsconfig paths: ${name} -> ${file} does not exist`);
  const out = distName(name);
  expected[name === 'keysmith' ? '.' : `./${out}`] = {
    import: { types: `./dist/${out}.d.ts`, default: `./dist/${out}.js` },
    require: { types: `./dist/${out}.d.cts`, default: `./dist/${out}.cjs` },
  };
}
expected['./package.json'] = './package.json';

if (process.argv.includes('--write')) {
  pkg.exports = expected;
  writeFileSync('package.json', `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`package.json exports: ${Object.keys(expected).join(', ')}`);
} else {
  // The binary is not a subpath: tsup.config.ts builds src/cli/main.ts to dist/cli.js, which `bin` names.
  if (!existsSync('src/cli/main.ts')) problems.push('src/cli/main.ts (the keysmith binary) does not exist');
  if (pkg.bin?.keysmith !== './dist/cli.js') problems.push('package.json bin.keysmith must be "./dist/cli.js" (built by tsup.config.ts from src/cli/main.ts)');
  for (const key of new Set([...Object.keys(expected), ...Object.keys(pkg.exports ?? {})])) {
    if (!isDeepStrictEqual(expected[key], pkg.exports?.[key])) {
      problems.push(`package.json exports["${key}"] ${key in expected ? 'differs from' : 'is not in'} tsconfig.json paths`);
    }
  }
  if (problems.length > 0) {
    console.error(`${problems.join('\n')}\nRun: npx tsx scripts/check-entries.ts --write`);
    process.exit(1);
  }
  console.log(`entry points agree: ${Object.keys(paths).join(', ')}`);
}
