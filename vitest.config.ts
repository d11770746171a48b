import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests import 'keysmith/…' exactly as users do; these aliases point them at the sources.
const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const alias = Object.entries(paths).map(([name, [file]]) => ({
  find: new RegExp(`^${name.replace('/', '\\/')}$`),
  replacement: resolve(import.meta.dirname, file),
}));

const disruptive = process.env.KEYSMITH_DISRUPTIVE === '1';

export default defineConfig({
  resolve: { alias },
  test: {
    // Tests that stop and restart this machine's PostgreSQL and Redis run on their own, one file at
    // a time, after the main suite (`npm test` runs both), so no other test sees the outage.
    include: disruptive ? ['test/disruptive/**/*.test.ts'] : ['test/**/*.test.ts'],
    exclude: disruptive ? ['**/node_modules/**'] : ['test/disruptive/**', '**/node_modules/**'],
    fileParallelism: !disruptive,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
