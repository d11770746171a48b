import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests import 'keysmith/…' exactly as users do; these aliases point them at the sources.
const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const alias = Object.entries(paths).map(([name, [file]]) => ({
  find: new RegExp(`^${name.replace('/', '\\/')}$`),
  replacement: resolve(import.meta.dirname, file),
}));

/** Where 'keysmith/…' resolves in tests; shared with vitest.disruptive.config.ts. */
export const resolveSources = { alias };

/** Builds the admin console's page (src/console/generated/assets.js, not committed) before any test serves it. */
export const consoleAssets = './scripts/build-console.ts';

/** Builds dist/ when it is missing or stale (the CLI tests run the built binary). */
const builtPackage = './scripts/build-if-stale.ts';

export default defineConfig({
  resolve: resolveSources,
  test: {
    globalSetup: [consoleAssets, builtPackage],
    // The main suite (`npm test`). It never selects test/disruptive/, whatever the environment:
    // those tests stop this machine's PostgreSQL and Redis and run only from
    // `npm run test:disruptive` (vitest.disruptive.config.ts).
    include: ['test/**/*.test.ts'],
    exclude: ['test/disruptive/**', '**/node_modules/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // vitest's default is one worker fewer than the cores: a single worker on a 2-core machine. Most
    // files wait on sockets, child processes and PGlite rather than compute, so two files at a time
    // (at least) roughly halve the wall time there.
    maxWorkers: Math.max(2, availableParallelism()),
  },
});
