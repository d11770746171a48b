import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// Tests import 'keysmith/…' exactly as users do; these aliases point them at the sources.
const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const alias = Object.entries(paths).map(([name, [file]]) => ({
  find: new RegExp(`^${name.replace('/', '\\/')}$`),
  replacement: resolve(import.meta.dirname, file),
}));

export default defineConfig({
  resolve: { alias },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
