/**
 * The config module: `keysmith.config.{js,ts}` found in the current directory or named by
 * --config, exporting a keyring, `{ keyring, postgres, close }` or a factory; the CLI uses its
 * prefix, vocabulary and store. Run with the built binary in a temp project.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToken } from 'keysmith';
import { MIGRATIONS } from 'keysmith/postgres';
import { assertBuilt, runCli, tempProject } from './support.js';

const TIMEOUT = 120_000;

const JS_CONFIG = `import { PGlite } from '@electric-sql/pglite';
import { createKeyring } from 'keysmith';
import { postgresStore } from 'keysmith/postgres';

// A factory: the CLI calls it once, then close() before it exits.
export default async () => {
  const client = new PGlite(process.env.KEYSMITH_TEST_DB);
  const keyring = createKeyring({ store: postgresStore({ client }), prefix: 'cfg_js', scopes: ['reports:read', 'reports:write'] });
  return { keyring, postgres: { client }, close: () => client.close() };
};
`;

const TS_CONFIG = `import { createKeyring, type Keyring } from 'keysmith';
import { memoryStore } from 'keysmith/memory';

const prefix: string = 'cfg_ts';
const keyring: Keyring = createKeyring({ store: memoryStore(), prefix });
export default keyring;
`;

describe('keysmith CLI config module', () => {
  let project: ReturnType<typeof tempProject>;
  const env = () => ({ KEYSMITH_TEST_DB: join(project.dir, 'db') });

  beforeAll(() => {
    assertBuilt();
    project = tempProject();
  });
  afterAll(() => project?.remove());

  it(
    'keysmith.config.js in the current directory: migrate, then create with its prefix and scope vocabulary',
    async () => {
      writeFileSync(join(project.dir, 'keysmith.config.js'), JS_CONFIG);
      const migrate = await runCli(['migrate'], { cwd: project.dir, env: env() });
      expect(migrate.code, migrate.stderr).toBe(0);
      expect(migrate.stderr).toContain(`keysmith.config.js: applied migrations ${MIGRATIONS.map((m) => m.version).join(', ')}`);
      const printed = await runCli(['migrate', '--print'], { cwd: project.dir, env: env() });
      expect(printed.stdout).toMatch(/CREATE TABLE/);
      const created = await runCli(['create', '--tenant', 't1', '--name', 'n', '--scopes', 'reports:read'], { cwd: project.dir, env: env() });
      expect(created.code, created.stderr).toBe(0);
      expect(parseToken(created.stdout.trim())?.prefix).toBe('cfg_js');
      const unknownScope = await runCli(['create', '--tenant', 't1', '--name', 'n', '--scopes', 'billing:write'], { cwd: project.dir, env: env() });
      expect(unknownScope.code).toBe(2);
      expect(unknownScope.stderr).toMatch(/^keysmith: invalid input: scopes/);
      const verified = await runCli(['verify'], { cwd: project.dir, env: env(), input: created.stdout });
      expect(verified.code).toBe(0);
    },
    TIMEOUT,
  );

  it(
    'keysmith.config.ts is loaded through tsx (TypeScript syntax), and wins over .js',
    async () => {
      writeFileSync(join(project.dir, 'keysmith.config.ts'), TS_CONFIG);
      const created = await runCli(['create', '--tenant', 't1', '--name', 'n'], { cwd: project.dir });
      expect(created.code, created.stderr).toBe(0);
      expect(parseToken(created.stdout.trim())?.prefix).toBe('cfg_ts');
      // A keyring alone names no database: migrate says what to add.
      const migrate = await runCli(['migrate'], { cwd: project.dir });
      expect(migrate.code).toBe(2);
      expect(migrate.stderr.trim()).toMatch(/^keysmith: nothing to migrate for .*keysmith\.config\.ts: name the database in the config/);
    },
    TIMEOUT,
  );

  it(
    '--config names another file; --config wins over --store',
    async () => {
      writeFileSync(join(project.dir, 'other.mjs'), JS_CONFIG.replace("'cfg_js'", "'cfg_other'"));
      const created = await runCli(['create', '--config', 'other.mjs', '--store', 'pglite:memory', '--prefix', 'nope', '--tenant', 't', '--name', 'n'], {
        cwd: project.dir,
        env: env(),
      });
      expect(created.code, created.stderr).toBe(0);
      expect(parseToken(created.stdout.trim())?.prefix).toBe('cfg_other');
    },
    TIMEOUT,
  );

  it(
    'a missing, broken or wrong-shaped config is a one-line configuration error (exit 2)',
    async () => {
      const missing = await runCli(['list', '--tenant', 't', '--config', 'absent.js'], { cwd: project.dir });
      expect(missing.code).toBe(2);
      expect(missing.stderr.trim()).toBe(`keysmith: config file not found: ${join(project.dir, 'absent.js')}`);
      writeFileSync(join(project.dir, 'broken.mjs'), 'export default {{;\n');
      const broken = await runCli(['list', '--tenant', 't', '--config', 'broken.mjs'], { cwd: project.dir });
      expect(broken.code).toBe(2);
      expect(broken.stderr.trim()).toMatch(/^keysmith: could not load .*broken\.mjs: /);
      expect(broken.stderr.trim().split('\n')).toHaveLength(1);
      writeFileSync(join(project.dir, 'shape.mjs'), 'export default { prefix: "sk" };\n');
      const shape = await runCli(['list', '--tenant', 't', '--config', 'shape.mjs'], { cwd: project.dir });
      expect(shape.code).toBe(2);
      expect(shape.stderr.trim()).toMatch(/must export \(default\) a keyring, \{ keyring, postgres\?, mongo\?, close\? \}, or a function returning one$/);
    },
    TIMEOUT,
  );
});
