import { existsSync, readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

// One list of public entry points: tsconfig's `paths` (also read by vitest.config.ts, and checked
// against package.json `exports` by scripts/check-entries.ts).
const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const entry = Object.fromEntries(
  Object.entries(paths)
    .filter(([, [file]]) => existsSync(file))
    .map(([name, [file]]) => [name === 'keysmith' ? 'index' : name.slice('keysmith/'.length), file]),
);

/** The `keysmith` binary (package.json `bin`): ESM only, a shebang from its source, not a public subpath. */
const CLI_ENTRY = { cli: 'src/cli/main.ts' };

export default defineConfig([
  {
    entry,
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    target: 'node20',
    sourcemap: false,
    // keysmith and keysmith/http share core modules (errors, permissions): shared chunks keep one copy.
    splitting: true,
    // Adapters import the core as 'keysmith', so one copy of it is loaded (instanceof and caches agree).
    external: ['keysmith', /^keysmith\//],
  },
  {
    entry: CLI_ENTRY,
    format: ['esm'],
    dts: false,
    // The library build above cleans dist/ first; this one only adds dist/cli.js.
    clean: false,
    target: 'node20',
    sourcemap: false,
    // The binary loads keysmith through its public entries, as a user's config module does: one copy of the core.
    external: ['keysmith', /^keysmith\//],
  },
]);
