/**
 * knip: dead files, exports, types and dependencies (`npm run knip`, run by .ci/run).
 *
 * Entry points are what the repository runs or publishes: the public subpaths (tsconfig.json's
 * `paths`, the one list tsup and vitest read too, so a new subpath needs no edit here), the
 * examples, the benchmarks' runnable files, the scripts, and the tests (found by knip's vitest
 * plugin from vitest.config.ts). An entry's exports are the public API, so knip never reports them.
 */
import { readFileSync } from 'node:fs';
import type { KnipConfig } from 'knip';

const paths: Record<string, [string]> = JSON.parse(readFileSync('tsconfig.json', 'utf8')).compilerOptions.paths;
const publicEntries = Object.values(paths).map(([file]) => file.replace(/^\.\//, ''));

const config: KnipConfig = {
  // Test fixtures that tests start as child processes (by path) are entries too.
  // src/console/page.ts is the entry of the console page's browser bundle (scripts/build-console.ts);
  // src/cli/main.ts is the `keysmith` binary (package.json `bin`), built by tsup.config.ts.
  entry: [...publicEntries, 'src/console/page.ts', 'src/cli/main.ts', 'examples/**/*.ts', 'bench/*.ts', 'scripts/*.ts', 'test/**/fixtures/*.ts'],
  project: ['src/**/*.ts', 'adapters/**/*.ts', 'test/**/*.ts', 'examples/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', '*.ts'],
  // Services the test support starts and stops on this machine, and taskset (bench/http-cpu.ts pins cores): not npm
  // packages; and keysmith, this package's own binary, which scripts/check-cli-pack.ts runs from the packed tarball.
  ignoreBinaries: ['pg_ctlcluster', 'redis-cli', 'redis-server', 'taskset', 'keysmith'],
  // TEMPORARY (wave of issues 14-19): installed on main for helpers whose code is not merged yet.
  // The MCP Inspectors stay: test/mcp/inspector.test.ts runs them by file path, not by import.
  ignoreDependencies: ['@modelcontextprotocol/inspector', 'mcp-inspector-2'],
};

export default config;
